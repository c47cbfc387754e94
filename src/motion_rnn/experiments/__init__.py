"""One folder a paper: each table declared on the book's one runner (:mod:`motion_rnn.runner`).

``<paper>/settings.py`` holds the profiles, ``data.py`` loads the data, ``training.py`` trains and
scores one row, ``claims.py`` decides the paper's claims on our table, and ``tables.py`` declares
the tables (``TABLES``) from them. Only the code of ``training.py`` and ``data.py`` (and what they
import) keys the stored rows: rewording a claim or a figure never invalidates trained results.
"""
