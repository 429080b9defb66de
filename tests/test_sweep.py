import csv
import io
import json

import pytest

import poisontui.engine.sweep as sweep_module
from poisontui.cli import main
from poisontui.engine.errors import Cancelled, InputError
from poisontui.engine.experiment import Config
from poisontui.engine.sweep import Cell, SweepConfig, parse_ratios, run_sweep, sort_cells, summarise


def small_sweep(**kwargs) -> SweepConfig:
    experiment = Config.from_dict({"dataset": {"name": "breast-cancer"}, "mitigations": [{"name": "knn-sanitize"}]})
    return SweepConfig(experiment, kwargs.pop("ratios", [0.1, 0.3]), seeds=kwargs.pop("seeds", 2), **kwargs)


def records(cells):
    return [{k: v for k, v in r.items() if k != "fit_seconds"} for c in sort_cells(cells) for r in c.records()]


def test_parse_ratios():
    assert parse_ratios("0,0.1, 0.2") == [0.0, 0.1, 0.2]
    assert parse_ratios("0:0.4:0.05") == pytest.approx([0.05 * i for i in range(9)])
    assert parse_ratios("0.2,0.1,0.2") == [0.1, 0.2]
    for bad, message in [("", "empty"), ("a,b", "must be like"), ("0:1", "must be like"),
                         ("0.4:0:0.1", "start <= stop")]:
        with pytest.raises(InputError, match=message):
            parse_ratios(bad)


def test_summary_maths_on_a_hand_computed_case():
    def row(name, acc, asr=None):
        return {"name": name, "accuracy": acc, "attack_success": asr, "focus_recall": None}

    cells = [
        Cell(0.1, 0, [row("clean", 0.9), row("poisoned", 0.8, 0.5)]),
        Cell(0.1, 1, [row("clean", 0.9), row("poisoned", 0.6, 0.7)]),
        Cell(0.1, 2, [row("clean", 0.9), row("poisoned", 0.7, 0.6)]),
        Cell(0.2, 0, [row("clean", 0.9), row("poisoned", 0.5, 0.9)]),
    ]
    summary = {(e["ratio"], e["name"]): e for e in summarise(cells)}
    poisoned = summary[(0.1, "poisoned")]
    assert poisoned["n"] == 3
    assert poisoned["accuracy_mean"] == pytest.approx(0.7)
    assert poisoned["accuracy_std"] == pytest.approx(0.1)  # sample std of 0.8, 0.6, 0.7
    assert (poisoned["accuracy_min"], poisoned["accuracy_max"]) == (0.6, 0.8)
    assert poisoned["attack_success_mean"] == pytest.approx(0.6)
    assert summary[(0.2, "poisoned")]["accuracy_std"] == 0.0
    assert "attack_success_mean" not in summary[(0.1, "clean")]
    assert [e["name"] for e in summarise(cells)][:2] == ["clean", "poisoned"]


def test_results_do_not_depend_on_the_number_of_jobs():
    one = list(run_sweep(small_sweep(jobs=1)))
    two = list(run_sweep(small_sweep(jobs=2)))
    assert len(one) == len(two) == 4
    assert records(one) == records(two)


def test_the_clean_model_is_trained_once_per_seed(monkeypatch):
    calls = []
    original = sweep_module.train_clean

    def counting(config, cache=None):
        calls.append(config.seed)
        return original(config, cache)

    monkeypatch.setattr(sweep_module, "train_clean", counting)
    cells = list(run_sweep(small_sweep(jobs=1, ratios=[0.1, 0.2, 0.3], seeds=3)))
    assert len(cells) == 9 and sorted(calls) == [0, 1, 2]
    clean = {(c.seed, r["accuracy"]) for c in cells for r in c.rows if r["name"] == "clean"}
    assert len({seed for seed, _ in clean}) == 3


def test_cancel_stops_the_sweep():
    seen = []
    with pytest.raises(Cancelled):
        for cell in run_sweep(small_sweep(jobs=1, ratios=[0.1, 0.2, 0.3]), is_cancelled=lambda: len(seen) >= 2):
            seen.append(cell)
    assert len(seen) == 2


def test_progress_counts_clean_models_and_cells():
    ticks = []
    list(run_sweep(small_sweep(jobs=1), progress=lambda done, total, label: ticks.append((done, total))))
    assert ticks[-1] == (6, 6)


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_comes_from_inside_each_cell(jobs):
    experiment = Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 4000}},
                                   "mitigations": [{"name": "label-issues"}]})
    ticks = []
    list(run_sweep(SweepConfig(experiment, [0.1, 0.2], seeds=2, jobs=jobs),
                   progress=lambda done, total, label: ticks.append((done, total, label))))
    done = [d for d, _, _ in ticks]
    assert done == sorted(done) and ticks[-1][:2] == (6, 6)
    inside = [(d, label) for d, _, label in ticks if ", seed " in label and ": " in label]
    # The first cell runs in the sweep's own process, the others (with two jobs) in workers, which
    # send a cell's first step and then at most ten steps a second.
    assert {label.split(": ")[0] for _, label in inside} == {"ratio 0.1, seed 0", "ratio 0.2, seed 0",
                                                            "ratio 0.1, seed 1", "ratio 0.2, seed 1"}
    assert any(d != int(d) for d, _ in inside)
    assert any("mitigating: label-issues: folds" in label for _, label in inside)


