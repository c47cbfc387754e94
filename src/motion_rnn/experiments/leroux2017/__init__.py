r"""Le Roux (2017), *Learning action recognition from 3D poses*: Tables 4-9, 11 and 12.

Every one of these tables changes one or two things of one network, the thesis's "improved
baseline" (Sec. 3.1.2): a unidirectional network of 3 layers of 100 GRU units, dropout keep
probability 0.5, L2 regularisation and early stopping, trained on each skeleton sequence whole
and classified from its last time step. :data:`BASELINE` holds it; each table lists only what its
rows change (:mod:`.rows`), and one function, :func:`.training.train_row`, trains and tests any row
through the book's one loop, :func:`motion_rnn.train.fit`, with the thesis's training set-up:

* Xavier initialisation, GRU reset and update gate biases 1 (Sec. 3.1.2; in
  :func:`motion_rnn.models.recurrent.build_skeleton_rnn`);
* Adam, :math:`\eta = 5 \times 10^{-3}`, :math:`\epsilon = 10^{-4}`, :math:`\beta = (0.9, 0.999)`,
  mini-batches of :math:`B = 256` (Sec. 3.1.1, eqs. 5-7);
* gradient clipping "when its :math:`L^2` norm exceeds 1" (Sec. 3.1.1);
* early stopping with learning-rate decay: "When the validation error does not improve for some
  amount of time, we decrease the learning rate by a factor of 10 until reaching a minimal
  learning rate where we stop training" (Sec. 3.2);
* the cross-subject protocol with the validation performers 25, 27, 28, 31, 34, 35 and 38
  (Sec. 3.1.1); accuracy is measured on the test performers.

The data are NTU RGB+D ``.skeleton`` files: the synthetic ones of
:mod:`motion_rnn.data.synthetic.skeletons` by default (written once, then read by the same reader
as the real data set), or the real folder when ``data`` is its path. Tables 4-7 add a real
stand-in beside them in the same run, the smartwatch recordings of
:mod:`motion_rnn.data.smartwatch_exercises` (real people, split by person); the results table's
``data`` column tells the two apart and every claim is judged on each.

Departures and readings (the thesis is silent on these; each is ours):

* The thesis does not give its L2 weight, the patience of its early stopping, its minimal
  learning rate or where dropout acts; :class:`LeRouxPreset` sets them and says so.
* "Without early stopping" (Table 7) trains for the preset's epochs at the constant initial
  learning rate and tests the last epoch's weights; "with" decays the learning rate on plateaus
  down to the floor, stops there and tests the best epoch's weights on the validation set.
* The ``ci`` and ``quick`` profiles scale every width of the thesis by ``width`` (Table 4's 100
  to 800 units become ``width`` x those), subsample long sequences to ``max_frames`` frames and
  scale Table 12's :math:`|S|` by ``step_scale`` accordingly; ``full`` is the thesis's.
* Fig. 11 reads the class scores off an FC layer with a ReLU (``dense_size=None``); ReLU scores can
  all die on small data (see :mod:`motion_rnn.models.recurrent`), so the small profiles put a
  hidden FC + ReLU layer before a linear classifier (``dense_size``). ``full`` follows the thesis.
"""
