"""Seeding: same seed, same profile and same data give the same numbers on the CPU."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, ask torch for deterministic kernels, return a seeded generator.

    The generator is meant for the data loaders' shuffling, so that the order of batches depends on
    ``seed`` alone and not on how many random numbers something else drew before.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # cuBLAS needs this for deterministic matmuls on the GPU; harmless on the CPU.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    # warn_only: a few CUDA kernels (e.g. some backward passes) have no deterministic version;
    # on the CPU every kernel the book uses is deterministic.
    torch.use_deterministic_algorithms(True, warn_only=True)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
