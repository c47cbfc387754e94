"""Training throughput of each chapter's main model at the ``full`` profile's shape, against the machine's peak.

For readers who will train the ``full`` profile on a GPU: how many samples a second one training step
(forward, cross-entropy, backward, Adam step) of each chapter's main model processes at the paper's
shape, what fraction of the machine's measured matmul peak its model FLOPs reach, and whether the data
loader of the heaviest input pipeline (Zhang's Jester clips) keeps up with training.

* Peak: the fastest of several ``torch.mm`` of two N x N float32 matrices after a warm-up,
  2 N^3 / seconds (N = 4096 on CUDA, 2048 on the CPU, 256 with ``--quick``). TF32 stays as PyTorch
  sets it: off for matmuls, so the peak is float32's, but on for cuDNN's convolutions, so on an
  Ampere or later GPU a convolutional model's fraction of that peak can pass 1 (column ``tf32``).
* Training: one step at each model's batch (warm-up, then the fastest of ``--repeats``).
  FLOPs: forward + backward of that step, counted by ``torch.utils.flop_counter.FlopCounterMode``
  on the meta device (shapes only, nothing computed), because on CUDA cuDNN's fused RNN kernels and
  on the CPU oneDNN's LSTM are opaque to the counter; a model whose forward needs real data (packed
  sequences) is counted on the CPU with oneDNN off. The Adam step's FLOPs are not counted.
* Loading: samples a second of a ``DataLoader`` over ``JesterDataset`` on a synthetic set written to a
  temporary folder (the second pass over it, so the page cache is warm), at Zhang's clip shape and
  batch, and its ratio to Zhang's training samples a second (above 1: the loader keeps up).

``--quick`` runs a tiny version of every model and input (a few seconds on one CPU thread): a check
that the benchmark runs, not a measurement anyone should read. The figures are this machine's.

    python benchmarks/bench_training_throughput.py [--device cpu|cuda|auto] [--quick] [--repeats 3]
        [--threads N] [--models zhang2018 ...] [--workers 4] [--out _build/benchmarks/training_throughput.csv]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode

import motion_rnn  # noqa: F401
from motion_rnn.data.jester import JesterDataset
from motion_rnn.data.jester.synthetic import SYNTHETIC_CLASSES, write_synthetic_jester
from motion_rnn.device import describe, resolve_device
from motion_rnn.experiments.borg2019.settings import PRESETS as BORG_PRESETS
from motion_rnn.experiments.lakhal2018.settings import PRESETS as LAKHAL_PRESETS
from motion_rnn.experiments.leroux2017.settings import PRESETS as LEROUX_PRESETS
from motion_rnn.experiments.pigou2016.settings import PRESETS as PIGOU_PRESETS
from motion_rnn.experiments.zhang2018.settings import PRESETS as ZHANG_PRESETS
from motion_rnn.models.borg2019.head import PAPER_INPUT_SIZE, PAPER_NUM_CLASSES, PAPER_STEPS, SignDetectionHead
from motion_rnn.models.lakhal2018.res_lstm import StackedLSTM
from motion_rnn.models.leroux2017.recurrent import IMPROVED_BASELINE, build_skeleton_rnn
from motion_rnn.models.pigou2016.networks import NUM_CLASSES as PIGOU_CLASSES
from motion_rnn.models.pigou2016.networks import PAPER_WINDOWS, build_montalbano_model, framewise_cross_entropy
from motion_rnn.models.zhang2018.gesture_net import build_res3d_convlstm_mobilenet
from motion_rnn.timing import best_time

DEFAULT_OUT = Path("_build/benchmarks/training_throughput.csv")
MODELS = ("zhang2018", "pigou2016", "leroux2017", "lakhal2018", "borg2019")
JESTER_CLASSES = 27  # Zhang et al. train on Jester's 27 classes (Table 1)
NTU_JOINTS, NTU_CLASSES, LEROUX_STEPS = 25, 60, 100  # NTU RGB+D: 25 joints x 3 coordinates, 60 actions
UCF101_CLASSES = 101
LOADER_CLIPS = 200  # the full run's synthetic set: about this many training videos (one clip each)


class Case(NamedTuple):
    """One model at one shape: how to build it, its inputs and targets, and how to describe them."""

    model: str
    shape: str
    batch: int
    build: Callable[[], nn.Module]
    inputs: Callable[[torch.device], Tensor]
    targets: Callable[[torch.device], Tensor]
    kwargs: Callable[[torch.device], dict] = lambda device: {}
    loss: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy


def _randn(*shape: int) -> Callable[[torch.device], Tensor]:
    return lambda device: torch.randn(*shape, device=device)


def _labels(classes: int, *shape: int) -> Callable[[torch.device], Tensor]:
    return lambda device: torch.randint(classes, shape, device=device)


def zhang_case(quick: bool) -> Case:
    """Fig. 1's Res3D + ConvLSTM + MobileNet with Table 1's variant (a) on Jester clips (Sec. 3.2)."""
    s = ZHANG_PRESETS["full"]
    width, channels = (1 / 16, 8) if quick else (s.width, s.convlstm_channels)
    b, t, size = (2, 4, 16) if quick else (s.batch_size, s.num_frames, s.size)
    return Case(
        model="zhang2018",
        shape=f"clips ({b}, {t}, 3, {size}, {size}) -> ({b}, {JESTER_CLASSES}); cell a, width {width:g}, "
        f"ConvLSTM {channels} channels",
        batch=b,
        build=lambda: build_res3d_convlstm_mobilenet(
            cell="a",
            num_classes=JESTER_CLASSES,
            width=width,
            convlstm_channels=channels,
            scale_convlstm_with_width=False,
            mobilenet_norm_after_depthwise=s.mobilenet_norm_after_depthwise,
        ),
        inputs=_randn(b, t, 3, size, size),
        targets=_labels(JESTER_CLASSES, b),
    )


def pigou_case(quick: bool) -> Case:
    """Table 2's Temp Conv + LSTM on RGB-D fragments (Sec. 4.1-4.2), one label a frame."""
    s = PIGOU_PRESETS["full"]
    width, size, t, b = (
        (1 / 16, 16, 8, 2) if quick else (s.width, s.frame_size, PAPER_WINDOWS["temp_conv_lstm"], s.batch_size)
    )
    return Case(
        model="pigou2016",
        shape=f"RGB-D fragments ({b}, {t}, 4, {size}, {size}) -> ({b}, {t}, {PIGOU_CLASSES}); width {width:g}; "
        "per-frame cross-entropy",
        batch=b,
        build=lambda: build_montalbano_model(
            "temp_conv_lstm", in_channels=4, frame_size=size, num_frames=t, width=width, dropout=s.dropout
        ),
        inputs=_randn(b, t, 4, size, size),
        targets=_labels(PIGOU_CLASSES, b, t),
        loss=framewise_cross_entropy,
    )


