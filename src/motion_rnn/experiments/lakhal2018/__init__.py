r"""Lakhal et al. (2018), *Residual stacked RNNs for action recognition*: Tables 1-3 and Figure 3.

A two-stage pipeline (Sec. 3.1): a frozen 3D CNN turns every clip of a video into a feature
vector, averaged over ten crops (eq. 5), for RGB frames and for optical flow (:mod:`.features`,
:mod:`.data`); PCA brings the features to the residual width d_m, and a stacked LSTM with residual
connections (eq. 1) classifies the video from its last step (eq. 2) after T clips chosen by
sigma(t) (:mod:`.training`). The two streams are fused in the middle (the features) or late (the
softmax scores; Sec. 3.2). Training: RMSProp, learning rate 1e-3 (Sec. 4).
"""
