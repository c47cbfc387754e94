"""Training time per step of the five ConvLSTM cells of Zhang et al. 2018, Table 1.

Forward + backward through one recurrent layer at the paper's shape (C_in = C_out = 256, 3 x 3
kernels, 28 x 28 maps), beside the paper's Mult-Adds ratio (e.g. 3700M / 415M = 8.9x for
variant (a)) and the ratio of the multiply-adds a step really performs.

    python benchmarks/bench_convlstm_cells.py [--device cpu|cuda] [--batch 2] [--steps 8] [--repeats 3]
                                              [--out results/benchmarks/convlstm_cells.csv]

``--out`` writes the measurement with the machine it was taken on (a measurement, not a
reproducible number); the book's benchmarks page reads the committed one. ``--profile a`` also
runs one cell's training step under ``torch.profiler`` and lists where its time goes, by operator
(written beside ``--out`` as ``<out>.profile_<kind>.csv``): where a cell's time does not shrink
with its multiply-adds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import torch

import motion_rnn  # noqa: F401
from motion_rnn.device import describe, resolve_device
from motion_rnn.models.zhang2018 import CELL_KINDS, ConvLSTM, complexity_table, time_training_steps


def profile_training_step(
    kind: str, *, batch: int, steps: int, device: torch.device, repeats: int, **shape
) -> pd.DataFrame:
    """Self time of each operator in a training step of one cell: ``op, shapes, seconds, share``.

    An operator is listed once for each set of input shapes (a depthwise and a pointwise
    convolution are both ``aten::convolution_backward``; their weights' shapes tell them apart);
    ``seconds`` is the mean over ``repeats`` steps.

    ``shape``: ``in_channels``, ``hidden_channels``, ``kernel_size``, ``gate_activation``, ``height``, ``width``.
    """
    from torch.profiler import ProfilerActivity, profile

    height, width = shape.pop("height"), shape.pop("width")
    torch.manual_seed(0)
    layer = ConvLSTM(kind, **shape).to(device)
    x = torch.randn(batch, steps, shape["in_channels"], height, width, device=device)

    def run() -> None:
        layer.zero_grad(set_to_none=True)
        layer(x).sum().backward()

    run()  # warm-up
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities, record_shapes=True) as prof:
        for _ in range(repeats):
            run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    device_time = "self_device_time_total" if device.type == "cuda" else "self_cpu_time_total"
    rows = [
        {"op": e.key, "shapes": str(e.input_shapes), "seconds": getattr(e, device_time) / 1e6 / repeats}
        for e in prof.key_averages(group_by_input_shape=True)
    ]
    frame = pd.DataFrame(rows).query("seconds > 0").sort_values("seconds", ascending=False, ignore_index=True)
    frame["share"] = frame["seconds"] / frame["seconds"].sum()
    return frame


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (default: cpu)")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=8, help="time steps per clip (Table 1's network: 8)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per cell; the fastest counts")
    parser.add_argument("--channels", type=int, default=256, help="C_in = C_out (paper: 256)")
    parser.add_argument("--size", type=int, default=28, help="map height = width (paper: 28)")
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's choice)")
    parser.add_argument("--gate-activation", default="sigmoid", choices=("sigmoid", "hard_sigmoid"))
    parser.add_argument("--out", type=Path, default=None, help="CSV file to write the measurement to")
    parser.add_argument("--profile", choices=CELL_KINDS, default=None, help="also list where this cell's time goes")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    shape = dict(in_channels=args.channels, hidden_channels=args.channels, kernel_size=args.kernel_size)
    table = complexity_table(**shape, height=args.size, width=args.size).set_index("kind")
    run = dict(
        batch=args.batch,
        steps=args.steps,
        device=device,
        repeats=args.repeats,
        height=args.size,
        width=args.size,
        gate_activation=args.gate_activation,
        **shape,
    )
    seconds = time_training_steps(CELL_KINDS, **run)

    print(f"device: {describe(device)}; torch {torch.__version__}")
    print(
        f"C_in = C_out = {args.channels}, K = {args.kernel_size}, {args.size} x {args.size} maps, "
        f"batch {args.batch}, {args.steps} steps, fastest of {args.repeats} runs taken in turns; forward + backward"
    )
    header = (
        f"{'cell':<12} {'ms/step':>9} {'speed-up':>9} {'params':>10} {'paper MAdds':>12} {'paper x':>8}"
        f" {'measured MAdds':>15} {'measured x':>11}"
    )
    print(header)
    print("-" * len(header))
    for kind in CELL_KINDS:
        row = table.loc[kind]
        print(
            f"{row['label']:<12} {seconds[kind] * 1e3:>9.2f} {seconds['convlstm'] / seconds[kind]:>8.2f}x"
            f" {row['paper_parameter_size'] / 1e6:>9.3f}M {row['paper_mult_adds'] / 1e6:>11.1f}M"
            f" {row['paper_ratio']:>7.2f}x {row['measured_mult_adds'] / 1e6:>14.1f}M {row['measured_ratio']:>10.2f}x"
        )
    print(
        "paper MAdds: parameter size x H x W (Table 1's convention); measured: one step, one sample, "
        "counted by torch.utils.flop_counter (x = ConvLSTM / cell)."
    )
    if args.out is not None:
        rows = [
            {
                "device": describe(device),
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "batch": args.batch,
                "steps": args.steps,
                "channels": args.channels,
                "size": args.size,
                "kernel_size": args.kernel_size,
                "repeats": args.repeats,
                "kind": kind,
                "cell": table.loc[kind, "label"],
                "ms_per_step": seconds[kind] * 1e3,
                "speedup_vs_convlstm": seconds["convlstm"] / seconds[kind],
                "measured_mult_adds": table.loc[kind, "measured_mult_adds"],
                "measured_ratio": table.loc[kind, "measured_ratio"],
                "paper_ratio": table.loc[kind, "paper_ratio"],
            }
            for kind in CELL_KINDS
        ]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False, float_format="%.6g")
        print(f"written: {args.out}")
    if args.profile is not None:
        ops = profile_training_step(args.profile, **run)
        print(f"\nwhere the time of {table.loc[args.profile, 'label']}'s training step goes (self time by operator):")
        for op in ops.head(12).itertuples():
            print(f"  {op.op:<30} {op.seconds * 1e3:>8.2f} ms {op.share:>6.1%}  {op.shapes[:70]}")
        if args.out is not None:
            path = args.out.with_name(f"{args.out.stem}.profile_{args.profile}.csv")
            ops.to_csv(path, index=False, float_format="%.6g")
            print(f"written: {path}")


if __name__ == "__main__":
    main()
