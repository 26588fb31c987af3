"""nnlib: the small neural-network library that the nn-from-scratch notebooks write.

Every module here is written by one `%%writefile` cell of one notebook; run the
notebooks in order and the package rebuilds itself. Conventions (notebook 00):
X is (n_x, m) with one example per column, W[l] is (n[l], n[l-1]), b[l] is (n[l], 1).
"""

__version__ = "0.1.0"
