"""Pigou et al. 2016, "Beyond temporal pooling: recurrence and temporal convolutions for gesture
recognition in video": Table 1 (with Figures 2 and 3) and Table 2.

Table 1 compares seven architectures (Fig. 1a-e) on the Montalbano gesture data by the ChaLearn
2014 Jaccard index, the mean per-class precision and recall of the frame-wise predictions and the
error rate of majority-voted gesture fragments. Table 2 sets the best model (Temp Conv + LSTM)
with and without the skeleton-based crop and with and without depth beside earlier work.
Both are declared in :mod:`.tables` on the book's one runner (:mod:`motion_rnn.runner`), from
:mod:`.settings`, :mod:`.data`, :mod:`.training` (with :mod:`.scoring` and :mod:`.features`) and
:mod:`.claims`:

- the data the ``data`` parameter names: synthetic Montalbano sequences written in the challenge's
  zip format and read back by :mod:`motion_rnn.data.montalbano`, or a folder of the real
  ``SampleNNNN.zip`` archives, split as the authors did (train 1..600 without 417, validation
  601..700, test 701..940);
- training as Sec. 4.2 says: Adam, learning rate 1e-3 multiplied by (1 - 1e-4) after every update,
  mini-batches of 32, early stopping on the validation loss, dropout 0.5, the per-fragment
  augmentation; recurrent models on random 64-frame fragments with a label a frame, the others on
  windows of their own length labelled by the centre frame;
- inference as Sec. 4.2 says (:func:`predict_sequence`): recurrent models see 64-frame windows and
  keep the middle 32 frames of each; the others slide a window over the sequence in single-frame
  steps; the argmax of each frame is its label;
- the metrics of Table 1 on whole test sequences (:func:`sequence_metrics`);
- the data of Figure 2 (output probabilities over a test sequence beside the ground truth) and of
  Figure 3 (the most active feature map four layers deep, with and without temporal convolutions,
  while the performer rests and while they move);
- the paper's claims, each decided on our numbers.
"""
