import numpy as np
import pytest

from poisontui.engine.attacks import Injection, LabelFlip
from poisontui.engine.metrics import detection_scores
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.mitigations.privacy import DPLogisticRegression, ball_noise
from poisontui.engine.mitigations.robustness import Bagging, PartitionVote, partition_of
from poisontui.engine.mitigations.validation import robust_z
from poisontui.engine.models import LogReg

NAMES = ["class 0", "class 1"]


def flagged_scores(mitigation, poisoned):
    outcome = mitigation.mitigate(poisoned.X, poisoned.y, model=LogReg(), seed=0, standardized=True)
    return outcome, detection_scores(outcome.flagged, poisoned.mask)


@pytest.mark.parametrize("name", ["knn-sanitize", "isolation-forest", "lof", "label-issues"])
def test_label_detectors_beat_chance_on_flipped_labels(binary_data, name):
    X, y = binary_data
    poisoned = LabelFlip(ratio=0.1).poison(X, y, seed=0, class_names=NAMES)
    _, scores = flagged_scores(MITIGATIONS[name](), poisoned)
    # Flagging at random has precision equal to the poisoned share, 0.1.
    assert scores["detection_precision"] > 0.3
    assert scores["detection_recall"] > 0.3


def test_zscore_filter_catches_points_injected_far_outside(binary_data):
    X, y = binary_data
    poisoned = Injection(ratio=0.05, placement="outside", distance=6).poison(X, y, seed=0, class_names=NAMES)
    outcome, scores = flagged_scores(MITIGATIONS["zscore-filter"](), poisoned)
    assert scores["detection_recall"] == 1.0
    assert scores["detection_precision"] > 0.5
    assert outcome.kept.sum() == len(poisoned.y) - outcome.flagged.sum()


def test_robust_z_ignores_the_outlier_it_measures():
    column = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])
    z = robust_z(column)
    assert abs(z[2, 0]) < 1e-12 and z[4, 0] > 100


def test_relabel_action_changes_labels_instead_of_dropping(binary_data):
    X, y = binary_data
    poisoned = LabelFlip(ratio=0.1).poison(X, y, seed=0, class_names=NAMES)
    outcome, _ = flagged_scores(MITIGATIONS["knn-sanitize"](action="relabel"), poisoned)
    assert outcome.kept.all()
    assert np.array_equal(outcome.relabelled, outcome.flagged)
    dropped, _ = flagged_scores(MITIGATIONS["knn-sanitize"](action="drop"), poisoned)
    assert dropped.kept.sum() == len(y) - dropped.flagged.sum() and not dropped.relabelled.any()


def test_knn_sanitize_restores_most_flipped_labels(binary_data):
    X, y = binary_data
    poisoned = LabelFlip(ratio=0.1).poison(X, y, seed=0, class_names=NAMES)
    mitigation = MITIGATIONS["knn-sanitize"]()
    flagged, suggested = mitigation.flag(poisoned.X, poisoned.y, 0)
    restored = flagged & poisoned.mask & (suggested == y)
    assert restored.sum() > 0.6 * poisoned.count


def test_ball_noise_has_the_scale_the_mechanism_needs():
    rng = np.random.default_rng(0)
    dim, scale = 5, 0.3
    draws = np.array([ball_noise(dim, scale, rng) for _ in range(20000)])
    norms = np.linalg.norm(draws, axis=1)
    # |b| ~ Gamma(dim, scale): mean dim * scale, variance dim * scale^2.
    assert norms.mean() == pytest.approx(dim * scale, rel=0.02)
    assert norms.var() == pytest.approx(dim * scale**2, rel=0.05)
    directions = draws / norms[:, None]
    assert np.abs(directions.mean(axis=0)).max() < 0.02


def test_dp_logreg_noise_scale_and_privacy_utility_trade_off(binary_data):
    X, y = binary_data
    model = DPLogisticRegression(epsilon=2.0, lam=0.1, random_state=0).fit(X, y)
    assert model.noise_scale_ == pytest.approx(2.0 / (len(y) * 0.1 * 2.0))
    assert np.all(np.linalg.norm(model._unit_ball(X * 100), axis=1) <= 1 + 1e-9)

    def mean_accuracy(epsilon):
        return np.mean([DPLogisticRegression(epsilon, random_state=s).fit(X, y).predict(X).__eq__(y).mean()
                        for s in range(10)])

    assert mean_accuracy(100.0) > 0.9
    assert mean_accuracy(0.05) < mean_accuracy(100.0) - 0.1


def test_dp_logreg_multiclass_splits_the_budget(three_class_data):
    X, y = three_class_data
    model = DPLogisticRegression(epsilon=3.0, lam=0.1, random_state=0).fit(X, y)
    assert model.coef_.shape == (3, 3)
    assert model.noise_scale_ == pytest.approx(2.0 / (len(y) * 0.1 * 1.0))
    assert set(model.predict(X)) <= {0, 1, 2}


def test_partitions_depend_on_the_row_alone(binary_data):
    X, _ = binary_data
    parts = partition_of(X, 7)
    assert parts.min() >= 0 and parts.max() < 7
    assert np.array_equal(partition_of(X[::-1], 7), parts[::-1])
    changed = X.copy()
    changed[3, 0] += 1.0
    assert np.sum(partition_of(changed, 7) != parts) <= 1


def test_certified_radius_is_half_the_vote_margin():
    class Fixed:
        def __init__(self, label):
            self.label = label

        def predict(self, X):
            return np.full(len(X), self.label)

    vote = PartitionVote([Fixed(0)] * 6 + [Fixed(1)] * 2 + [Fixed(2)], n_classes=3)
    X = np.zeros((1, 2))
    assert vote.predict(X)[0] == 0
    assert vote.certified_radius(X)[0] == (6 - 2) // 2


def test_bagging_reports_a_certificate_per_test_row(binary_data):
    X, y = binary_data
    mitigation = Bagging(partitions=9)
    outcome = mitigation.mitigate(X, y, model=LogReg(), seed=0, standardized=True)
    extras = mitigation.evaluate_extras(outcome, X[:50], y[:50])
    assert len(extras["certified_radius"]) == 50
    assert max(extras["certified_radius"]) <= 4
    assert (outcome.model.predict(X) == y).mean() > 0.85


def test_regularize_strengthens_the_models_penalty(binary_data):
    X, y = binary_data
    outcome = MITIGATIONS["regularize"](strength=50).mitigate(X, y, model=LogReg(), seed=0, standardized=True)
    assert outcome.extras["model"]["params"]["C"] == pytest.approx(1 / 50)


def test_every_mitigation_runs_on_multiclass_data(three_class_data):
    X, y = three_class_data
    poisoned = LabelFlip(ratio=0.1).poison(X, y, seed=0, class_names=["a", "b", "c"])
    for name, cls in MITIGATIONS.items():
        outcome = cls().mitigate(poisoned.X, poisoned.y, model=LogReg(), seed=0, standardized=True)
        assert (outcome.model.predict(X) == y).mean() > 0.6, name
