r"""Borg and Camilleri (2019), *Sign language detection "in the wild" with recurrent neural networks*: Tables 1-5.

A two-stage pipeline (Sec. 4, Fig. 2): a frozen ImageNet CNN turns every frame sampled at 5 Hz into
a code, for the frame itself (RGB) and for motion around it (optical flow, a motion history image or
frame differences; :mod:`.features`); a stacked GRU reads the codes of a 20-frame segment and says
signing, speaking or other; the two streams' decisions are fused. Segments are cross-validated over
5 folds of whole videos (:mod:`.data`, :mod:`.training`). Training: Adam at 1e-3, the learning rate
dropped and then the batch grown (:mod:`motion_rnn.staged_training`).
"""
