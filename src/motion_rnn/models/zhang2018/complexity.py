r"""Parameter sizes, Mult-Adds and training time of the ConvLSTM cells: Zhang et al. 2018, Table 1's
"Parameter Size" and "Mult-Adds" columns (eqs. 7, 16, 20, 24).

Three ways of counting, kept apart:

* **The paper's parameter size** (:func:`paper_parameter_size`): the cell's weights with biases
  ignored (footnote 3), counted from the module's own parameters; never typed in. The paper's
  formulas (:func:`paper_formula_parameter_size`) are kept only to check it.
* **PyTorch's count** (:func:`torch_parameter_count`): every parameter, biases included.
* **Mult-Adds.** Table 1's column is the parameter size times the 28 x 28 map:
  4.719M x 784 = 3699M ("3700M"), 0.529M x 784 = 414.7M ("415M"), 0.667M x 784 = 522.8M
  ("522M"), 0.601M x 784 = 471.5M ("472M"): :func:`paper_mult_adds`, equal to the column within
  a fraction of a percent. That convention treats every weight as used once per position.
  :func:`measured_mult_adds` instead counts the multiply-adds a step actually performs, with
  ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs / 2). The two differ because

  - variant (a)'s fully connected gates (eqs. 10-12) run once per step on the pooled vectors,
    not once per position: ``3 C_out (C_in + C_out)`` multiply-adds instead of ``H W`` times
    that. This is most of (a)-(d)'s weights, so their measured cost is far below the paper's
    (for (a) at the paper's shape 107M, not 415M; ConvLSTM's 3699M is the same both ways);
  - the attention score maps are convolutions like any other and are counted both ways, but
    the FLOP counter ignores the elementwise work (tanh, exp, softmax, the products of
    eqs. 5-6, 19, 22 and the spatial means), as does the paper;
  - the counter, like the paper, charges every output position a full K x K window, padding
    included, and ignores biases.

:func:`time_training_step` measures forward + backward time per step (the benchmark script
``benchmarks/bench_convlstm_cells.py`` prints it for all five cells).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from motion_rnn.models.zhang2018.convlstm import CELL_KINDS, CELL_LABELS, ConvLSTM, ConvLSTMCellBase, make_cell
from motion_rnn.timing import fastest_of_each

PAPER_EQUATIONS: dict[str, str] = {"convlstm": "eq. 7", "a": "eq. 16", "b": "eq. 20", "c": "eq. 24", "d": "eq. 24"}
"""The equation of the paper that gives each cell's parameter size."""


def _is_bias(name: str) -> bool:
    return name.rsplit(".", 1)[-1] == "bias"


def paper_parameter_size(cell: nn.Module) -> int:
    """The paper's parameter size: the number of weights of ``cell``, biases ignored (footnote 3)."""
    return sum(p.numel() for name, p in cell.named_parameters() if not _is_bias(name))


def torch_parameter_count(module: nn.Module) -> int:
    """PyTorch's own count: every parameter of ``module``, biases included."""
    return sum(p.numel() for p in module.parameters())


def paper_formula_parameter_size(kind: str, *, in_channels: int, hidden_channels: int, kernel_size: int) -> int:
    """The paper's formula for the parameter size of ``kind`` (eqs. 7, 16, 20, 24), biases ignored.

    Used only to check :func:`paper_parameter_size`, which counts the modules' weights.
    """
    k2, c_in, c_out = kernel_size * kernel_size, in_channels, hidden_channels
    if kind not in CELL_KINDS:
        raise ValueError(f"unknown cell kind {kind!r}; choose one of: {', '.join(map(repr, CELL_KINDS))}")
    if kind == "convlstm":
        return k2 * (c_in + c_out) * c_out * 4  # eq. 7
    size_a = (k2 + c_out * 4) * (c_in + c_out)  # eq. 16
    if kind == "a":
        return size_a
    if kind == "b":
        return size_a + k2 * (c_in + c_out * 2) + (c_in + c_out) * c_out  # eq. 20
    return size_a + k2 * (c_in + c_out * 2) + c_out * c_out  # eq. 24 (c and d)


def paper_mult_adds(cell: nn.Module, height: int = 28, width: int = 28) -> int:
    """Table 1's Mult-Adds convention: the paper's parameter size times the ``height x width`` map."""
    return paper_parameter_size(cell) * height * width