def leroux_case(quick: bool) -> Case:
    """Sec. 3.1.2's improved baseline (3 x 100 GRU) on NTU skeletons, lengths as the trainer passes them."""
    s = LEROUX_PRESETS["full"]
    config = dict(IMPROVED_BASELINE, hidden_size=8) if quick else dict(IMPROVED_BASELINE)
    b, t = (4, 10) if quick else (s.batch_size, LEROUX_STEPS)
    d = NTU_JOINTS * 3
    return Case(
        model="leroux2017",
        shape=f"skeletons ({b}, {t}, {d}) + lengths ({b},) all {t} -> ({b}, {NTU_CLASSES}); "
        f"{config['num_layers']} x {config['hidden_size']} {config['cell'].upper()}, last step",
        batch=b,
        build=lambda: build_skeleton_rnn(
            input_size=d, num_classes=NTU_CLASSES, dense_size=s.dense_size, per_step=False, **config
        ),
        inputs=_randn(b, t, d),
        targets=_labels(NTU_CLASSES, b),
        # pad_collate's lengths, int64 on the CPU (pack_padded_sequence wants them there)
        kwargs=lambda device: {"lengths": torch.full((b,), t, dtype=torch.long)},
    )


def lakhal_case(quick: bool) -> Case:
    """The residual stacked LSTM (eq. 1-2) on C3D fc6 features reduced by PCA to d_m = h (Sec. 4.1)."""
    s = LAKHAL_PRESETS["full"]
    width, t, b, depth = (16, 5, 4, s.depth) if quick else (s.width, s.time_steps, s.batch_size, s.depth)
    return Case(
        model="lakhal2018",
        shape=f"C3D fc6 features after PCA ({b}, {t}, {width}) -> ({b}, {UCF101_CLASSES}); "
        f"{depth} residual LSTM layers of {width}",
        batch=b,
        build=lambda: StackedLSTM(width, UCF101_CLASSES, hidden_size=width, depth=depth, residual=True),
        inputs=_randn(b, t, width),
        targets=_labels(UCF101_CLASSES, b),
    )


