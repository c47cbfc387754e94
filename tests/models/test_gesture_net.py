"""Fig. 1's "Res3D + ConvLSTM + MobileNet" network and its parts (Zhang et al. 2018)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from motion_rnn.models.layers import scaled_channels
from motion_rnn.models.zhang2018 import (
    CELL_KINDS,
    MobileNetBlocks,
    Res3DBlocks,
    build_res3d_convlstm_mobilenet,
    paper_parameter_size,
)
from motion_rnn.reproducibility import seed_everything

SMALL = dict(width=1 / 8, num_classes=5)


def _small(cell: str = "a", **options):
    torch.manual_seed(0)
    return build_res3d_convlstm_mobilenet(cell=cell, **(SMALL | options))


# -- shapes that must pass --------------------------------------------------------------------


def test_paper_clip_gives_8_steps_of_28x28_maps_to_the_convlstm():
    net = _small("b").eval()
    seen = []
    for layer in net.convlstm:
        layer.register_forward_hook(lambda module, inputs, output: seen.append((inputs[0].shape, output.shape)))
    with torch.no_grad():
        logits = net(torch.randn(1, 16, 3, 112, 112))
    assert logits.shape == (1, 5)
    assert seen == [((1, 8, 32, 28, 28), (1, 8, 32, 28, 28))] * 2  # 256 / 8 = 32 channels


@pytest.mark.parametrize("cell", CELL_KINDS)
def test_small_clips_for_every_cell(cell):
    net = _small(cell)
    logits = net(torch.randn(2, 8, 3, 32, 32))
    assert logits.shape == (2, 5) and torch.isfinite(logits).all()
    assert [layer.kind for layer in net.convlstm] == [cell, cell]


def test_full_width_network_holds_table1_cells():
    for cell, size in (("convlstm", 4_718_592), ("a", 528_896), ("c", 601_344)):
        net = build_res3d_convlstm_mobilenet(cell=cell, num_classes=249)
        assert [paper_parameter_size(layer.cell) for layer in net.convlstm] == [size, size]
        assert net.res3d.out_channels == 256 and net.mobilenet.out_channels == 1024
        assert net.classifier.in_features == 1024 and net.classifier.out_features == 249


def test_authors_code_options():
    net = _small(
        "c",
        second_cell="a",
        res3d_always_project=True,
        mobilenet_norm_after_depthwise=False,
        gate_activation="hard_sigmoid",
    )
    assert [layer.kind for layer in net.convlstm] == ["c", "a"]
    assert net.convlstm[0].cell.gate_activation == "hard_sigmoid"
    assert net.res3d.block2[0].downsample is not None  # the code's 1x1x1 projection
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.mobilenet.blocks[0][0])
    assert net(torch.randn(1, 4, 3, 16, 16)).shape == (1, 5)
    default = _small("c")
    assert default.res3d.block2[0].downsample is None
    assert _small("b", attention_norm="max").convlstm[0].cell.input_attention.norm == "max"


def test_convlstm_channels_scale_with_width_unless_told_not_to():
    assert _small("a").convlstm[0].cell.hidden_channels == 32
    net = _small("a", convlstm_channels=12, scale_convlstm_with_width=False)
    assert [layer.cell.hidden_channels for layer in net.convlstm] == [12, 12]
    assert net.convlstm[0].cell.in_channels == 32  # Res3D's 256 / 8
    assert net(torch.randn(1, 4, 3, 16, 16)).shape == (1, 5)


@pytest.mark.parametrize("steps, size", [(16, 112), (5, 30), (1, 9)])
def test_res3d_halves_time_and_quarters_space(steps, size):
    res3d = Res3DBlocks(width=1 / 16)
    out = res3d(torch.randn(1, steps, 3, size, size))
    assert out.shape == (1, -(-steps // 2), 16, -(-size // 4), -(-size // 4))


def test_mobilenet_runs_per_time_step():
    mobilenet = MobileNetBlocks(in_channels=8, width=1 / 16).eval()
    x = torch.randn(2, 3, 8, 28, 28)
    out = mobilenet(x)
    assert out.shape == (2, 3, 64, 4, 4)
    with torch.no_grad():
        torch.testing.assert_close(mobilenet(x[:, 1:2]), out[:, 1:2])  # steps do not mix


def test_width_multiplier_keeps_at_least_one_channel():
    assert scaled_channels(64, 1 / 8) == 8 and scaled_channels(64, 1e-3) == 1
    net = build_res3d_convlstm_mobilenet(cell="d", num_classes=2, width=1e-3).eval()
    assert net.res3d.out_channels == 1 and net.mobilenet.out_channels == 1
    assert net(torch.randn(1, 2, 3, 8, 8)).shape == (1, 2)


# -- shapes and arguments that must fail -----------------------------------------------------


def test_wrong_inputs_fail():
    net = _small()
    with pytest.raises(ValueError, match=r"\(B, T, 3, H, W\)"):
        net(torch.randn(1, 3, 32, 32))  # a frame, not a clip
    with pytest.raises(ValueError, match=r"\(B, T, 3, H, W\)"):
        net(torch.randn(1, 8, 32, 32, 3))  # channels last
    with pytest.raises(ValueError, match="'convlstm', 'a', 'b', 'c', 'd'"):
        build_res3d_convlstm_mobilenet(cell="e", num_classes=2)
    with pytest.raises(ValueError, match="second_cell"):
        build_res3d_convlstm_mobilenet(cell="a", second_cell="LSTM", num_classes=2)
    with pytest.raises(ValueError, match="attention_norm"):
        build_res3d_convlstm_mobilenet(cell="a", num_classes=2, attention_norm="max")
    with pytest.raises(ValueError, match="num_classes"):
        build_res3d_convlstm_mobilenet(cell="a", num_classes=0)
    with pytest.raises(ValueError, match="width"):
        build_res3d_convlstm_mobilenet(cell="a", num_classes=2, width=0)


# -- training ----------------------------------------------------------------------------------


def _overfit(cell: str, steps: int = 30) -> tuple[float, float, float]:
    """Train a width-1/8 network on four clips of four classes; first loss, last loss, accuracy."""
    seed_everything(0)
    net = build_res3d_convlstm_mobilenet(cell=cell, num_classes=4, width=1 / 8)
    clips = torch.randn(4, 4, 3, 16, 16)
    labels = torch.arange(4)
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for _ in range(steps):
        optimiser.zero_grad()
        logits = net(clips)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return losses[0], losses[-1], accuracy


@pytest.mark.parametrize("cell", ["convlstm", "a", "c"])
def test_tiny_network_overfits_a_tiny_batch(cell):
    first, last, accuracy = _overfit(cell)
    assert last < 0.1 * first
    assert accuracy == 1.0


def test_training_is_deterministic_under_a_fixed_seed():
    assert _overfit("c", steps=3) == _overfit("c", steps=3)
