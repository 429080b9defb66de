import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from poisontui.cli import main
from poisontui.engine.mitigations import MITIGATIONS


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_run_with_no_options_is_the_article(capsys):
    from test_experiment import article_script_accuracy

    code, out, err = run_cli(capsys, "run", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["poisoned_count"] == 70
    assert result["results"][0]["accuracy"] == article_script_accuracy()
    config = result["config"]
    assert (config["dataset"], config["model"], config["attack"]) == (
        {"name": "synthetic", "params": {}}, {"name": "logreg", "params": {}},
        {"name": "label-flip", "params": {"ratio": 0.1}})
    assert (config["seed"], config["data_seed"], config["test_size"]) == (0, 42, 0.3)


def test_the_article_preset_runs_one_mitigation_of_each_family_over_seeds():
    from poisontui.engine.experiment import Config
    from poisontui.engine.mitigations import FAMILIES

    config = Config.from_preset("article")
    families = [MITIGATIONS[spec["name"]].family for spec in config.mitigations]
    assert sorted(families) == sorted(FAMILIES) and config.seeds > 1


def test_mitigation_all_runs_every_mitigation(capsys):
    code, out, _ = run_cli(capsys, "run", "--mitigation", "all", "--format", "json")
    rows = json.loads(out)["results"]
    assert code == 0 and [r["name"] for r in rows[2:]] == list(MITIGATIONS)
    for row in rows:
        assert {"accuracy", "macro_f1", "recall", "confusion", "fit_seconds", "rows_dropped",
                "detection_precision", "recovered", "attack_success"} <= set(row)


def test_options_override_the_preset(capsys):
    code, out, _ = run_cli(capsys, "run", "--preset", "diagnosis", "--ratio", "0.2", "--mitigation",
                           "knn-sanitize:k=7", "--seed", "3", "--format", "json")
    result = json.loads(out)
    assert code == 0
    assert result["config"]["attack"]["params"] == {"ratio": 0.2, "source": "malignant", "target": "benign"}
    assert result["config"]["mitigations"] == [{"name": "knn-sanitize", "params": {"k": 7}}]
    assert result["config"]["seed"] == 3 and result["focus_class"] == "malignant"
    assert result["poisoned_count"] == int(0.2 * 149)  # 149 malignant rows in the training split


def test_config_file_reproduces_a_json_result(capsys, tmp_path):
    out_file = tmp_path / "result.json"
    code, _, err = run_cli(capsys, "run", "--preset", "stop-sign", "--out", str(out_file))
    assert code == 0 and "wrote" in err
    first = json.loads(out_file.read_text())
    code, out, err = run_cli(capsys, "run", "--config", str(out_file), "--format", "json")
    again = json.loads(out)

    def strip(payload):
        return [{k: v for k, v in row.items() if k != "fit_seconds"} for row in payload["results"]]

    assert strip(first) == strip(again)
    assert err == f"{out_file}: the rerun reproduced every number in it\n"
    first["results"][1]["accuracy"] = 0.1
    out_file.write_text(json.dumps(first))
    code, _, err = run_cli(capsys, "run", "--config", str(out_file), "--format", "json")
    assert code == 0 and err == (f"{out_file}: the rerun's numbers differ from the file's (another version of "
                                 f"poisontui or scikit-learn, or options given here?)\n")


def test_run_config_refuses_a_malformed_result_as_load_does(capsys, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"config": {}, "results": [1, 2]}))
    for args in (["run", "--config", str(path)], ["--load", str(path)]):
        code, _, err = run_cli(capsys, *args)
        assert code == 2 and err == f"error: {path}: 'results' must be a list of rows, each an object with a name\n"


def test_an_empty_ratio_grid_is_refused(capsys):
    code, out, err = run_cli(capsys, "sweep", "--ratios", "")
    assert code == 2 and out == "" and err == "error: the ratio grid is empty\n"


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_text_formats(capsys, fmt):
    code, out, _ = run_cli(capsys, "run", "--preset", "diagnosis", "--format", fmt)
    assert code == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["name"] for r in rows][:2] == ["clean", "poisoned"] and "recall[malignant]" in rows[0]
    else:
        assert "label-issues" in out and "malignant" in out


def test_table_fits_80_columns(capsys, monkeypatch):
    monkeypatch.setattr("poisontui.cli._terminal_width", lambda: 80)
    code, out, _ = run_cli(capsys, "run", "--preset", "diagnosis", "--mitigation", "all")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out


