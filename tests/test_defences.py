"""TRIM, sphere and slab, and spectral signatures, on built-in data with fixed seeds."""

import numpy as np
import pytest

from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.mitigations.sphere_slab import sphere_slab_bounds
from poisontui.engine.mitigations.trim import row_losses
from poisontui.engine.models import LogReg, MLP


def rows_of(raw: dict) -> dict:
    return {row["name"]: row for row in run_experiment(Config.from_dict(raw)).rows}


def test_trim_recovers_at_least_half_of_the_accuracy_lost_to_random_flips():
    clean, poisoned, trimmed = [], [], []
    for seed in range(5):
        rows = rows_of({"dataset": {"name": "breast-cancer"}, "attack": {"name": "label-flip",
                        "params": {"ratio": 0.2}}, "seed": seed, "mitigations": [{"name": "trim"}]})
        clean.append(rows["clean"]["accuracy"])
        poisoned.append(rows["poisoned"]["accuracy"])
        trimmed.append(rows["trim"]["accuracy"])
        assert rows["trim"]["detection_recall"] > 0.8
    assert np.mean(trimmed) - np.mean(poisoned) >= 0.5 * (np.mean(clean) - np.mean(poisoned))


def test_trim_losses_are_the_models_own_per_row_log_loss():
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=200) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    expected = [-np.log(model.predict_proba(X[i:i + 1])[0, y[i]]) for i in range(200)]
    assert row_losses(model, X, y) == pytest.approx(expected)
    svm = LinearSVC().fit(X, y)
    margin = svm.decision_function(X) * np.where(y == 1, 1, -1)
    assert row_losses(svm, X, y) == pytest.approx(-2 * margin)


def test_sphere_and_slab_thresholds_are_margin_times_each_classs_median(three_class_data):
    X, y = three_class_data
    bounds = sphere_slab_bounds(X, y, quantile=0.5, margin=3.0)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    for c in range(3):
        centre = np.median(Z[y == c], axis=0)
        others = np.mean([np.median(Z[y == o], axis=0) for o in range(3) if o != c], axis=0)
        direction = (centre - others) / np.linalg.norm(centre - others)
        distance = np.linalg.norm(Z[y == c] - centre, axis=1)
        towards = -(Z[y == c] - centre) @ direction
        assert bounds.radius[c] == pytest.approx(3.0 * np.median(distance))
        assert bounds.slab[c] == pytest.approx(3.0 * np.median(towards[towards > 0]))


def test_sphere_and_slab_flags_rows_towards_the_other_classes_not_away_from_them(three_class_data):
    X, y = three_class_data
    bounds = sphere_slab_bounds(X, y, quantile=0.5, margin=3.0)
    centre = bounds.centres[0] * bounds.scale + bounds.mean
    direction = bounds.directions[0] * bounds.scale
    # Class 0 sits at the origin, the others to the right and above: its slab points away from them.
    # A step past the slab's threshold but inside the sphere (directions are unit length in standard units).
    assert bounds.slab[0] < bounds.radius[0]
    slab_step = (bounds.slab[0] + bounds.radius[0]) / 2
    towards = centre - slab_step * direction
    away = centre + slab_step * direction
    flagged = bounds.outside(np.array([towards, away]), np.array([0, 0]))
    assert flagged.tolist() == [True, False]


def test_spectral_signatures_find_the_backdoor_presets_poisoned_rows():
    raw = {**Config.from_preset("backdoor").to_dict(), "preset": None, "mitigations": [{"name": "spectral"}]}
    rows = rows_of(raw)
    assert rows["spectral"]["detection_recall"] >= 0.8
    assert rows["spectral"]["attack_success"] < 0.1 < rows["poisoned"]["attack_success"]


def test_spectral_signatures_read_the_mlps_hidden_layer_when_the_model_is_an_mlp(three_class_data):
    X, y = three_class_data
    X = np.column_stack([X, np.zeros(len(y))])
    X[:20, 2] = 8.0  # a trigger in a feature otherwise always 0
    y = y.copy()
    y[:20] = 2
    spectral = MITIGATIONS["spectral"]()
    by_features = spectral.mitigate(X, y, model=LogReg(), seed=0, standardized=False)
    by_hidden = spectral.mitigate(X, y, model=MLP(hidden=16, max_iter=500), seed=0, standardized=False)
    assert by_features.flagged[:20].all()
    assert by_hidden.flagged[:20].mean() >= 0.8
    forced = MITIGATIONS["spectral"](representation="features").mitigate(
        X, y, model=MLP(hidden=16, max_iter=500), seed=0, standardized=False)
    assert np.array_equal(forced.flagged, by_features.flagged)


def test_the_security_curve_shows_sphere_and_slab_evaded_by_the_attack_adapted_to_it():
    from poisontui.engine.security import security_curve

    config = Config.from_dict({"dataset": {"name": "breast-cancer"}})
    curve = security_curve(config, {"name": "sphere-slab"}, [0.03, 0.05], seeds=2, jobs=1)
    assert (curve["plain"], curve["adapted"], curve["seeds"]) == ("gradient-injection", "adaptive-injection", 2)
    points = {(p["ratio"], p["attack"]): p for p in curve["points"]}
    assert set(points) == {(r, a) for r in (0.03, 0.05) for a in ("plain", "adapted")}
    for ratio in (0.03, 0.05):
        assert points[(ratio, "plain")]["detection_recall_mean"] >= 0.8
        assert points[(ratio, "adapted")]["detection_recall_mean"] <= 0.2
    # What evasion costs the defender: accuracy behind the defence is lower under the adapted attack.
    assert points[(0.05, "adapted")]["accuracy_mean"] < points[(0.05, "plain")]["accuracy_mean"]


def test_the_security_curve_refuses_a_defence_without_an_adapted_attack():
    from poisontui.engine.errors import InputError
    from poisontui.engine.security import security_curve

    with pytest.raises(InputError, match="defence with an adapted attack 'trim'"):
        security_curve(Config(), {"name": "trim"}, [0.05], seeds=1, jobs=1)
