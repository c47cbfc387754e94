"""Parameter sizes and Mult-Adds of Table 1 (Zhang et al. 2018, eqs. 7, 16, 20, 24)."""

from __future__ import annotations

import pytest
import torch

from motion_rnn.models.zhang2018 import (
    CELL_KINDS,
    CELL_LABELS,
    complexity_table,
    make_cell,
    measured_mult_adds,
    paper_formula_parameter_size,
    paper_mult_adds,
    paper_parameter_size,
    time_training_step,
    torch_parameter_count,
)
from motion_rnn.reference import paper_table_wide

PAPER = dict(in_channels=256, hidden_channels=256, kernel_size=3)
PAPER_SIZES = {"convlstm": 4_718_592, "a": 528_896, "b": 666_880, "c": 601_344, "d": 601_344}


@pytest.fixture(scope="module")
def paper_cells():
    torch.manual_seed(0)
    return {kind: make_cell(kind, **PAPER) for kind in CELL_KINDS}


@pytest.fixture(scope="module")
def table1():
    return paper_table_wide("zhang2018", "table1")


def test_paper_sizes_to_the_digit(paper_cells, table1):
    for kind, cell in paper_cells.items():
        assert paper_parameter_size(cell) == PAPER_SIZES[kind]
        assert paper_formula_parameter_size(kind, **PAPER) == PAPER_SIZES[kind]
        # Table 1 prints millions to three decimals
        assert round(paper_parameter_size(cell) / 1e6, 3) == table1.loc[CELL_LABELS[kind], "Parameter Size"]


@pytest.mark.parametrize(
    "in_channels, hidden_channels, kernel_size",
    [(1, 1, 1), (3, 5, 1), (8, 4, 3), (16, 32, 5), (7, 6, 7), (256, 128, 3)],
)
@pytest.mark.parametrize("kind", CELL_KINDS)
def test_module_weights_follow_the_formulas(kind, in_channels, hidden_channels, kernel_size):
    sizes = dict(in_channels=in_channels, hidden_channels=hidden_channels, kernel_size=kernel_size)
    cell = make_cell(kind, **sizes)
    assert paper_parameter_size(cell) == paper_formula_parameter_size(kind, **sizes)


def test_pytorch_count_adds_the_biases(paper_cells):
    c = 256
    biases = {
        "convlstm": 4 * c,  # b_i, b_f, b_o, b_c
        "a": 4 * c,  # three pooled gates + candidate
        "b": 5 * c,  # + b_a of eq. 17
        "c": 4 * c,
        "d": 4 * c,
    }  # two pooled gates + candidate + b_i (or b_o) of eq. 21
    for kind, cell in paper_cells.items():
        assert torch_parameter_count(cell) == PAPER_SIZES[kind] + biases[kind]


def test_paper_mult_adds_follow_table1_within_half_a_percent(paper_cells, table1):
    for kind, cell in paper_cells.items():
        ours = paper_mult_adds(cell) / 1e6
        assert ours == PAPER_SIZES[kind] * 28 * 28 / 1e6
        assert ours == pytest.approx(table1.loc[CELL_LABELS[kind], "Mult-Adds"], rel=5e-3)


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_measured_mult_adds_count_each_operation_once(kind):
    c_in, c_out, k, h, w = 6, 5, 3, 7, 4
    k2, hw, cat = k * k, h * w, c_in + c_out
    separable = (k2 * cat + cat * c_out) * hw  # one separable conv from [X, H]
    expected = {
        "convlstm": k2 * cat * 4 * c_out * hw,  # = eq. 7 x H x W
        "a": separable + 3 * c_out * cat,  # gates once per step
        "b": 2 * separable + k2 * c_out * hw + 3 * c_out * cat,  # + attention features and W_z
        "c": 2 * separable + (k2 * c_out + c_out * c_out) * hw + 2 * c_out * cat,
        "d": 2 * separable + (k2 * c_out + c_out * c_out) * hw + 2 * c_out * cat,
    }[kind]
    cell = make_cell(kind, in_channels=c_in, hidden_channels=c_out, kernel_size=k)
    assert measured_mult_adds(cell, height=h, width=w) == expected
    assert measured_mult_adds(cell, height=h, width=w, batch=3) == 3 * expected
    if kind == "convlstm":
        assert expected == paper_mult_adds(cell, h, w)
    else:
        assert expected < paper_mult_adds(cell, h, w)


def test_complexity_table_at_the_papers_setting():
    table = complexity_table()
    assert list(table["kind"]) == list(CELL_KINDS)
    assert {
        "kind",
        "label",
        "paper_parameter_size",
        "torch_parameter_count",
        "paper_mult_adds",
        "measured_mult_adds",
        "paper_ratio",
        "measured_ratio",
    } <= set(table.columns)
    assert (table["paper_formula"] == table["paper_parameter_size"]).all()
    assert list(table["paper_parameter_size"]) == [PAPER_SIZES[k] for k in CELL_KINDS]
    by_kind = table.set_index("kind")
    assert by_kind.loc["a", "paper_ratio"] == pytest.approx(8.92, abs=0.01)  # 3700M / 415M
    assert by_kind.loc["convlstm", "measured_mult_adds"] == by_kind.loc["convlstm", "paper_mult_adds"]
    assert by_kind.loc["a", "measured_mult_adds"] == 106_766_336  # 107M, not 415M
    assert by_kind.loc["a", "measured_ratio"] > by_kind.loc["a", "paper_ratio"]


def test_time_training_step_returns_seconds_per_step():
    seconds = time_training_step("a", batch=1, steps=2, repeats=1, in_channels=2, hidden_channels=3, height=4, width=4)
    assert 0 < seconds < 5


def test_formula_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="'convlstm', 'a'"):
        paper_formula_parameter_size("e", in_channels=1, hidden_channels=1, kernel_size=1)