def test_out_refuses_to_overwrite_without_force(capsys, tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("keep me")
    code, _, err = run_cli(capsys, "run", "--out", str(target))
    assert code == 2 and "already exists" in err and target.read_text() == "keep me"
    code, _, _ = run_cli(capsys, "run", "--out", str(target), "--force")
    assert code == 0 and target.read_text().startswith("name,family")


def test_list_json_describes_every_parameter(capsys):
    code, out, _ = run_cli(capsys, "list", "--format", "json")
    catalogue = json.loads(out)
    assert code == 0
    assert {m["name"] for m in catalogue["mitigations"]} == set(MITIGATIONS)
    ratio = next(p for p in catalogue["attacks"][0]["params"] if p["name"] == "ratio")
    assert {"type", "default", "min", "max", "help"} <= set(ratio)
    assert {p["name"] for p in catalogue["presets"]} == {"article", "stop-sign", "diagnosis", "backdoor"}
    assert [p["name"] for p in catalogue["data_file"]["params"]] == ["missing", "sample"]


def test_list_table(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and "Differential privacy" in out and "knn-sanitize" in out
    # Every parameter's type starts in the same column, the longest name (min_samples_leaf) included.
    rows = [line for line in out.splitlines() if line.startswith("      ") and " default " in line]
    assert len({line.index(" int ") if " int " in line else line.index(" float ") if " float " in line else
                None for line in rows} - {None}) == 1


def test_list_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    import fcntl
    import os

    read, write = os.pipe()
    fcntl.fcntl(write, 1031, 4096)  # F_SETPIPE_SZ: a small pipe, so the listing cannot fit in it
    process = subprocess.Popen([sys.executable, "-m", "poisontui", "list"], stdout=write, stderr=subprocess.PIPE,
                               text=True, cwd=tmp_path)
    os.close(write)
    os.read(read, 100)  # like `head -c 100`: read a little, then go away
    os.close(read)
    _, err = process.communicate(timeout=60)
    assert "Traceback" not in err and "Error" not in err
    assert process.returncode in (0, 141)


BAD_INPUTS = [
    (["--data", "{missing}"], "no such file"),
    (["--data", "{empty}"], "empty"),
    (["--data", "{text}"], "column 'b', line 3: 'x' is not a number"),
    (["--data", "{nan}"], "not a finite number"),
    (["--data", "{one_class}"], "one class only"),
    (["--data", "{tiny_class}"], "class 'c' has only 1 row"),
    (["--data", "{good}", "--label", "nope"], "no label column 'nope'"),
    (["--dataset", "moon"], "unknown dataset 'moon' (did you mean 'moons'?)"),
    (["--model", "logreg:C=-1"], "C must be between"),
    (["--model", "knn:n_neighbors=many"], "must be a whole number"),
    (["--attack", "label-flip:ratio=1.5"], "ratio must be between 0 and 0.9"),
    (["--ratio", "lots"], "--ratio must be a number"),
    (["--attack", "targeted-flip", "--ratio", "1"], "leaves one class only"),
    (["--mitigation", "isolation-forrest"], "did you mean 'isolation-forest'"),
    (["--config", "{good}"], "not valid JSON"),
    (["--seed", "-1"], "seed must be between 0 and 4294967295, not -1"),
    (["--dataset", "synthetic:n_informative=30"], "must not exceed n_features"),
    (["--data", "{huge}"], "column 'b', line 2: 1e+308 is too large to compute with"),
    (["--data", "{good}", "--missing", "guess"], "missing must be one of impute, drop"),
    (["--data", "{good}", "--sample", "-5"], "sample must be between 0 and"),
    (["--data", "{good}", "--ignore", "b,c"], "--ignore names no column 'c'"),
    (["--features", "a"], "--features applies to a data file given with --data"),
    (["--data", "{good}", "--attack", "targeted-flip:source=²"], "unknown class '²'"),
    (["--data", "{good}", "--focus", "z"], "focus class: unknown class 'z'; classes are a, b"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS)
def test_bad_input_gives_exit_2_and_one_line(capsys, tmp_path, args, message):
    files = {
        "missing": tmp_path / "missing.csv",
        "empty": tmp_path / "empty.csv",
        "text": tmp_path / "text.csv",
        "nan": tmp_path / "nan.csv",
        "one_class": tmp_path / "one.csv",
        "tiny_class": tmp_path / "tiny.csv",
        "good": tmp_path / "good.csv",
        "huge": tmp_path / "huge.csv",
    }
    body = "".join(f"{i},{i * 2},{'a' if i % 2 else 'b'}\n" for i in range(20))
    files["empty"].write_text("")
    files["text"].write_text("a,b,y\n1,2,a\n3,x,b\n" + body)
    files["nan"].write_text("a,b,y\n" + body + "1,inf,a\n")
    files["one_class"].write_text("a,b,y\n" + "".join(f"{i},{i},a\n" for i in range(10)))
    files["tiny_class"].write_text("a,b,y\n" + body + "1,2,c\n")
    files["good"].write_text("a,b,y\n" + body)
    files["huge"].write_text("a,b,y\n1,1e308,a\n" + body)
    args = [a.format(**files) for a in args]
    code, out, err = run_cli(capsys, "run", *args)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err and out == ""


def test_subprocess_entry_points_never_show_a_traceback(tmp_path):
    bad = subprocess.run([sys.executable, "-m", "poisontui", "run", "--data", str(tmp_path / "nope.csv")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr == f"error: {tmp_path / 'nope.csv'}: no such file\n"
    listed = subprocess.run(["poisontui", "list", "--format", "json"], capture_output=True, text=True)
    assert listed.returncode == 0 and json.loads(listed.stdout)["presets"]


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name, label, classes, inputs", [
    ("penguins.csv", "species", ["Adelie", "Chinstrap", "Gentoo"], 10),
    ("seattle-weather.csv", None, ["drizzle", "fog", "rain", "snow", "sun"], 6),
])
def test_teaching_datasets_run_as_they_come(capsys, name, label, classes, inputs):
    args = ["run", "--data", str(DATA / name), "--format", "json", "--mitigation", "knn-sanitize"]
    code, out, err = run_cli(capsys, *args, *(["--label", label] if label else []))
    assert code == 0, err
    result = json.loads(out)
    assert result["dataset"]["classes"] == classes and result["dataset"]["features"] == inputs
    assert {c["role"] for c in result["dataset"]["columns"]} >= {"label", "numeric"}
    assert result["results"][0]["accuracy"] > 0.7
    # What was decided about the columns is said once, on stderr.
    assert err.count(f"{name}: ") == 1 and "label     " in err and f"{inputs} model inputs" in err


def test_file_options_reach_the_config_and_a_rerun(capsys, tmp_path):
    out_file = tmp_path / "r.json"
    code, _, err = run_cli(capsys, "run", "--data", str(DATA / "penguins.csv"), "--label", "species", "--ignore",
                           "year,island", "--missing", "drop", "--sample", "200", "--attack",
                           "targeted-flip:source=adelie,target=Gentoo", "--focus", "ADELIE", "--out", str(out_file))
    assert code == 0, err
    first = json.loads(out_file.read_text())
    config, dataset = first["config"], first["dataset"]
    assert (config["ignore"], config["missing"], config["sample"]) == (["year", "island"], "drop", 200)
    assert dataset["sampled_rows"] == 200 and dataset["rows_dropped_missing"] > 0
    assert dataset["train_rows"] + dataset["test_rows"] == 200 - dataset["rows_dropped_missing"]
    assert first["focus_class"] == "Adelie" and first["poisoned_count"] > 0
    code, out, _ = run_cli(capsys, "run", "--config", str(out_file), "--format", "json")
    again = json.loads(out)
    assert [r["accuracy"] for r in again["results"]] == [r["accuracy"] for r in first["results"]]


def test_labels_1_and_1_0_are_one_class_and_nan_labels_are_dropped(capsys, tmp_path):
    rows = "".join(f"{i % 7},{(i % 2) * 3 + i / 100},{['0', '1.0', '0.0', '1'][i % 4]}\n" for i in range(80))
    path = tmp_path / "mixed.csv"
    path.write_text("a,b,y\n" + rows + "5,1,NaN\n")
    code, out, err = run_cli(capsys, "run", "--data", str(path), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["dataset"]["classes"] == ["0", "1"] and result["dataset"]["rows_without_label"] == 1


def test_sigterm_during_a_sweep_stops_quietly_with_no_partial_output(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "sweep.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "poisontui", "sweep", "--dataset", "breast-cancer", "--mitigation", "label-issues",
         "--seeds", "100", "--jobs", "2", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(6)  # long enough for the worker pool to be busy; the sweep itself takes minutes
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_the_headline_names_the_attack_parameters_left_at_their_defaults(capsys):
    from poisontui.engine.attacks import ATTACKS

    ratio = ATTACKS["targeted-flip"].param("ratio").default
    code, out, _ = run_cli(capsys, "run", "--attack", "targeted-flip", "--dataset", "synthetic:n_samples=300")
    assert code == 0 and f"attack targeted-flip (ratio={ratio})" in out


@pytest.mark.parametrize("args, message", [
    (["sweep", "--format", "markdown"], "argument --format: invalid choice: 'markdown'"),
    (["run", "--seed"], "argument --seed: expected one argument"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_argument_errors_are_one_line(capsys, args, message):
    with pytest.raises(SystemExit) as ended:
        main(args)
    err = capsys.readouterr().err
    assert ended.value.code == 2 and err.startswith(f"error: {message}") and err.count("\n") == 1


def test_slow_timings_keep_the_time_column_whole():
    from poisontui.report import seconds

    shown = [seconds(v) for v in (0.004, 9.994, 9.996, 18.24, 99.94, 99.96, 312.4)]
    assert shown == ["0.00", "9.99", "10.0", "18.2", "99.9", "100", "312"]
    assert all(len(seconds(v / 7)) <= 4 for v in range(0, 7 * 9999, 97))
