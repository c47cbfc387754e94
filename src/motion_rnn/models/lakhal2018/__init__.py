"""Models of Lakhal et al. 2018, "Residual stacked RNNs for action recognition" (Sec. 3, 4.1; Tables 1-2,
Fig. 3). The residual and plain stacked LSTMs (:mod:`~motion_rnn.models.lakhal2018.res_lstm`), mid and
late two-stream fusion (:mod:`~motion_rnn.models.lakhal2018.fusion`), and the two feature extractors in
front of them: C3D's 4,096-d fc6 features (:mod:`~motion_rnn.models.lakhal2018.c3d`) and 2D ImageNet
frame features in TSN's place (:mod:`~motion_rnn.models.lakhal2018.imagenet_2d`, which imports
torchvision: import it by name). Optical flow for the flow stream is in :mod:`motion_rnn.data.motion`.
"""

from motion_rnn.models.lakhal2018.c3d import C3D, c3d_parameter_count, load_c3d_weights
from motion_rnn.models.lakhal2018.fusion import TABLE2_STRATEGIES, TSN_WEIGHTS, FusionStrategy, late_fuse, mid_fuse
from motion_rnn.models.lakhal2018.res_lstm import (
    StackedLSTM,
    lstm_layer_parameter_count,
    res_lstm_parameter_count,
    sparse_clip_indices,
)
