"""Inputs that once raised a traceback or ran without bound: each now gets one `error:` line, exit 2."""

import pytest

from poisontui.cli import main
from poisontui.engine.attacks import resolve_class
from poisontui.engine.errors import InputError
from poisontui.engine.params import Param, whole_number


def expect_error(capsys, args, message):
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 2, out.err
    assert out.err.startswith("error: ") and message in out.err, out.err
    assert out.err.count("\n") == 1 and out.out == ""


NON_FINITE = [
    (["run", "--model", "knn:n_neighbors=nan"], "n_neighbors must be a whole number, not nan"),
    (["run", "--model", "knn:n_neighbors=inf"], "n_neighbors must be a whole number, not inf"),
    (["run", "--dataset", "synthetic:n_samples=1e400"], "n_samples must be a whole number, not inf"),
    (["run", "--dataset", "synthetic:n_samples=-inf"], "n_samples must be a whole number, not -inf"),
    (["run", "--dataset", "synthetic:n_samples=100000000"], "n_samples must be between 20 and 200000"),
    (["run", "--attack", "targeted-flip:source=²"], "unknown class '²'"),
    (["run", "--attack", "backdoor:target=١"], "unknown class '١'"),
]


@pytest.mark.parametrize("args, message", NON_FINITE)
def test_non_finite_numbers_and_odd_digits(capsys, args, message):
    expect_error(capsys, args, message)


def test_whole_number_params_refuse_nan_infinity_and_huge_json_numbers():
    k = Param("k", int, 5, "neighbours", 1, 100)
    for bad in (float("nan"), float("inf"), float("-inf"), "nan", "1e400"):
        with pytest.raises(InputError, match="whole number"):
            k.coerce(bad)
    with pytest.raises(InputError, match="between 1 and 100, not 1000000"):
        k.coerce(10**6)
    ratio = Param("ratio", float, 0.1, "share", 0.0, 1.0)
    with pytest.raises(InputError, match="finite number"):
        ratio.coerce(10**400)  # an integer JSON holds but a float cannot


def test_long_values_are_shortened_in_messages():
    k = Param("k", int, 5, "neighbours", 1, 100)
    with pytest.raises(InputError) as caught:
        k.coerce("x" * 100_000)
    assert len(str(caught.value)) < 120


def test_class_indexes_are_ascii_digits_only():
    assert whole_number("12") == 12 and whole_number("-1") == -1
    for odd in ("²", "١٢", "1_0", " 1", "", "-", "+1"):
        assert whole_number(odd) is None
    assert resolve_class("1", ["a", "b"], "t", 0) == 1
    with pytest.raises(InputError, match="unknown class '²'"):
        resolve_class("²", ["a", "b"], "t", 0)


def test_csv_label_given_as_a_superscript_digit(capsys, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i * 2},{'p' if i % 2 else 'q'}\n" for i in range(20)))
    expect_error(capsys, ["run", "--data", str(data), "--label", "²"], "no label column '²'")


GRIDS = [
    ("nan:1:0.1", "finite numbers"),
    ("0:inf:0.1", "finite numbers"),
    ("0:0.5:nan", "finite numbers"),
    ("0,nan", "finite numbers"),
    ("0:1e308:1e-308", "more than the 2000 ratios"),
    ("0:0.9:1e-9", "more than the 2000 ratios"),  # counted, never built: 900 million ratios
    ("0:0.5:5e-324", "more than the 2000 ratios"),
    (",".join(["0.1"] * 2001), "lists 2001 ratios"),
]


@pytest.mark.parametrize("grid, message", GRIDS)
def test_ratio_grids(capsys, grid, message):
    expect_error(capsys, ["sweep", "--ratios", grid, "--jobs", "1"], message)


SWEEP_FILES = [
    ('{"ratios": 5}', "ratios must be a list of numbers, not 5"),
    ('{"ratios": "0,0.1"}', "ratios must be a list of numbers"),
    ('{"ratios": [0.1, [0.2]]}', "ratio must be a number, not [0.2]"),
    ('{"ratios": [NaN]}', "ratio must be a finite number, not nan"),
    ('{"seeds": 1e400}', "seeds must be a whole number, not inf"),
    ('{"seeds": NaN}', "seeds must be a whole number, not nan"),
]


@pytest.mark.parametrize("fields, message", SWEEP_FILES)
def test_malformed_sweep_files(capsys, tmp_path, fields, message):
    path = tmp_path / "sweep.json"
    path.write_text('{"config": {"experiment": {"dataset": {"name": "iris"}}, ' + fields[1:] + "}")
    expect_error(capsys, ["sweep", "--config", str(path), "--jobs", "1"], message)


def test_sweep_config_checks_the_scheduler_type():
    from poisontui.engine.sweep import SweepConfig

    with pytest.raises(InputError, match="scheduler must be an address"):
        SweepConfig.from_dict({"experiment": {}, "ratios": [0.1], "backend": "dask", "scheduler": 5})


