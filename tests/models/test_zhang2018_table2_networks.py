"""The networks of Zhang et al. 2018's Table 2 and their registry."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from motion_rnn.models.zhang2018.bidirectional import BiConvLSTMNet, BidirectionalConvLSTM
from motion_rnn.models.zhang2018.c3d import C3D, PyramidalC3D
from motion_rnn.models.zhang2018.frame_resnet import FrameResNet50
from motion_rnn.models.zhang2018.res3d_net import Res3DClassifier
from motion_rnn.models.zhang2018.table2_networks import TABLE2_NOTES, TABLE2_ROWS, build_table2_network

SMALL = dict(num_classes=5, width=1 / 8, convlstm_channels=8)


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _small(row: str, **options) -> nn.Module:
    torch.manual_seed(0)
    return build_table2_network(row, **(SMALL | options))


def _full(row: str, **options) -> nn.Module:
    """Width 1 on the meta device: shapes and counts without memory or initialisation time."""
    with torch.device("meta"):
        return build_table2_network(row, num_classes=249, **options)


# -- every row ---------------------------------------------------------------------------------


def test_rows_are_the_papers_in_order():
    assert TABLE2_ROWS == (
        "ResNet50 [27]",
        "Pyramidal C3D [26]",
        "C3D [28]",
        "Res3D [29]",
        "3DCNN+BiConvLSTM+2DCNN [8]",
        "Res3D+ConvLSTM+MobileNet",
        "Res3D+ConvLSTM Variant(a)+MobileNet",
    )
    assert set(TABLE2_NOTES) == set(TABLE2_ROWS)
    for note in TABLE2_NOTES.values():
        assert note.endswith(".") and not re.search(r"\.\s+[A-Z]", note)  # one sentence ("et al. fine-tune")


@pytest.mark.parametrize("row", TABLE2_ROWS)
def test_every_row_trains_and_takes_any_clip_size(row):
    net = _small(row)
    logits = net(torch.randn(1, 8, 3, 32, 32))
    assert logits.shape == (1, 5) and torch.isfinite(logits).all()
    F.cross_entropy(logits, torch.tensor([3])).backward()
    missing = [name for name, p in net.named_parameters() if p.grad is None]
    assert not missing, f"no gradient reaches {missing}"
    assert all(torch.isfinite(p.grad).all() for p in net.parameters())
    net.eval()
    with torch.no_grad():
        assert net(torch.randn(1, 16, 3, 48, 48)).shape == (1, 5)
    with pytest.raises(ValueError, match=re.escape("(B, T, 3, H, W)")):
        net(torch.randn(1, 8, 32, 32, 3))  # channels last


@pytest.mark.parametrize("row", TABLE2_ROWS)
def test_every_row_takes_other_input_channels(row):
    net = _small(row, in_channels=1).eval()
    with torch.no_grad():
        assert net(torch.randn(2, 8, 1, 32, 32)).shape == (2, 5)


def test_unknown_rows_and_bad_sizes_fail_clearly():
    with pytest.raises(ValueError, match=re.escape("'ResNet50 [27]', 'Pyramidal C3D [26]'")) as error:
        build_table2_network("I3D", num_classes=5)
    assert "'I3D'" in str(error.value) and "Variant(a)" in str(error.value)
    with pytest.raises(ValueError, match="num_classes"):
        build_table2_network("C3D [28]", num_classes=0)
    with pytest.raises(ValueError, match="width"):
        build_table2_network("ResNet50 [27]", num_classes=5, width=0)


def test_fig1_rows_keep_the_convlstm_filters_at_any_width():
    for row, kind in (("Res3D+ConvLSTM+MobileNet", "convlstm"), ("Res3D+ConvLSTM Variant(a)+MobileNet", "a")):
        net = _small(row, convlstm_channels=12)
        assert [layer.kind for layer in net.convlstm] == [kind, kind]
        assert [layer.cell.hidden_channels for layer in net.convlstm] == [12, 12]
        assert net.res3d.out_channels == 32 and net.mobilenet.out_channels == 128  # 256 / 8, 1024 / 8
    full = _full("Res3D+ConvLSTM+MobileNet")
    assert [layer.cell.hidden_channels for layer in full.convlstm] == [256, 256]


# -- C3D and the pyramid -------------------------------------------------------------------------


def test_c3d_has_the_published_layer_sizes():
    net = _full("C3D [28]")
    convs = [m for m in net.trunk.modules() if isinstance(m, nn.Conv3d)]
    assert [conv.out_channels for conv in convs] == [64, 128, 256, 256, 512, 512, 512, 512]
    assert all(c.kernel_size == (3, 3, 3) and c.stride == (1, 1, 1) and c.padding == (1, 1, 1) for c in convs)
    pools = [m.kernel_size for m in net.trunk.modules() if isinstance(m, nn.MaxPool3d)]
    assert pools == [(1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2)]  # pool5 follows the trunk
    assert net.fc6.in_features == 512 * 4 * 4 and net.fc6.out_features == 4096 and net.fc7.out_features == 4096
    assert net.classifier.in_features == 4096 and net.classifier.out_features == 249
    # each 3x3x3 convolution: 27 c_in c_out weights and c_out biases
    sizes = [3, 64, 128, 256, 256, 512, 512, 512, 512]
    by_hand = sum(27 * c_in * c_out + c_out for c_in, c_out in zip(sizes, sizes[1:]))
    assert by_hand == 27_655_936
    assert _count(net.trunk) == by_hand
    assert _count(net.fc6) + _count(net.fc7) == 8192 * 4096 + 4096 + 4096 * 4096 + 4096
    assert _count(net) == by_hand + 50_339_840 + 4096 * 249 + 249


def test_c3d_maps_at_the_native_size_and_batch_norm_option():
    net = C3D(num_classes=3, width=1 / 16).eval()
    clip = torch.randn(1, 16, 3, 112, 112)
    with torch.no_grad():
        conv5 = net.conv5(clip)
        assert conv5.shape == (1, 32, 2, 7, 7)
        assert net.pool.pool5(conv5).shape == (1, 32, 1, 4, 4)  # Caffe's rounding: 7 -> 4, no padding needed
        torch.testing.assert_close(net.pooled(clip), net.pool.pool5(conv5).flatten(1))  # the fit is the identity
    normed = C3D(num_classes=3, width=1 / 16, batch_norm=True)
    assert sum(isinstance(m, nn.BatchNorm3d) for m in normed.modules()) == 8
    assert all(m.bias is None for m in normed.modules() if isinstance(m, nn.Conv3d))
    assert all(m.bias is not None for m in net.modules() if isinstance(m, nn.Conv3d))


def test_pyramid_concatenates_seven_temporal_bins():
    assert _full("Pyramidal C3D [26]").fc6.in_features == 512 * 7
    net = PyramidalC3D(num_classes=5, width=1 / 8).eval()
    clip = torch.randn(2, 32, 3, 32, 32)
    with torch.no_grad():
        conv5 = net.conv5(clip)  # (2, 64, 4, 2, 2): 32 frames -> 4 steps
        pooled = net.pooled(clip)
    assert conv5.shape == (2, 64, 4, 2, 2)
    assert pooled.shape == (2, 64 * 7) and net.fc6.in_features == 64 * 7
    steps = conv5.amax(dim=(3, 4))  # (2, 64, 4): max over space
    whole, halves, quarters = pooled[:, :64], pooled[:, 64:192].unflatten(1, (64, 2)), pooled[:, 192:]
    torch.testing.assert_close(quarters.unflatten(1, (64, 4)), steps)
    torch.testing.assert_close(halves, torch.stack([steps[..., :2].amax(-1), steps[..., 2:].amax(-1)], dim=-1))
    torch.testing.assert_close(whole, steps.amax(-1))


# -- ResNet50 and Res3D --------------------------------------------------------------------------


def test_frame_resnet50_is_torchvisions_without_its_fc_and_ignores_width():
    from torchvision.models import resnet50  # here: motion_rnn must be imported before torchvision

    with torch.device("meta"):
        reference = _count(resnet50(weights=None)) - (2048 * 1000 + 1000)  # ImageNet's fc
        counts = {width: _count(FrameResNet50(num_classes=249, width=width)) for width in (1.0, 1 / 8)}
    assert reference == 23_508_032
    assert counts == {1.0: reference + 2048 * 249 + 249, 1 / 8: reference + 2048 * 249 + 249}


def test_frame_resnet50_treats_frames_independently():
    net = _small("ResNet50 [27]").eval()
    clip = torch.randn(1, 3, 3, 32, 32)
    with torch.no_grad():
        frames = net.frame_features(clip)
        torch.testing.assert_close(net.frame_features(clip[:, 1:2]), frames[:, 1:2], atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(net.features(clip), frames.mean(dim=1))


def test_res3d_classifier_is_r3d_18_in_parameters():
    from torchvision.models.video import r3d_18  # here: motion_rnn must be imported before torchvision

    net = _full("Res3D [29]")
    assert isinstance(net, Res3DClassifier) and net.classifier.in_features == 512
    with torch.device("meta"):
        reference = r3d_18(num_classes=249)
    # The same modules as torchvision's r3d_18 (stem Conv3d 3x7x7 + BN; four stages of two BasicBlocks
    # with Conv3DSimple; 1x1x1 projections with BN where channels change; Linear 512 -> classes), so
    # the counts agree exactly. What differs holds no parameters: block 4 keeps stride 1 (Fig. 1's
    # modified Res3D), where r3d_18's layer3 has stride 2.
    assert _count(net) == _count(reference) == 33_166_272 + 512 * 249 + 249
    assert len(net.state_dict()) == len(reference.state_dict())
    small = _small("Res3D [29]").eval()
    with torch.no_grad():  # 16 x 48 x 48: time / 4, space / 8 (block 4 keeps stride 1)
        assert small.feature_maps(torch.randn(1, 16, 3, 48, 48)).shape == (1, 64, 4, 6, 6)


# -- the bidirectional ConvLSTM ------------------------------------------------------------------


def test_backward_direction_reads_the_clip_in_reverse():
    torch.manual_seed(0)
    layer = BidirectionalConvLSTM(in_channels=3, hidden_channels=4)
    x = torch.randn(2, 5, 3, 6, 6)
    with torch.no_grad():
        out = layer(x)
        later = x.clone()
        later[:, -1] += 1.0  # change only the last step
        changed = layer(later)
    assert out.shape == (2, 5, 8, 6, 6)
    torch.testing.assert_close(changed[:, :4, :4], out[:, :4, :4])  # forward: steps 0-3 have not seen it
    assert not torch.allclose(changed[:, 4, :4], out[:, 4, :4])
    assert not torch.allclose(changed[:, 0, 4:], out[:, 0, 4:])  # backward: step 0 has read the last frame
    # with the directions' weights swapped, the reversed clip gives the same maps, halves swapped
    mirrored = BidirectionalConvLSTM(in_channels=3, hidden_channels=4)
    mirrored.forward_direction.load_state_dict(layer.backward_direction.state_dict())
    mirrored.backward_direction.load_state_dict(layer.forward_direction.state_dict())
    with torch.no_grad():
        flipped = mirrored(x.flip(1)).flip(1)
    torch.testing.assert_close(flipped[:, :, :4], out[:, :, 4:])
    torch.testing.assert_close(flipped[:, :, 4:], out[:, :, :4])


def test_biconvlstm_network_structure_and_time_order():
    net = _small("3DCNN+BiConvLSTM+2DCNN [8]").eval()
    assert isinstance(net, BiConvLSTMNet)
    first, second = net.convlstm
    assert first.forward_direction.cell.in_channels == 32  # Res3D's 256 / 8
    assert second.forward_direction.cell.in_channels == second.backward_direction.cell.in_channels == 16
    assert [d.kind for d in (first.forward_direction, first.backward_direction)] == ["convlstm", "convlstm"]
    assert net.mobilenet.blocks[0][0][0].in_channels == 16  # 2 x 8 channels from the two directions
    clip = torch.randn(1, 8, 3, 32, 32)
    with torch.no_grad():
        assert not torch.allclose(net(clip), net(clip.flip(1)))
    with torch.device("meta"):
        full = build_table2_network("3DCNN+BiConvLSTM+2DCNN [8]", num_classes=249)
    assert full.convlstm[1].forward_direction.cell.in_channels == 512 and full.mobilenet.out_channels == 1024
