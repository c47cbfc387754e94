"""motion_rnn: faithful, tested PyTorch implementations behind the replication book.

Five papers on recurrent networks for gestures, actions and signing; each experimental table is a
parameterised notebook in ``notebooks/`` that calls this package for everything but presentation.
"""

from motion_rnn import _torchvision_compat  # noqa: F401  (must run before any torchvision import)

__version__ = "0.1.0"
