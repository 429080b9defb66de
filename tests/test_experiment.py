import json

import numpy as np
import pytest

from poisontui.engine.errors import Cancelled, InputError
from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.presets import PRESETS


def article_script_accuracy():
    """The seed article's clean model, written out as the article writes it."""
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)
    model = LogisticRegression().fit(X_train, y_train)
    return accuracy_score(y_test, model.predict(X_test))


def test_default_config_reproduces_the_article():
    result = run_experiment(Config())
    assert result.row("clean")["accuracy"] == article_script_accuracy()
    assert result.poisoned.count == 70
    assert len(result.split.y_train) == 700 and len(result.split.y_test) == 300


def test_config_round_trips_through_json():
    config = Config.from_preset("diagnosis")
    config.mitigations.append({"name": "bagging", "params": {"partitions": 7}})
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config


def test_same_config_gives_identical_results():
    config = Config.from_dict({"attack": {"name": "label-flip", "params": {"ratio": 0.2}},
                               "mitigations": [{"name": n} for n in MITIGATIONS]})
    first, second = run_experiment(config).to_dict(), run_experiment(config).to_dict()
    for row in first["results"] + second["results"]:
        row.pop("fit_seconds")
    first.pop("seconds"), second.pop("seconds")
    assert first == second


def test_seed_changes_the_poisoned_rows_but_not_the_split():
    a = run_experiment(Config(seed=1))
    b = run_experiment(Config(seed=2))
    assert np.array_equal(a.split.y_test, b.split.y_test)
    assert not np.array_equal(a.poisoned.mask, b.poisoned.mask)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_runs(name):
    result = run_experiment(Config.from_preset(name))
    names = [r["name"] for r in result.rows]
    assert names[:2] == ["clean", "poisoned"]
    assert len(names) == 2 + len(PRESETS[name].config["mitigations"])


def test_diagnosis_preset_reports_malignant_recall_and_success():
    result = run_experiment(Config.from_preset("diagnosis"))
    assert result.focus_class == "malignant"
    clean, poisoned = result.row("clean"), result.row("poisoned")
    assert poisoned["focus_recall"] < clean["focus_recall"] - 0.1
    assert poisoned["attack_success"] > clean["attack_success"]
    assert result.best in {r["name"] for r in result.rows[2:]}


def test_mitigation_rows_carry_detection_and_recovery():
    config = Config.from_dict({"dataset": {"name": "breast-cancer"},
                               "attack": {"name": "confidence-flip", "params": {"ratio": 0.2}},
                               "mitigations": [{"name": "label-issues"}, {"name": "regularize"}]})
    result = run_experiment(config)
    issues = result.row("label-issues")
    assert issues["rows_dropped"] > 0 and issues["detection_precision"] is not None
    assert issues["recovered"] == pytest.approx(
        (issues["accuracy"] - result.row("poisoned")["accuracy"])
        / (result.row("clean")["accuracy"] - result.row("poisoned")["accuracy"]))
    assert result.row("regularize")["detection_precision"] is None


def test_progress_reports_every_step_and_cancel_stops_between_steps():
    seen = []
    config = Config(mitigations=[{"name": "lof"}, {"name": "bagging"}])
    run_experiment(config, progress=lambda done, total, label: seen.append((done, total, label)))
    steps = [s for s in seen if isinstance(s[0], int)]
    assert [s[0] for s in steps] == list(range(7)) and seen[-1] == (6, 6, "done")
    inside = [s for s in seen if not isinstance(s[0], int)]  # the steps' own parts: lof's classes, bagging's partitions
    assert {int(s[0]) for s in inside} == {4, 5} and all("/" in s[2] for s in inside)

    calls = []

    def cancel_after_three():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        run_experiment(config, is_cancelled=cancel_after_three)


def test_validation_happens_before_any_work():
    with pytest.raises(InputError, match="unknown mitigation 'knn-sanitise'.*did you mean 'knn-sanitize'"):
        Config.from_dict({"mitigations": [{"name": "knn-sanitise"}]})
    with pytest.raises(InputError, match="ratio must be between"):
        Config.from_dict({"attack": {"name": "label-flip", "params": {"ratio": 2}}})
    with pytest.raises(InputError, match="unknown keys: 'colour'"):
        Config.from_dict({"colour": "red"})


def test_an_attack_that_leaves_one_class_is_refused():
    config = Config.from_dict({"attack": {"name": "targeted-flip", "params": {"ratio": 1.0}}})
    with pytest.raises(InputError, match="one class only"):
        run_experiment(config)


def test_duplicate_mitigations_get_distinct_names():
    config = Config(mitigations=[{"name": "knn-sanitize", "params": {"k": 5}}, {"name": "knn-sanitize"}])
    names = [r["name"] for r in run_experiment(config).rows]
    assert names[2:] == ["knn-sanitize:k=5", "knn-sanitize"]


def test_backdoor_reports_the_share_of_attack_success_undone():
    config = Config.from_dict({**Config.from_preset("backdoor").to_dict(), "preset": None,
                               "mitigations": [{"name": "zscore-filter"}]})
    result = run_experiment(config)
    clean, poisoned, mitigated = result.rows
    assert poisoned["attack_success"] > 0.8 and abs(poisoned["accuracy"] - clean["accuracy"]) < 0.01
    assert mitigated["recovered"] is None  # accuracy barely moved: nothing to recover there
    expected = (poisoned["attack_success"] - mitigated["attack_success"]) / (
        poisoned["attack_success"] - clean["attack_success"])
    assert mitigated["success_recovered"] == pytest.approx(expected)


def test_a_run_over_seeds_takes_the_time_of_all_its_seeds():
    import time

    config = Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 400, "n_features": 5}},
                               "mitigations": [{"name": "knn-sanitize"}], "seeds": 4})
    started = time.perf_counter()
    result = run_experiment(config)
    wall = time.perf_counter() - started
    # The first seed's time alone would be about a quarter of the whole.
    assert 0.6 * wall <= result.seconds <= wall
