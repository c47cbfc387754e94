"""ChaLearn LAP IsoGD, on which Zhang et al. 2018, "Attention in Convolutional LSTM for Gesture
Recognition", fine-tune and test (Table 1). :mod:`~motion_rnn.data.isogd.reader` reads the authors'
``path frame_count label`` lists of frame folders or videos (the names below are re-exported from
it).
"""

from motion_rnn.data.isogd.reader import (
    ISOGD_DEPTH_MEAN,
    ISOGD_RGB_MEAN,
    NUM_CLASSES,
    NUM_FRAMES,
    SIZE,
    VIDEO_SUFFIXES,
    IsoGDDataset,
    read_isogd_list,
    read_video_frames,
    write_isogd_list,
)
