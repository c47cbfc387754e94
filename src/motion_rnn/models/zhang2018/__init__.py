"""Models of Zhang et al. 2018, "Attention in Convolutional LSTM for Gesture Recognition" (Table 1).
The ConvLSTM cell and its variants (a)-(d) (:mod:`~motion_rnn.models.zhang2018.convlstm`), the
"Res3D + ConvLSTM + MobileNet" network around them
(:mod:`~motion_rnn.models.zhang2018.gesture_net`, built from
:mod:`~motion_rnn.models.zhang2018.res3d` and :mod:`~motion_rnn.models.zhang2018.mobilenet`), and
their parameter sizes, Mult-Adds and step times (:mod:`~motion_rnn.models.zhang2018.complexity`).
"""

from motion_rnn.models.zhang2018.complexity import (
    PAPER_EQUATIONS,
    complexity_table,
    measured_mult_adds,
    paper_formula_parameter_size,
    paper_mult_adds,
    paper_parameter_size,
    time_training_step,
    time_training_steps,
    torch_parameter_count,
)
from motion_rnn.models.zhang2018.convlstm import (
    CELL_KINDS,
    CELL_LABELS,
    ChannelAttentionGate,
    ConvLSTM,
    ConvLSTMCell,
    ConvLSTMCellBase,
    DepthwiseSeparableConv2d,
    PooledGateConvLSTMCell,
    PooledGates,
    SpatialInputAttention,
    hard_sigmoid,
    make_cell,
)
from motion_rnn.models.zhang2018.gesture_net import Res3DConvLSTMMobileNet, build_res3d_convlstm_mobilenet
from motion_rnn.models.zhang2018.mobilenet import MobileNetBlocks
from motion_rnn.models.zhang2018.res3d import Res3DBlocks
