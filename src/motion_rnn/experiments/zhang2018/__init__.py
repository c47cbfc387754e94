"""Zhang et al. 2018, "Attention in convolutional LSTM for gesture recognition": Table 1.

Table 1 compares the "Res3D + ConvLSTM + MobileNet" network of Fig. 1 with its ConvLSTM component
replaced by variants (a)-(d): validation accuracy on Jester and IsoGD, channel number, parameter
size and Mult-Adds of the ConvLSTM component. The table is declared in :mod:`.tables` on the
book's one runner (:mod:`motion_rnn.runner`):

- :mod:`.settings`: the profiles (``full`` is the paper's Sec. 3.2);
- :mod:`.data`: synthetic gestures in Jester's layout, or a real Jester or IsoGD folder;
- :mod:`.training`: one row, the Fig. 1 network with one cell trained and validated;
- :mod:`.complexity`: the complexity columns at the paper's shape and the step timings;
- :mod:`.claims`: the paper's claims, decided on our table.
"""
