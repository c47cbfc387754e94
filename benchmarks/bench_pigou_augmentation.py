"""How much the paper's augmentation slows learning in a run as short as Pigou et al.'s quick profile.

Trains the single-frame CNN (the cheapest of Table 1's networks) on the quick profile's synthetic
training sequences with the quick settings, once with the per-fragment augmentation of Sec. 4.2 and
once without, for the same number of updates from the same initial weights, and reports the mean
training loss (cross-entropy a frame) of the last tenth of the updates. The quick profile trains
without augmentation because of this measurement; the ``full`` profile keeps it.

    python benchmarks/bench_pigou_augmentation.py [--updates 3000] [--threads 1]
                                                  [--out results/pigou2016/augmentation_learning.csv]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import pandas as pd
import torch
from torch.utils.data import DataLoader

import motion_rnn  # noqa: F401
from motion_rnn.experiments.pigou2016.data import Splits, load_data
from motion_rnn.experiments.pigou2016.settings import PRESETS, Settings
from motion_rnn.models.pigou2016.networks import (
    build_montalbano_model,
    framewise_cross_entropy,
)
from motion_rnn.parameters import check_parameters
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, fit

MODEL = "single_frame"
PARTS = 10  # the run is cut into this many epochs; the last one's mean loss is reported


def training_loss(splits: Splits, settings: Settings, *, augment: bool, updates: int, seed: int) -> float:
    """Mean training loss over the last tenth of ``updates`` updates of the single-frame CNN."""
    settings = replace(settings, augment=augment, fragments_per_epoch=updates // PARTS * settings.batch_size)
    generator = seed_everything(seed)
    data = splits.fragments("train", train=True, length=1, settings=settings, seed=seed)
    model = build_montalbano_model(
        MODEL, in_channels=4, frame_size=settings.frame_size, width=settings.width, dropout=settings.dropout
    )
    loader = DataLoader(data, batch_size=settings.batch_size, shuffle=True, generator=generator, drop_last=True)
    config = FitConfig(
        epochs=PARTS,
        lr=settings.lr,
        optimizer="adam",
        lr_schedule="exponential",
        exponential_gamma=1 - settings.lr_decay,
    )
    result = fit(model, loader, config=config, loss_fn=framewise_cross_entropy, target_key="label", progress=False)
    return float(result.history["train_loss"].iloc[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000, help="updates a run (default 3000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's choice)")
    parser.add_argument("--out", type=Path, default=None, help="CSV file to write the two losses to")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    params = check_parameters(profile="quick", data="synthetic", seed=args.seed)
    settings = PRESETS["quick"]
    splits = load_data(params, settings)[0].payload
    rows = [
        {
            "model": MODEL,
            "augment": augment,
            "updates": args.updates,
            "train_loss": training_loss(splits, settings, augment=augment, updates=args.updates, seed=args.seed),
        }
        for augment in (True, False)
    ]
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out, index=False, float_format="%.4f")
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
