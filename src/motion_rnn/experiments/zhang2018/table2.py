"""Zhang et al.'s Table 2: every network we can build, trained on each modality of IsoGD.

A row of the runner is one network on one modality. Besides its accuracy, variant (a)'s rows keep
what Fig. 3 shows: the fused feature map of the second ConvLSTM layer over the recurrent steps, for
the first validation video, in the channel with the largest activation sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from motion_rnn.experiments.zhang2018.table2_settings import Table2Settings
from motion_rnn.experiments.zhang2018.training import fit_and_score
from motion_rnn.models.zhang2018.table2_networks import TABLE2_ROWS, build_table2_network
from motion_rnn.reproducibility import seed_everything
from motion_rnn.statistics import ItemScores, classification_scores

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext

CONVLSTM, VARIANT_A = TABLE2_ROWS[-2], TABLE2_ROWS[-1]
RES3D = "Res3D [29]"
PARAMETERS = "Parameters (ours, trained network)"


def rows(settings: Table2Settings, source: Source) -> list[dict]:
    """A row a network and modality, modality by modality in the paper's column order."""
    return [
        {"name": f"{network} | {source.facts['columns'][modality]}", "network": network, "modality": modality}
        for modality in source.facts["modalities"]
        for network in TABLE2_ROWS
    ]


def train_network(
    row: Mapping, source: Source, settings: Table2Settings, context: RowContext, params: RunParameters
) -> dict:
    """Train ``row["network"]`` on ``row["modality"]``; return its validation accuracy and outcomes."""
    train_set, val_set = source.payload[row["modality"]]
    generator = seed_everything(params.seed)
    model = build_table2_network(
        row["network"],
        num_classes=source.facts["num_classes"],
        width=settings.width,
        convlstm_channels=settings.convlstm_channels,
        mobilenet_norm_after_depthwise=settings.mobilenet_norm_after_depthwise,
    )
    result = fit_and_score(
        model, train_set, val_set, settings, context, params, generator=generator, description=row["name"]
    )
    if row["network"] == VARIANT_A:
        transform = val_set.transform  # to undo its mean subtraction and scaling for the picture
        result["fused_map"] = fused_feature_map(
            model, val_set[0], mean=float(transform.mean[0]), scale=float(transform.scale), device=params.device
        )
    return result


@torch.no_grad()
def fused_feature_map(model: torch.nn.Module, item: Mapping, *, mean: float, scale: float, device) -> dict:
    """Fig. 3: the second ConvLSTM layer's output on one clip, in its most active channel.

    Returns ``maps`` (steps, h, w), the channel's activations scaled to 0..255 over the clip;
    ``frames`` (steps, H, W), the first input frame of each step (its first channel, with the data
    set's ``(pixel - mean) * scale`` undone, 0..255); ``channel`` and ``channels``; ``video_id`` and ``label``.
    """
    model.eval()
    captured = {}
    handle = model.convlstm[-1].register_forward_hook(lambda module, args, output: captured.update(x=output))
    clip = item["clip"].unsqueeze(0).to(device)
    try:
        model(clip)
    finally:
        handle.remove()
    fused = captured["x"][0].float().cpu()  # (steps, C, h, w)
    # "The feature map which has the largest activation sum among the 256 channels is visualized."
    channel = int(fused.sum(dim=(0, 2, 3)).argmax())
    maps = fused[:, channel].numpy()
    low, high = float(maps.min()), float(maps.max())
    scaled = np.round(255 * (maps - low) / (high - low if high > low else 1.0)).astype(int)
    steps = maps.shape[0]
    picks = np.minimum(np.arange(steps) * clip.shape[1] // steps, clip.shape[1] - 1)
    frames = item["clip"][picks, 0].numpy()
    frames = np.clip(np.round(frames / scale + mean), 0, 255).astype(int)
    return {
        "maps": scaled.tolist(),
        "frames": frames.tolist(),
        "channel": channel,
        "channels": int(fused.shape[1]),
        "video_id": str(item["video_id"]),
        "label": int(item["label"]),
    }


def cells(runs: pd.DataFrame, source: Source, settings: Table2Settings) -> pd.DataFrame:
    """Our accuracy in the paper's cells, and each trained network's parameter count."""
    columns = source.facts["columns"]
    out = [(r.network, columns[r.modality], r.accuracy, "%") for r in runs.itertuples()]
    counts = runs.drop_duplicates("network")
    out += [(r.network, PARAMETERS, r.parameters_trained_network / 1e6, "M") for r in counts.itertuples()]
    return pd.DataFrame(out, columns=["row", "column", "ours", "unit"])


def item_scores(runs: pd.DataFrame, source: Source, settings: Table2Settings) -> dict[tuple[str, str], ItemScores]:
    """Each network's outcome on each validation video of each modality (one seed)."""
    columns = source.facts["columns"]
    return {
        (r.network, columns[r.modality]): classification_scores(r.items["predicted"], r.items["target"])
        for r in runs.itertuples()
    }
