"""Models of Le Roux 2017, "Learning action recognition from 3D poses" (Tables 4-9, 11, 12). The
recurrent networks on skeleton sequences (standard RNN, LSTM, GRU; uni- or bidirectional; last step
or every step; :mod:`~motion_rnn.models.leroux2017.recurrent`), the skeleton transformer's virtual
joints (:mod:`~motion_rnn.models.leroux2017.skeleton_transformer`), the batching and motion
features of their inputs (:mod:`~motion_rnn.models.leroux2017.skeleton_inputs`) and the losses over
every step, the inattention loss and L2 (:mod:`~motion_rnn.models.leroux2017.losses`).
"""

from motion_rnn.models.leroux2017.losses import inattention_loss, make_regulariser, per_step_cross_entropy
from motion_rnn.models.leroux2017.recurrent import IMPROVED_BASELINE, build_skeleton_rnn, predict_from_steps
from motion_rnn.models.leroux2017.skeleton_inputs import pad_collate
from motion_rnn.models.leroux2017.skeleton_transformer import build_skeleton_transformer