def borg_case(quick: bool) -> Case:
    """The sign-detection head (2-layer GRU of 256, BN, fc1 64) on VGG-16 fc1 codes (Sec. 4-5.1)."""
    s = BORG_PRESETS["full"]
    if quick:
        d, t, b, hidden, fc = 32, 5, 4, 16, 8
    else:
        d, t, b, hidden, fc = PAPER_INPUT_SIZE, PAPER_STEPS, s.batch_sizes[0], s.hidden, s.fc_units
    return Case(
        model="borg2019",
        shape=f"VGG-16 fc1 codes ({b}, {t}, {d}) -> ({b}, {PAPER_NUM_CLASSES}); {s.layers} x {hidden} {s.cell.upper()}, "
        f"fc1 {fc}",
        batch=b,
        build=lambda: SignDetectionHead(
            d,
            PAPER_NUM_CLASSES,
            cell=s.cell,
            num_layers=s.layers,
            hidden_size=hidden,
            fc_size=fc,
            rnn_dropout=s.rnn_dropout,
            dropout=s.dropout,
        ),
        inputs=_randn(b, t, d),
        targets=_labels(PAPER_NUM_CLASSES, b),
    )


CASES = {
    "zhang2018": zhang_case,
    "pigou2016": pigou_case,
    "leroux2017": leroux_case,
    "lakhal2018": lakhal_case,
    "borg2019": borg_case,
}


def matmul_peak(device: torch.device, n: int, repeats: int) -> tuple[float, float]:
    """(seconds, FLOP/s) of the fastest ``torch.mm`` of two n x n float32 matrices."""
    a, b = (torch.randn(n, n, device=device) for _ in range(2))
    seconds = best_time(lambda: torch.mm(a, b), repeats=repeats, device=device)
    return seconds, 2 * n**3 / seconds


def _step(model: nn.Module, optimiser: torch.optim.Optimizer, case: Case, x: Tensor, y: Tensor, kwargs: dict):
    optimiser.zero_grad(set_to_none=True)
    loss = case.loss(model(x, **kwargs), y)
    loss.backward()
    optimiser.step()


def count_flops(case: Case) -> tuple[float, str]:
    """Forward + backward FLOPs of one step of ``case`` and where they were counted ("meta" or "cpu")."""
    for where in ("meta", "cpu"):
        device = torch.device(where)
        try:
            torch.manual_seed(0)
            model = case.build().to(device).train()
            x, y, kwargs = case.inputs(device), case.targets(device), case.kwargs(device)
            with warnings.catch_warnings():  # switching oneDNN off warns about TF32 on Intel GPUs
                warnings.simplefilter("ignore", UserWarning)
                with torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
                    case.loss(model(x, **kwargs), y).backward()
            return float(counter.get_total_flops()), where
        except (NotImplementedError, RuntimeError):
            if where == "cpu":
                raise
    raise AssertionError("unreachable")


def training_throughput(case: Case, device: torch.device, *, repeats: int) -> dict:
    torch.manual_seed(0)
    model = case.build().to(device).train()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y, kwargs = case.inputs(device), case.targets(device), case.kwargs(device)
    seconds = best_time(lambda: _step(model, optimiser, case, x, y, kwargs), repeats=repeats, device=device)
    flops, counted_on = count_flops(case)
    return {
        "benchmark": "training_step",
        "model": case.model,
        "shape": case.shape,
        "batch": case.batch,
        "parameters": sum(p.numel() for p in model.parameters()),
        "samples_per_s": case.batch / seconds,
        "step_seconds": seconds,
        "flops_per_step": flops,
        "flops_per_s": flops / seconds,
        "flops_counted_on": counted_on,
    }


