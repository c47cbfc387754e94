"""Small data sets the training tests share."""

import torch
from torch.utils.data import Dataset


class Blobs(Dataset):
    """Two Gaussian blobs in 4-d; linearly separable."""

    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.y = torch.arange(n) % 2
        self.x = torch.randn(n, 4, generator=g) + 3 * self.y[:, None].float()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "label": self.y[i]}
