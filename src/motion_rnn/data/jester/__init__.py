"""The 20BN-Jester v1 data set, on which Zhang et al. 2018, "Attention in Convolutional LSTM for
Gesture Recognition", train their networks from scratch (Table 1).
:mod:`~motion_rnn.data.jester.reader` reads the released layout (frame folders and ``;``-separated
lists; the names below are re-exported from it); :mod:`~motion_rnn.data.jester.synthetic` writes
synthetic hand-gesture videos in the same layout, so that the reader runs in every build.
"""

from motion_rnn.data.jester.reader import (
    FRAMES_DIR,
    JESTER_MEAN,
    LABELS_FILE,
    NUM_FRAMES,
    SIZE,
    SPLIT_FILES,
    JesterDataset,
    read_jester_labels,
    read_jester_split,
)
