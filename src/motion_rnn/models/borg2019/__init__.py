"""Models of Borg & Camilleri 2019, "Sign language detection in the wild with recurrent neural networks"
(Sec. 4, Tables 3-4): the recurrent classifier head on CNN codes, with Keras 2's GRU and LSTM written out
(:mod:`~motion_rnn.models.borg2019.head`). The motion streams (optical flow as HSV images, motion history
images, multi-frame differences) are in :mod:`motion_rnn.data.motion`; the hand-crafted baseline of
Table 5 (polar motion profiles and an SVM) in :mod:`motion_rnn.data.polar_motion`.
"""

from motion_rnn.models.borg2019.head import (
    CELLS,
    TABLE3_TRAINABLE_PARAMETERS,
    KerasGRU,
    KerasLSTM,
    KerasRNN,
    SignDetectionHead,
    hard_sigmoid,
    keras_trainable_parameters,
    torch_parameter_count,
)
