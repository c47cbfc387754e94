"""Models of the book, one subpackage a paper.

* :mod:`~motion_rnn.models.pigou2016`: Pigou et al. 2016, "Beyond Temporal Pooling: Recurrence
  and Temporal Convolutions for Gesture Recognition in Video" (Tables 1 and 2): the single-frame
  CNN (:mod:`~motion_rnn.models.pigou2016.cnn2d`), temporal pooling and temporal convolutions
  (:mod:`~motion_rnn.models.pigou2016.temporal`), the peephole LSTM and standard recurrent layers
  (:mod:`~motion_rnn.models.pigou2016.peephole_lstm`) and the seven networks of Table 1
  (:mod:`~motion_rnn.models.pigou2016.networks`).
* :mod:`~motion_rnn.models.zhang2018`: Zhang et al. 2018, "Attention in Convolutional LSTM for
  Gesture Recognition" (Table 1): the ConvLSTM cell and its variants (a)-(d)
  (:mod:`~motion_rnn.models.zhang2018.convlstm`), the "Res3D + ConvLSTM + MobileNet" network
  around them (:mod:`~motion_rnn.models.zhang2018.gesture_net`, built from
  :mod:`~motion_rnn.models.zhang2018.res3d` and :mod:`~motion_rnn.models.zhang2018.mobilenet`),
  and their parameter sizes, Mult-Adds and step times
  (:mod:`~motion_rnn.models.zhang2018.complexity`).
* :mod:`~motion_rnn.models.leroux2017`: Le Roux 2017, "Learning action recognition from 3D
  poses" (Tables 4-9, 11, 12): the recurrent networks on skeletons
  (:mod:`~motion_rnn.models.leroux2017.recurrent`), the skeleton transformer
  (:mod:`~motion_rnn.models.leroux2017.skeleton_transformer`), their inputs
  (:mod:`~motion_rnn.models.leroux2017.skeleton_inputs`) and losses
  (:mod:`~motion_rnn.models.leroux2017.losses`).
* :mod:`~motion_rnn.models.borg2019`: Borg & Camilleri 2019, "Sign language detection in the wild
  with recurrent neural networks" (Tables 3-4): the recurrent classifier head on CNN codes, with
  Keras 2's GRU and LSTM written out (:mod:`~motion_rnn.models.borg2019.head`).
* :mod:`~motion_rnn.models.layers`: the pieces more than one paper's networks use (channel
  scaling, the initialisation constants and schemes).

Import the subpackages or their modules (``from motion_rnn.models.zhang2018 import ConvLSTM``);
this package itself imports nothing.
"""
