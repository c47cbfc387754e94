"""HMDB-51 (Kuehne et al. 2011), on which Lakhal et al. 2018, "Residual stacked RNNs for action
recognition", test (split 1, Sec. 4). :mod:`~motion_rnn.data.hmdb51.reader` reads the class folders
of ``hmdb51_org.rar`` and the official split files of ``test_train_splits.rar`` (the names below
are re-exported from it).
"""

from motion_rnn.data.hmdb51.reader import (
    ARCHIVE,
    CATEGORIES,
    COLUMNS,
    LIST_FOLDER,
    MARKS,
    NUM_CLASSES,
    SPLITS,
    SUBSETS,
    HMDB51Videos,
    find_list_folder,
    hmdb51_categories,
    list_classes,
    read_split,
    read_split_file,
)
