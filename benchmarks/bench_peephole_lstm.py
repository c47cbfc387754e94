"""Training time of the peephole LSTM of Pigou et al. 2016 (Sec. 3.2) beside ``torch.nn.LSTM``.

Forward + backward through one layer at the paper's size: 512 units (Sec. 4.2) reading the CNN's
2048 features a frame, over 64 frames (Sec. 4.2's fragments), mini-batch 32. ``torch.nn.LSTM``
has no peepholes and runs fused kernels; the ratio says what writing the cell out costs.

    python benchmarks/bench_peephole_lstm.py [--device cpu|cuda] [--batch 32] [--steps 64] [--repeats 3]
                                             [--out results/pigou2016/peephole_lstm.timing.csv]

``--out`` writes the measurement with the machine it was taken on (a measurement, not a
reproducible number).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import torch

import motion_rnn  # noqa: F401
from motion_rnn.device import describe, resolve_device
from motion_rnn.models.pigou2016.peephole_lstm import (
    PAPER_LSTM_UNITS,
    PAPER_SEQUENCE_LENGTH,
    time_peephole_lstm,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (default: cpu)")
    parser.add_argument("--batch", type=int, default=32, help="sequences a batch (paper: 32)")
    parser.add_argument("--steps", type=int, default=PAPER_SEQUENCE_LENGTH, help="frames (paper: 64)")
    parser.add_argument("--input-size", type=int, default=2048, help="CNN features a frame (paper: 2048)")
    parser.add_argument("--hidden-size", type=int, default=PAPER_LSTM_UNITS, help="LSTM units (paper: 512)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs a layer; the fastest counts")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's choice)")
    parser.add_argument("--out", type=Path, default=None, help="CSV file to write the measurement to")
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    timing = time_peephole_lstm(
        batch=args.batch,
        steps=args.steps,
        input_size=args.input_size,
        hidden_size=args.hidden_size,
        repeats=args.repeats,
        device=device,
    )
    print(f"device: {describe(device)}; torch {torch.__version__}")
    print(
        f"one layer, {args.input_size} -> {args.hidden_size} units, batch {args.batch}, {args.steps} steps, "
        f"forward + backward, fastest of {args.repeats} runs"
    )
    print(f"{'peephole LSTM (ours)':<22} {timing['peephole_lstm_s'] * 1e3:>9.1f} ms")
    print(f"{'torch.nn.LSTM':<22} {timing['torch_lstm_s'] * 1e3:>9.1f} ms")
    print(f"{'ratio ours / torch':<22} {timing['ratio']:>9.2f}x")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(
            [
                {
                    "device": describe(device),
                    "torch": torch.__version__,
                    "threads": torch.get_num_threads(),
                    "batch": args.batch,
                    "steps": args.steps,
                    "input_size": args.input_size,
                    "hidden_size": args.hidden_size,
                    "repeats": args.repeats,
                    "peephole_lstm_ms": timing["peephole_lstm_s"] * 1e3,
                    "torch_lstm_ms": timing["torch_lstm_s"] * 1e3,
                    "ratio": timing["ratio"],
                }
            ]
        ).to_csv(args.out, index=False, float_format="%.6g")
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
