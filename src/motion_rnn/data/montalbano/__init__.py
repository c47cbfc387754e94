"""The Montalbano gesture data (ChaLearn LAP 2014, track 3), the data of Pigou et al. 2016, "Beyond
Temporal Pooling: Recurrence and Temporal Convolutions for Gesture Recognition in Video" (Tables 1
and 2). :mod:`~motion_rnn.data.montalbano.reader` reads the released per-sequence archives and cuts
them into fragments (the names below are re-exported from it);
:mod:`~motion_rnn.data.montalbano.chalearn_csv` reads the challenge's CSV files (data, labels,
predictions); :mod:`~motion_rnn.data.montalbano.augment` is the paper's fragment augmentation; and
:mod:`~motion_rnn.data.montalbano.synthetic` writes synthetic sequences in the real format.
"""

from motion_rnn.data.montalbano.reader import (
    AUTHORS_SPLIT,
    CHALLENGE_SPLIT,
    CROP_SIZE,
    FRAGMENT_LENGTH,
    GESTURE_NAMES,
    JOINT_VALUES,
    JOINTS,
    MEMBERS,
    NUM_CLASSES,
    VIDEO_MODALITIES,
    CropBox,
    MontalbanoFragments,
    MontalbanoSample,
    centre_box,
    centre_crop,
    crop_person,
    iter_samples,
    list_samples,
    load_rgbd,
    montalbano_split,
    parse_skeleton_csv,
    person_crop_box,
    read_sample,
    sample_id,
    sample_name,
    skeleton_pixels,
    skeleton_world,
)