def measured_mult_adds(cell: ConvLSTMCellBase, *, height: int = 28, width: int = 28, batch: int = 1) -> int:
    """Multiply-adds one recurrent step of ``cell`` performs on ``batch`` maps of ``height x width``.

    Counted by ``FlopCounterMode`` (its FLOPs / 2: convolutions and matrix products; elementwise
    operations are not counted) for one forward step from a random non-zero state. With the
    default ``batch=1`` this is the per-sample cost, comparable with :func:`paper_mult_adds`.
    """
    parameter = next(cell.parameters())
    options = dict(dtype=parameter.dtype, device=parameter.device)
    generator = torch.Generator(device=parameter.device).manual_seed(0)
    x = torch.randn(batch, cell.in_channels, height, width, generator=generator, **options)
    h, c = (torch.randn(batch, cell.hidden_channels, height, width, generator=generator, **options) for _ in range(2))
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        cell(x, (h, c))
    return counter.get_total_flops() // 2


def complexity_table(
    *, in_channels: int = 256, hidden_channels: int = 256, kernel_size: int = 3, height: int = 28, width: int = 28
) -> pd.DataFrame:
    """All five cells side by side, one row a cell (defaults: the paper's Table 1 setting).

    Columns: ``kind, label, equation, paper_formula`` (the paper's equation evaluated),
    ``paper_parameter_size`` (counted from the modules; equals ``paper_formula``),
    ``torch_parameter_count`` (with biases), ``paper_mult_adds``, ``measured_mult_adds`` (one
    step, one sample), and each Mult-Adds figure as a ratio ConvLSTM / cell.
    """
    rows = []
    for kind in CELL_KINDS:
        torch.manual_seed(0)
        cell = make_cell(kind, in_channels=in_channels, hidden_channels=hidden_channels, kernel_size=kernel_size)
        rows.append(
            {
                "kind": kind,
                "label": CELL_LABELS[kind],
                "equation": PAPER_EQUATIONS[kind],
                "paper_formula": paper_formula_parameter_size(
                    kind, in_channels=in_channels, hidden_channels=hidden_channels, kernel_size=kernel_size
                ),
                "paper_parameter_size": paper_parameter_size(cell),
                "torch_parameter_count": torch_parameter_count(cell),
                "paper_mult_adds": paper_mult_adds(cell, height, width),
                "measured_mult_adds": measured_mult_adds(cell, height=height, width=width),
            }
        )
    table = pd.DataFrame(rows)
    for column in ("paper_mult_adds", "measured_mult_adds"):
        table[column.replace("mult_adds", "ratio")] = table[column].iloc[0] / table[column]
    return table


def time_training_step(kind: str, **shape) -> float:
    """Seconds per recurrent step of forward + backward through one :class:`ConvLSTM` layer of ``kind``.

    :func:`time_training_steps` for one cell; ``shape``: its keywords.
    """
    return time_training_steps((kind,), **shape)[kind]


def time_training_steps(
    kinds: Sequence[str],
    *,
    batch: int = 2,
    steps: int = 8,
    device: str | torch.device = "cpu",
    repeats: int = 3,
    in_channels: int = 256,
    hidden_channels: int = 256,
    kernel_size: int = 3,
    height: int = 28,
    width: int = 28,
    gate_activation: str = "sigmoid",
) -> dict[str, float]:
    """Seconds per recurrent step of forward + backward through one :class:`ConvLSTM` layer of each kind.

    Each layer runs over the same ``(batch, steps, in_channels, height, width)`` clip,
    backpropagates the sum of its outputs, and is divided by ``steps``; one untimed warm-up run
    each, then the fastest of ``repeats`` timed runs, the cells taking turns
    (:func:`motion_rnn.timing.fastest_of_each`: noise from other work on the machine only ever
    adds time, and a slow spell falls on every cell), so their ratios are measured side by side.
    Defaults: the paper's shape (C_in = C_out = 256, K = 3, 28 x 28 maps).
    """
    device = torch.device(device)
    x = torch.randn(batch, steps, in_channels, height, width, generator=torch.Generator().manual_seed(0)).to(device)

    def step(kind: str):
        torch.manual_seed(0)
        layer = ConvLSTM(
            kind,
            in_channels=in_channels,
            hidden_channels=hidden_channels,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
        ).to(device)

        def run() -> None:
            layer.zero_grad(set_to_none=True)
            layer(x).sum().backward()

        return run

    seconds = fastest_of_each({kind: step(kind) for kind in kinds}, repeats=repeats, device=device)
    return {kind: s / steps for kind, s in seconds.items()}
