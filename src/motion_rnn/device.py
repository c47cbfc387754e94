"""Choosing the torch device from the notebooks' ``device`` parameter."""

from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(device: str = "auto") -> torch.device:
    """``"auto"`` means CUDA when a GPU is present, else the CPU; ``"cuda:1"`` style names pass."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.split(":")[0] not in DEVICE_CHOICES[1:]:
        raise ValueError(f"device={device!r} is not one of {DEVICE_CHOICES} (or 'cuda:N')")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but no CUDA GPU is visible; use 'auto' or 'cpu'")
    return torch.device(device)


def describe(device: torch.device) -> str:
    """A human-readable name of the device for provenance records."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import platform

    return f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