def test_cancel_is_heard_inside_a_workers_cell():
    experiment = Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 4000}},
                                   "mitigations": [{"name": "label-issues"}]})
    heard, answered_yes, cells = [], [], []

    def progress(done, total, label):
        if label.startswith(("ratio 0.2, seed 0: ", "ratio 0.1, seed 1: ")):  # cells computed by workers
            heard.append(label)

    def is_cancelled():
        if heard:
            answered_yes.append(True)
        return bool(heard)

    with pytest.raises(Cancelled):
        for cell in run_sweep(SweepConfig(experiment, [0.1, 0.2, 0.3], seeds=2, jobs=2), progress=progress,
                              is_cancelled=is_cancelled):
            cells.append(cell)
    # The first "yes" ends the sweep: the report that carried it is not swallowed on its way.
    assert heard and len(answered_yes) == 1 and len(cells) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"ratios": []}, "empty"),
    ({"ratios": [0.1, 1.5]}, "ratio must be between"),
    ({"seeds": 0}, "seeds must be between 1 and 100"),
    ({"ratios": [i / 100 for i in range(90)], "seeds": 50}, "4500 cells"),
    ({"backend": "dask"}, "needs a scheduler address"),
    ({"backend": "spark"}, "backend must be one of local, dask"),
])
def test_bad_sweeps_are_refused_before_any_work(kwargs, message):
    with pytest.raises(InputError, match=message):
        small_sweep(**kwargs).validate()


def test_a_grid_finer_than_the_data_is_refused():
    with pytest.raises(InputError, match="both poison .* use a coarser grid"):
        list(run_sweep(small_sweep(ratios=[0.1, 0.1001])))


def test_sweep_config_round_trips_through_json():
    sweep = small_sweep(jobs=2)
    again = SweepConfig.from_dict(json.loads(json.dumps(sweep.to_dict())))
    assert again.to_dict() == sweep.to_dict()


def test_dask_backend_matches_local_results():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster:
        remote = list(run_sweep(small_sweep(backend="dask", scheduler=cluster.scheduler_address)))
    assert records(remote) == records(list(run_sweep(small_sweep(jobs=1))))


def test_unreachable_scheduler_is_one_clear_error(capsys):
    pytest.importorskip("dask.distributed")
    code = main(["sweep", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--seeds", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")


def test_cli_sweep_formats(capsys, tmp_path):
    base = ["sweep", "--dataset", "breast-cancer", "--ratios", "0,0.2", "--seeds", "2", "--jobs", "1",
            "--mitigation", "label-issues"]
    assert main([*base, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"config", "cells", "summary"}
    assert len(out["cells"]) == 2 * 2 * 3
    assert {"ratio", "seed", "name", "accuracy"} <= set(out["cells"][0])
    assert {"ratio", "name", "accuracy_mean", "accuracy_std", "accuracy_min", "accuracy_max"} <= set(out["summary"][0])
    target = tmp_path / "cells.csv"
    assert main([*base, "--out", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 12 and rows[0]["name"] == "clean"
    assert main([*base]) == 0
    table = capsys.readouterr().out
    assert "accuracy mean ± std" in table and "label-issues" in table


def test_cli_sweep_bad_input(capsys):
    assert main(["sweep", "--ratios", "0:9"]) == 2
    assert "ratios must be like" in capsys.readouterr().err
    assert main(["sweep", "--seeds", "many"]) == 2
    assert "--seeds must be a whole number" in capsys.readouterr().err


def test_sweep_config_file_brings_its_grid(capsys, tmp_path):
    out = tmp_path / "sweep.json"
    assert main(["sweep", "--ratios", "0.1,0.3", "--seeds", "2", "--jobs", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["sweep", "--config", str(out), "--jobs", "1", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["config"]["ratios"] == [0.1, 0.3] and again["config"]["seeds"] == 2
    first = json.loads(out.read_text())
    assert [{k: v for k, v in c.items() if k != "fit_seconds"} for c in first["cells"]] == \
        [{k: v for k, v in c.items() if k != "fit_seconds"} for c in again["cells"]]


def _niceness() -> int:
    import os

    return os.nice(0)


def test_a_sweeps_workers_take_the_sweeps_priority():
    """Workers may be forked by a fork server that runs at the app's priority; they take the sweep's."""
    import multiprocessing
    import os

    wanted = os.nice(0) + 5
    with multiprocessing.get_context("spawn").Pool(1, initializer=sweep_module._worker_init,
                                                   initargs=(None, None, wanted)) as pool:
        assert pool.apply(_niceness) == wanted
