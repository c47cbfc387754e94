"""The stored rows of a table (:func:`motion_rnn.sweep.run_rows`): kept, reused only when valid."""

import json

import pytest

from motion_rnn.sweep import MissingRowsError, config_key, row_key, run_rows

CODE, DATA = "code-1", "data-1"


def rows(configs, run_one, store, **kwargs):
    options = {"code": CODE, "data": DATA, "progress": False, **kwargs}
    return run_rows(configs, run_one, store_dir=store, **options)


def test_rows_are_stored_and_reused(tmp_path):
    calls = []

    def run_one(config, context):
        calls.append(config["name"])
        return {"score": config["x"] * 2}

    configs = [{"name": "a", "x": 1}, {"name": "b", "x": 2}]
    first = rows(configs, run_one, tmp_path, commit="abc123")
    assert list(first["score"]) == [2, 4] and not first["reused"].any()
    second = rows(configs, run_one, tmp_path)
    assert calls == ["a", "b"]  # nothing ran again
    assert second["reused"].all() and list(second["score"]) == [2, 4] and set(second["commit"]) == {"abc123"}
    stored = json.loads((tmp_path / f"{config_key(configs[0])}.json").read_text())
    assert stored["key"] == row_key(configs[0], code=CODE, data=DATA) and stored["commit"] == "abc123"


def test_the_context_names_the_checkpoint_by_the_row_key(tmp_path):
    seen = []
    rows([{"name": "a"}], lambda c, context: seen.append(context) or {}, tmp_path)
    assert seen[0].checkpoint == tmp_path / "checkpoints" / f"{seen[0].key}.pt"
    assert seen[0].key == row_key({"name": "a"}, code=CODE, data=DATA)


def test_interrupted_table_resumes_and_keeps_finished_rows(tmp_path):
    def failing(config, context):
        if config["name"] == "b":
            raise KeyboardInterrupt
        return {"score": 1}

    configs = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    with pytest.raises(KeyboardInterrupt):
        rows(configs, failing, tmp_path)
    assert (tmp_path / f"{config_key(configs[0])}.json").exists()
    ran = []
    done = rows(configs, lambda c, context: ran.append(c["name"]) or {"score": 1}, tmp_path)
    assert ran == ["b", "c"] and list(done["reused"]) == [True, False, False]


@pytest.mark.parametrize("change", [{"code": "code-2"}, {"data": "data-2"}])
def test_rows_of_other_code_or_data_are_trained_again_and_replaced(tmp_path, change):
    rows([{"name": "a"}], lambda c, context: {"s": 0}, tmp_path)
    again = rows([{"name": "a"}], lambda c, context: {"s": 1}, tmp_path, **change)
    assert not again["reused"].any() and list(again["s"]) == [1]
    assert len(list(tmp_path.glob("*.json"))) == 1  # replaced, not kept beside


def test_stored_only_reads_back_never_trains_and_marks_stale_rows(tmp_path):
    rows([{"name": "a"}, {"name": "b"}], lambda c, context: {"s": 0}, tmp_path)

    def never(config, context):
        raise AssertionError("stored_only must not train")

    same = rows([{"name": "a"}], never, tmp_path, stored_only=True)
    assert not same["stale"].any()
    stale = rows([{"name": "a"}, {"name": "b"}], never, tmp_path, stored_only=True, code="code-2")
    assert stale["stale"].all() and list(stale["s"]) == [0, 0]
    with pytest.raises(MissingRowsError, match="1 of 2 rows are not stored.*: c"):
        rows([{"name": "a"}, {"name": "c"}], never, tmp_path, stored_only=True)


def test_changed_setting_is_a_new_row(tmp_path):
    rows([{"name": "a", "seed": 0}], lambda c, context: {"s": 0}, tmp_path)
    again = rows([{"name": "a", "seed": 1}], lambda c, context: {"s": 1}, tmp_path)
    assert not again["reused"].any() and len(list(tmp_path.glob("*.json"))) == 2


def test_damaged_row_file_runs_again(tmp_path):
    config = {"name": "a"}
    (tmp_path / f"{config_key(config)}.json").write_text("{not json")
    done = rows([config], lambda c, context: {"s": 3}, tmp_path)
    assert list(done["s"]) == [3] and not done["reused"].any()
    assert json.loads((tmp_path / f"{config_key(config)}.json").read_text())["result"] == {"s": 3}


def test_duplicate_configurations_are_refused(tmp_path):
    with pytest.raises(ValueError, match="identical"):
        rows([{"a": 1}, {"a": 1}], lambda c, context: {}, tmp_path)
