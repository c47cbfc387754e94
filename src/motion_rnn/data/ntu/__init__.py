"""NTU RGB+D skeletons (Shahroudy et al., CVPR 2016), the data of Le Roux 2017, "Learning action
recognition from 3D poses" (Tables 4-9, 11, 12). :mod:`~motion_rnn.data.ntu.reader` reads and
writes the data set's ``.skeleton`` text files and gives its splits (the names below are
re-exported from it); :mod:`~motion_rnn.data.ntu.synthetic` writes synthetic performances in the
same format, so that the reader runs in every build; ``python -m motion_rnn.data.ntu FILE...``
(:mod:`~motion_rnn.data.ntu.__main__`) prints one JSON line a file.
"""

from motion_rnn.data.ntu.reader import (
    ACTION_NAMES,
    BODY_INFO_FIELDS,
    CROSS_SUBJECT_TRAIN_PERFORMERS,
    CROSS_VIEW_TRAIN_CAMERAS,
    JOINT_RECORD_FIELDS,
    MISSING_SKELETONS,
    NUM_JOINTS,
    THESIS_VALIDATION_PERFORMERS,
    NTUSample,
    NTUSkeletonDataset,
    SampleName,
    Split,
    cross_subject_split,
    cross_view_split,
    list_skeleton_files,
    main_body,
    main_body_index,
    parse_sample_name,
    read_skeleton,
    summary,
    write_skeleton,
)