def loader_throughput(
    root: Path, *, num_frames: int, size: int, batch: int, workers: int, repeats: int
) -> tuple[float, int, int]:
    """(samples/s, clips a pass, videos): the fastest of ``repeats`` passes over the training split, after one untimed pass."""
    dataset = JesterDataset(root, "train", num_frames=num_frames, size=size, train=True)
    loader = DataLoader(
        dataset, batch_size=batch, shuffle=True, num_workers=workers, persistent_workers=workers > 0, drop_last=True
    )
    samples = (len(dataset) // batch) * batch

    def one_pass() -> None:
        for _ in loader:  # each batch is read, decoded, cropped and collated; nothing else is done with it
            pass

    seconds = best_time(one_pass, repeats=repeats)
    return samples / seconds, samples, len(dataset)


def data_loading(quick: bool, *, workers: int, repeats: int, training_rate: float) -> dict:
    """The row of Zhang's loader: a synthetic Jester set in a temporary folder, read at Zhang's clip shape."""
    s = ZHANG_PRESETS["full"]
    if quick:
        per_class, video_frames, video_size, num_frames, size, batch = 2, 8, 32, 4, 16, 2
    else:  # the full profile's synthetic videos (32 frames of 128 px), about LOADER_CLIPS of them
        per_class = math.ceil(LOADER_CLIPS / len(SYNTHETIC_CLASSES))
        video_frames, video_size, num_frames, size, batch = (
            s.video_frames,
            s.video_size,
            s.num_frames,
            s.size,
            s.batch_size,
        )
    with tempfile.TemporaryDirectory(prefix="bench_jester_") as folder:
        root = write_synthetic_jester(
            Path(folder) / "jester",
            videos_per_class=per_class,
            num_frames=video_frames,
            size=video_size,
            splits=("train",),
        )
        rate, clips, videos = loader_throughput(
            root, num_frames=num_frames, size=size, batch=batch, workers=workers, repeats=repeats
        )
    return {
        "benchmark": "data_loading",
        "model": "zhang2018",
        "shape": f"JesterDataset clips ({batch}, {num_frames}, 3, {size}, {size}), {clips} a pass, from {videos} "
        f"synthetic videos of {video_frames} JPEG frames at {video_size} px; {workers} workers; "
        "ratio to zhang2018's training step",
        "batch": batch,
        "samples_per_s": rate,
        "step_seconds": batch / rate,
        "loader_samples_per_s": rate,
        "loader_to_training_ratio": rate / training_rate,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (default: cpu)")
    parser.add_argument("--quick", action="store_true", help="tiny models and inputs: a check that it runs")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs; the fastest counts (3; quick: 1)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's choice)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS), help="a subset of the models")
    parser.add_argument("--workers", type=int, default=None, help="DataLoader workers (default 4; quick: 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"CSV to write (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.workers is None:
        args.workers = 0 if args.quick else 4
    if args.repeats < 1 or args.workers < 0:
        parser.error("--repeats must be >= 1 and --workers >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    machine = f"{describe(device)}; host {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"

    n = 256 if args.quick else (4096 if device.type == "cuda" else 2048)
    mm_seconds, peak = matmul_peak(device, n, repeats=max(3, args.repeats))
    rows = [
        {
            "benchmark": "matmul_peak",
            "model": "torch.mm",
            "shape": f"({n}, {n}) @ ({n}, {n}) float32",
            "step_seconds": mm_seconds,
            "flops_per_step": 2.0 * n**3,
            "flops_per_s": peak,
        }
    ]
    for name in args.models:
        case = CASES[name](args.quick)
        rows.append(training_throughput(case, device, repeats=args.repeats))
        print(f"{name}: {rows[-1]['samples_per_s']:.4g} samples/s", flush=True)

    if "zhang2018" in args.models:
        training_rate = next(r["samples_per_s"] for r in rows if r["model"] == "zhang2018")
        rows.append(data_loading(args.quick, workers=args.workers, repeats=args.repeats, training_rate=training_rate))

    table = pd.DataFrame(rows)
    table["peak_flops_per_s"] = table["flops_per_s"].notna().map({True: peak, False: math.nan})
    table["fraction_of_peak"] = table["flops_per_s"] / peak
    for column in ("samples_per_s", "loader_samples_per_s", "loader_to_training_ratio", "parameters"):
        if column not in table:
            table[column] = math.nan
    table = table.assign(
        device=str(device),
        machine=machine,
        torch=torch.__version__,
        threads=torch.get_num_threads(),
        tf32=f"matmul {torch.backends.cuda.matmul.allow_tf32}, cudnn {torch.backends.cudnn.allow_tf32}",
        repeats=args.repeats,
        quick=args.quick,
    )
    first = [
        "benchmark",
        "model",
        "shape",
        "device",
        "machine",
        "torch",
        "threads",
        "samples_per_s",
        "step_seconds",
        "flops_per_step",
        "flops_per_s",
        "peak_flops_per_s",
        "fraction_of_peak",
        "loader_samples_per_s",
        "loader_to_training_ratio",
    ]
    table = table[first + [c for c in table.columns if c not in first]]

    print(f"\ndevice: {machine}; torch {torch.__version__}; {torch.get_num_threads()} threads")
    shown = ["benchmark", "model", "samples_per_s", "step_seconds", "flops_per_step", "flops_per_s"]
    shown += ["fraction_of_peak", "loader_to_training_ratio"]
    print(table[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for row in table.itertuples():
        print(f"  {row.model}: {row.shape}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.6g")
    print(f"written: {args.out}")
    return table


if __name__ == "__main__":
    main()
