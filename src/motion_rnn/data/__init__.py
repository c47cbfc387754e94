"""Readers of the data sets' real on-disk formats, and generators that write those formats.

One module a data set (``jester``, ``isogd``, ...), each reading the files exactly as their
publishers (or the papers' authors) lay them out; ``clips`` chooses and prepares frames apart from
decoding them; ``synthetic`` writes stand-in data in the real formats so that the real readers run
in every build. Every reader reports a malformed input with :class:`DataFormatError`.

Import the submodules themselves (``from motion_rnn.data.jester import JesterDataset``); this
package imports nothing heavy.
"""

from motion_rnn.data.errors import DataFormatError

__all__ = ["DataFormatError"]
