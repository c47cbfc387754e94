"""Fixtures shared by the model tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread_and_determinism_flag():
    """One torch thread, and the deterministic-algorithms flag left as found.

    Small tensors: one thread is faster, and immune to other work on the machine's cores.
    ``seed_everything`` switches on deterministic algorithms globally; the flag is restored.
    """
    threads = torch.get_num_threads()
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
