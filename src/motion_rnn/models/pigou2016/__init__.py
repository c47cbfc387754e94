"""Models of Pigou et al. 2016, "Beyond Temporal Pooling: Recurrence and Temporal Convolutions for
Gesture Recognition in Video" (Tables 1 and 2, on the Montalbano gesture data). The single-frame
CNN and its dense head (:mod:`~motion_rnn.models.pigou2016.cnn2d`), temporal pooling and temporal
convolutions (:mod:`~motion_rnn.models.pigou2016.temporal`), the bidirectional peephole LSTM and
leaky-ReLU standard recurrent layers (:mod:`~motion_rnn.models.pigou2016.peephole_lstm`), and the
seven networks of Table 1 built from them with their frame-wise loss
(:mod:`~motion_rnn.models.pigou2016.networks`).
"""

from motion_rnn.models.pigou2016.cnn2d import DenseHead, FrameCNN
from motion_rnn.models.pigou2016.networks import (
    FIGURES,
    MODEL_NAMES,
    PAPER_WINDOWS,
    RECURRENT_MODELS,
    TABLE1_ROWS,
    build_montalbano_model,
    framewise_cross_entropy,
)
from motion_rnn.models.pigou2016.peephole_lstm import (
    PAPER_LSTM_UNITS,
    PAPER_SEQUENCE_LENGTH,
    BidirectionalSum,
    LeakyReLURNN,
    PeepholeLSTM,
    time_peephole_lstm,
)
from motion_rnn.models.pigou2016.temporal import SpatioTemporalCNN, TemporalPooling, max_pool_2d, max_pool_3d
