"""`poisontui security`: the security curve on the command line, checked against the runs it is made of."""

import csv
import io
import json

import numpy as np
import pytest

from poisontui.cli import main
from poisontui.engine.experiment import Config, run_experiment

ARGS = ["security", "--dataset", "breast-cancer", "--ratios", "0.03,0.05", "--seeds", "2", "--jobs", "1"]


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def curve_json():
    import contextlib

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(ARGS + ["--format", "json"]) == 0
    return json.loads(buffer.getvalue())


def _from_scratch(attack: str, ratio: float, seed: int) -> dict:
    result = run_experiment(Config.from_dict({
        "dataset": {"name": "breast-cancer"}, "attack": {"name": attack, "params": {"ratio": ratio}},
        "mitigations": [{"name": "sphere-slab"}], "seed": seed}))
    return {row["name"]: row for row in result.rows}


def test_the_json_curve_holds_mean_and_sd_of_single_runs_under_the_plain_and_adapted_attacks(curve_json):
    curve = curve_json
    assert (curve["plain"], curve["adapted"], curve["seeds"]) == ("gradient-injection", "adaptive-injection", 2)
    assert curve["config"]["ratios"] == [0.03, 0.05] and curve["defence"]["name"] == "sphere-slab"
    assert [(p["ratio"], p["attack"]) for p in curve["points"]] == [
        (0.03, "plain"), (0.05, "plain"), (0.03, "adapted"), (0.05, "adapted")]
    for point in curve["points"]:
        runs = [_from_scratch(point["attack_name"], point["ratio"], seed) for seed in (0, 1)]
        defended = [r["sphere-slab"]["accuracy"] for r in runs]
        recall = [r["sphere-slab"]["detection_recall"] for r in runs]
        poisoned = [r["poisoned"]["accuracy"] for r in runs]
        assert point["n"] == 2
        assert point["accuracy_mean"] == pytest.approx(np.mean(defended))
        assert point["accuracy_std"] == pytest.approx(np.std(defended, ddof=1))
        assert point["detection_recall_mean"] == pytest.approx(np.mean(recall))
        assert point["poisoned_accuracy_mean"] == pytest.approx(np.mean(poisoned))
    # The picture the curve exists to show: the plain attack is caught, the adapted one is not.
    for point in curve["points"]:
        if point["attack"] == "plain":
            assert point["detection_recall_mean"] >= 0.8
        else:
            assert point["detection_recall_mean"] <= 0.2


def test_csv_markdown_and_table_say_what_the_json_says(capsys, curve_json):
    code, out, _ = run_cli(capsys, *ARGS, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(curve_json["points"])
    for row, point in zip(rows, curve_json["points"]):
        assert (float(row["ratio"]), row["attack"]) == (point["ratio"], point["attack"])
        assert float(row["accuracy_mean"]) == pytest.approx(point["accuracy_mean"], abs=1e-6)
        assert float(row["detection_recall_std"]) == pytest.approx(point["detection_recall_std"], abs=1e-6)
    code, out, _ = run_cli(capsys, *ARGS, "--format", "markdown")
    first = curve_json["points"][0]
    assert f"| 0.03 | plain (gradient-injection) | {first['poisoned_accuracy_mean']:.3f} ± " in out
    code, out, _ = run_cli(capsys, *ARGS)
    assert "security of sphere-slab: breast-cancer" in out
    assert f"{curve_json['points'][-1]['accuracy_mean']:.3f} ± {curve_json['points'][-1]['accuracy_std']:.3f}" in out


def test_a_curve_file_reruns_with_its_defence_grid_and_seeds(capsys, tmp_path, curve_json):
    path = tmp_path / "curve.json"
    path.write_text(json.dumps(curve_json))
    code, out, err = run_cli(capsys, "security", "--config", str(path), "--jobs", "1", "--format", "json")
    assert code == 0, err
    again = json.loads(out)
    assert again["points"] == curve_json["points"] and again["config"] == curve_json["config"]
    assert again["defence"] == curve_json["defence"]


@pytest.mark.parametrize("args, message", [
    (["--defence", "trim"], "error: unknown defence with an adapted attack 'trim'; choose from "),
    (["--defence", "sphere-slab:quantile=7"], "error: sphere-slab: quantile must be between 0.5 and 1, not 7"),
    (["--ratios", "0:x"], "error: ratios must be like 0,0.1,0.2 or 0:0.4:0.05, not '0:x'"),
    (["--ratios", ""], "error: the ratio grid is empty"),
    (["--ratios", "0.5,0.6"], "error: ratio must be between 0 and 0.5, not 0.6"),
    (["--seeds", "two"], "error: --seeds must be a whole number, not 'two'"),
    (["--dataset", "nope"], "error: unknown dataset 'nope'"),
])
def test_bad_input_is_one_line_and_status_2(capsys, args, message):
    code, out, err = run_cli(capsys, "security", *args)
    assert code == 2 and out == ""
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_the_attack_and_mitigations_are_not_options_the_defence_decides_them(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["security", "--attack", "label-flip"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --attack label-flip" in capsys.readouterr().err


def test_an_existing_out_file_is_kept(capsys, tmp_path):
    path = tmp_path / "curve.json"
    path.write_text("mine")
    code, _, err = run_cli(capsys, "security", "--out", str(path))
    assert code == 2 and "already exists; pass --force" in err and path.read_text() == "mine"


def test_sigterm_during_a_security_curve_stops_quietly_with_no_partial_output(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "curve.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "poisontui", "security", "--dataset", "breast-cancer", "--seeds", "100",
         "--jobs", "2", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(6)  # long enough for the worker pool to be busy; the curve itself takes minutes
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_the_zscore_filter_has_a_curve_too_and_its_parameters_reach_the_adapted_attack(capsys):
    from poisontui.engine.security import security_sweeps

    code, out, err = run_cli(capsys, "security", "--dataset", "breast-cancer", "--defence",
                             "zscore-filter:threshold=3", "--ratios", "0.05", "--seeds", "1", "--jobs", "1",
                             "--format", "json")
    assert code == 0, err
    curve = json.loads(out)
    assert (curve["plain"], curve["adapted"]) == ("gradient-injection", "adaptive-zscore-injection")
    assert curve["defence"] == {"name": "zscore-filter", "params": {"threshold": 3.0}}
    points = {p["attack"]: p for p in curve["points"]}
    assert points["adapted"]["detection_recall_mean"] == 0 < points["plain"]["detection_recall_mean"]
    (_, plain), (_, adapted) = security_sweeps(Config.from_dict({"dataset": {"name": "breast-cancer"}}),
                                               curve["defence"], [0.05], 1, 1)
    assert plain.experiment.attack == {"name": "gradient-injection", "params": {}}
    assert adapted.experiment.attack == {"name": "adaptive-zscore-injection", "params": {"threshold": 3.0}}


def test_a_curve_files_defence_is_the_one_rerun(capsys, tmp_path, curve_json):
    path = tmp_path / "curve.json"
    saved = dict(curve_json, defence={"name": "zscore-filter", "params": {"threshold": 3.0}},
                 config=dict(curve_json["config"], ratios=[0.05], seeds=1))
    path.write_text(json.dumps(saved))
    code, out, err = run_cli(capsys, "security", "--config", str(path), "--jobs", "1", "--format", "json")
    assert code == 0, err
    again = json.loads(out)
    assert again["defence"] == saved["defence"] and again["adapted"] == "adaptive-zscore-injection"
    assert [(p["ratio"], p["attack"]) for p in again["points"]] == [(0.05, "plain"), (0.05, "adapted")]
