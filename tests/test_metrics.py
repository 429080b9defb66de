import numpy as np
import pytest

from poisontui.engine.metrics import classification_scores, detection_scores, recovered_share


def test_classification_scores_on_a_hand_computed_case():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2])
    scores = classification_scores(y_true, y_pred, ["a", "b", "c"])
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["recall"] == {"a": pytest.approx(2 / 3), "b": 0.5, "c": 1.0}
    assert scores["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    f1 = [2 * 2 / (3 + 2), 2 * 1 / (2 + 2), 2 * 1 / (1 + 2)]
    assert scores["macro_f1"] == pytest.approx(np.mean(f1))


def test_recall_of_an_absent_class_is_none():
    scores = classification_scores(np.array([0, 0]), np.array([0, 1]), ["a", "b"])
    assert scores["recall"]["b"] is None


def test_detection_scores():
    flagged = np.array([1, 1, 0, 0, 1], dtype=bool)
    truth = np.array([1, 0, 1, 0, 1], dtype=bool)
    out = detection_scores(flagged, truth)
    assert out["detection_precision"] == pytest.approx(2 / 3)
    assert out["detection_recall"] == pytest.approx(2 / 3)
    assert out["detection_f1"] == pytest.approx(2 / 3)
    none = detection_scores(np.zeros(5, dtype=bool), truth)
    assert none["detection_precision"] is None and none["detection_recall"] == 0.0


def test_recovered_share():
    assert recovered_share(0.9, 0.7, 0.85) == pytest.approx(0.75)
    assert recovered_share(0.9, 0.7, 0.6) == pytest.approx(-0.5)
    assert recovered_share(0.9, 0.895, 0.9) is None
