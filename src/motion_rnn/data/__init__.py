"""Readers of the data sets' real on-disk formats, and generators that write those formats.

One subpackage a data set of the papers (``montalbano``, ``jester``, ``isogd``, ``ntu``): its
``reader`` reads the files exactly as their publishers (or the papers' authors) lay them out, and
its ``synthetic`` writes stand-in data in the real format so that the real reader runs in every
build. Beside them: ``clips`` chooses and prepares frames apart from decoding them, ``frames``
reads videos stored as numbered images, ``cache`` writes a generated data set once, ``pose``
preprocesses skeletons, ``sequences`` batches variable-length sequences, and
``smartwatch_exercises`` loads real recordings that stand in for NTU RGB+D. Every reader reports
a malformed input with :class:`DataFormatError`.

Import the submodules themselves (``from motion_rnn.data.jester import JesterDataset``); this
package imports nothing heavy.
"""

from motion_rnn.data.errors import DataFormatError

__all__ = ["DataFormatError"]
