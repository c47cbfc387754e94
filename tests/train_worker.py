"""A small training run in its own process, for the tests of distributed training and of resuming
a killed run (``tests/test_distributed_and_resume.py``).

    python tests/train_worker.py OUT.json [--checkpoint PATH] [--slow SECONDS]
    torchrun --nproc-per-node 2 tests/train_worker.py OUT.json

Trains a two-layer perceptron (no batch norm, no dropout: nothing that differs between one
process and several but the order of floating-point sums) with SGD and a per-update schedule, and
writes the history and the final weights to OUT.json (rank 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from torch import nn
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).parent))
from toy_data import Blobs  # noqa: E402

from motion_rnn import distributed  # noqa: E402
from motion_rnn.execution import Execution, executing  # noqa: E402
from motion_rnn.reproducibility import seed_everything  # noqa: E402
from motion_rnn.train import FitConfig, fit  # noqa: E402


class SlowBlobs(Blobs):
    """Blobs that take ``delay`` seconds an item, so that a run can be killed half-way through an epoch."""

    def __init__(self, n: int, seed: int, delay: float):
        super().__init__(n, seed)
        self.delay = delay

    def __getitem__(self, i):
        time.sleep(self.delay)
        return super().__getitem__(i)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--checkpoint-minutes", type=float, default=10.0)
    args = parser.parse_args()
    distributed.init_from_environment()
    generator = seed_everything(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
    train = DataLoader(SlowBlobs(96, 1, args.slow), batch_size=8, shuffle=True, generator=generator)
    val = DataLoader(Blobs(32, 2), batch_size=16)
    config = FitConfig(epochs=3, lr=0.05, optimizer="sgd", lr_schedule="poly", final_lr=1e-3)
    with executing(Execution(checkpoint_minutes=args.checkpoint_minutes)):
        result = fit(
            model,
            train,
            config=config,
            val_loader=val,
            input_key="features",
            progress=False,
            checkpoint_path=args.checkpoint,
            checkpoint_key="toy",
        )
    if distributed.is_main():
        weights = {k: v.tolist() for k, v in model.state_dict().items()}
        args.out.write_text(json.dumps({"history": result.history.to_dict(orient="list"), "weights": weights}))
    distributed.shutdown()


if __name__ == "__main__":
    main()
