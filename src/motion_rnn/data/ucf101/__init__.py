"""UCF-101 (Soomro et al. 2012), on which Lakhal et al. 2018, "Residual stacked RNNs for action
recognition", test (split 1, Sec. 4; Tables 3-5). :mod:`~motion_rnn.data.ucf101.reader` reads the class
folders of ``UCF101.rar`` and the official split lists of ``UCFTrainTestlist.zip`` (the names below
are re-exported from it).
"""

from motion_rnn.data.ucf101.reader import (
    ARCHIVE,
    CATEGORIES,
    COLUMNS,
    LIST_FOLDER,
    NUM_CLASSES,
    PAPER_CLASS_NAMES,
    SPLITS,
    SUBSETS,
    UCF101Videos,
    find_list_folder,
    read_class_index,
    read_split,
    ucf101_categories,
)
