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
    assert recovered_share(90, 70, 85, 100) == pytest.approx(0.75)
    assert recovered_share(90, 70, 60, 100) == pytest.approx(-0.5)
    assert recovered_share(180, 179, 180, 200) is None  # half a point: noise


def test_recovered_share_counts_a_gap_of_exactly_one_point():
    # In counts a one-point gap is exact: 3 of 300 rows.
    assert recovered_share(255, 252, 254, 300) == pytest.approx(2 / 3)


def test_detection_f1_is_zero_when_nothing_is_flagged_but_rows_were_poisoned():
    out = detection_scores(np.zeros(4, dtype=bool), np.array([1, 0, 0, 1], dtype=bool))
    assert out["detection_recall"] == 0.0 and out["detection_f1"] == 0.0
    nothing = detection_scores(np.zeros(4, dtype=bool), np.zeros(4, dtype=bool))
    assert nothing["detection_f1"] is None
