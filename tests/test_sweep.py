import json

import pytest

from motion_rnn.sweep import config_key, run_sweep


def test_rows_are_stored_and_reused(tmp_path):
    calls = []

    def run_one(config):
        calls.append(config["name"])
        return {"score": config["x"] * 2}

    configs = [{"name": "a", "x": 1}, {"name": "b", "x": 2}]
    first = run_sweep(configs, run_one, store_dir=tmp_path, progress=False)
    assert list(first["score"]) == [2, 4] and not first["reused"].any()
    second = run_sweep(configs, run_one, store_dir=tmp_path, progress=False)
    assert calls == ["a", "b"]  # nothing ran again
    assert second["reused"].all() and list(second["score"]) == [2, 4]


def test_interrupted_sweep_resumes_and_keeps_finished_rows(tmp_path):
    def failing(config):
        if config["name"] == "b":
            raise KeyboardInterrupt
        return {"score": 1}

    configs = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    with pytest.raises(KeyboardInterrupt):
        run_sweep(configs, failing, store_dir=tmp_path, progress=False)
    assert (tmp_path / f"{config_key(configs[0])}.json").exists()
    ran = []
    rows = run_sweep(configs, lambda c: ran.append(c["name"]) or {"score": 1}, store_dir=tmp_path, progress=False)
    assert ran == ["b", "c"] and list(rows["reused"]) == [True, False, False]


def test_changed_setting_is_a_new_row(tmp_path):
    run_sweep([{"name": "a", "seed": 0}], lambda c: {"s": 0}, store_dir=tmp_path, progress=False)
    rows = run_sweep([{"name": "a", "seed": 1}], lambda c: {"s": 1}, store_dir=tmp_path, progress=False)
    assert not rows["reused"].any() and len(list(tmp_path.glob("*.json"))) == 2


def test_damaged_row_file_runs_again(tmp_path):
    config = {"name": "a"}
    (tmp_path / f"{config_key(config)}.json").write_text("{not json")
    rows = run_sweep([config], lambda c: {"s": 3}, store_dir=tmp_path, progress=False)
    assert list(rows["s"]) == [3] and not rows["reused"].any()
    assert json.loads((tmp_path / f"{config_key(config)}.json").read_text())["result"] == {"s": 3}


def test_duplicate_configurations_are_refused(tmp_path):
    with pytest.raises(ValueError, match="identical"):
        run_sweep([{"a": 1}, {"a": 1}], lambda c: {}, store_dir=tmp_path, progress=False)