CONFIG_FILES = [
    ('{"data": 5}', "data must be the path of a data file or null, not 5"),
    ('{"label": 5}', 'label must be a column name or index, as text ("5") or null, not 5'),
    ('{"focus_class": [1]}', "focus_class must be a class name or null, not [1]"),
    ('{"seed": NaN}', "seed must be a whole number, not nan"),
    ('{"seed": 1e400}', "seed must be a whole number, not inf"),
    ('{"data_seed": -Infinity}', "data_seed must be a whole number, not -inf"),
    ('{"test_size": 1e400}', "test_size must be a finite number, not inf"),
    ('{"dataset": {"name": "synthetic", "params": {"n_samples": 1e400}}}', "n_samples must be a whole number"),
    ('{"dataset": 5}', "dataset must be given as {'name': ..., 'params': {...}}, not 5"),
    ('{"model": {"name": "knn", "params": [1]}}', "params must be a mapping, not [1]"),
    ('{"mitigations": {"name": "lof"}}', "mitigations must be a list"),
    ('{"seed": ' + "9" * 5000 + "}", "not valid JSON"),
    ('{"seed": ' + "9" * 400 + "}", "seed must be between 0 and 4294967295, not 99999999999999999"),
    ("[" * 100_000 + "]" * 100_000, "nested more than 32 levels deep"),
    ('{"dataset": ' + "[" * 900 + "]" * 900 + "}", "nested more than 32 levels deep"),
    ('{"x' + "y" * 10_000 + '": 1}', "config has unknown keys: 'xyyyy"),
    ("\x00", "not valid JSON"),
    (b"\xff\xfe{}", "not a text file"),
]


@pytest.mark.parametrize("text, message", CONFIG_FILES, ids=lambda v: str(v)[:30] if isinstance(v, (str, bytes)) else v)
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_malformed_config_files(capsys, tmp_path, command, text, message):
    path = tmp_path / "config.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    expect_error(capsys, [command, "--config", str(path)], message)


def test_ratio_option_over_a_malformed_attack(capsys, tmp_path):
    path = tmp_path / "config.json"
    for attack in ('"label-flip"', '[1, 2]', '{"name": "label-flip", "params": [1]}'):
        path.write_text('{"attack": ' + attack + "}")
        expect_error(capsys, ["run", "--config", str(path), "--ratio", "0.2"], "attack")


def test_config_read_is_capped(capsys):
    expect_error(capsys, ["run", "--config", "/dev/zero"], "more than the 64 MiB")


def test_load_checks_the_file_before_the_app_starts(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("poisontui.app.PoisonApp.run", lambda self: pytest.fail("the app started"))
    path = tmp_path / "sweep.json"
    path.write_text('{"config": {"experiment": {}, "ratios": 5}}')
    expect_error(capsys, ["--load", str(path)], "ratios must be a list of numbers, not 5")
    expect_error(capsys, ["--load", "/dev/zero"], "more than the 64 MiB")
    path.write_text("[" * 5000 + "]" * 5000)
    expect_error(capsys, ["--load", str(path)], "nested more than 32 levels deep")


COMBINATIONS = [
    (["--dataset", "iris", "--model", "knn:n_neighbors=200"],
     "knn: n_neighbors=200 needs 200 training rows, but the training split has only 105; "
     "use n_neighbors at most 105"),
    (["--model", "knn", "--mitigation", "bagging:partitions=500"],
     "bagging: partitions=500 leaves a partition of 1 training row, but knn needs n_neighbors=5 in each; "
     "at most 77 partitions work with this data"),
    (["--dataset", "iris", "--model", "knn:n_neighbors=60", "--mitigation", "bagging:partitions=2"],
     "no split of these 105 rows into 2 or more partitions gives each 60"),
    (["--dataset", "iris", "--model", "knn", "--mitigation", "regularize:strength=10000"],
     "regularize: strength=10000 sets knn's n_neighbors to 200, more than the 105 training rows"),
    (["--dataset", "iris", "--model", "knn:n_neighbors=100", "--mitigation", "isolation-forest:contamination=0.5"],
     "knn: n_neighbors=100 needs 100 training rows, but what isolation-forest kept has only 53"),
]


@pytest.mark.parametrize("args, message", COMBINATIONS)
def test_combinations_scikit_learn_refuses(capsys, args, message):
    expect_error(capsys, ["run", *args], message)


def test_the_largest_workable_partition_count_works(capsys):
    # The partitions' sizes depend on the seed: one seed, so the limit is seed 0's.
    one = ["--seeds", "1"]
    assert main(["run", "--model", "knn", "--mitigation", "bagging:partitions=77", *one, "--format", "json"]) == 0
    capsys.readouterr()
    expect_error(capsys, ["run", "--model", "knn", "--mitigation", "bagging:partitions=78", *one], "at most 77")


def test_combinations_are_refused_before_any_training(monkeypatch):
    from poisontui.engine.experiment import Config, run_experiment
    from poisontui.engine.models import Model

    monkeypatch.setattr(Model, "build", lambda *a, **k: pytest.fail("a model was built"))
    config = Config.from_dict({"model": {"name": "knn"}, "mitigations": [{"name": "bagging",
                                                                          "params": {"partitions": 500}}]})
    with pytest.raises(InputError, match="partitions=500"):
        run_experiment(config)
