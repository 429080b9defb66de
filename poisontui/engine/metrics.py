"""Scores for one variant: accuracy, F1, per-class recall, confusion, detection and recovery."""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted classes."""
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den else None


def classification_scores(y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str]) -> dict[str, Any]:
    """Accuracy, macro F1 (over classes present in truth or prediction), recall per class, confusion."""
    matrix = confusion(np.asarray(y_true), np.asarray(y_pred).astype(int), len(class_names))
    tp = np.diag(matrix).astype(float)
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    recall = {name: _ratio(tp[i], support[i]) for i, name in enumerate(class_names)}
    f1s = [2 * tp[i] / (support[i] + predicted[i]) for i in range(len(class_names)) if support[i] + predicted[i]]
    return {
        "accuracy": float(tp.sum() / matrix.sum()),
        "macro_f1": float(np.mean(f1s)),
        "recall": recall,
        "confusion": matrix.tolist(),
    }


def detection_scores(flagged: np.ndarray, poisoned: np.ndarray) -> dict[str, float | None]:
    """How well flagged rows match the truly poisoned ones; None where a ratio is undefined."""
    tp = float(np.sum(flagged & poisoned))
    precision = _ratio(tp, float(flagged.sum()))
    recall = _ratio(tp, float(poisoned.sum()))
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    elif recall is not None:
        # Nothing flagged while poisoned rows exist: no poisoned row was found, so F1 is 0, not undefined.
        f1 = 0.0
    return {"detection_precision": precision, "detection_recall": recall, "detection_f1": f1}


def recovered_share(clean: int, poisoned: int, mitigated: int, n: int) -> float | None:
    """(mitigated - poisoned) / (clean - poisoned) over counts of good outcomes out of `n`.

    1 recovers all the damage, 0 none. Counts (correct test rows, or attacker's cases the
    model resisted) keep the comparison exact. None when poisoning cost less than one
    point (fewer than n / 100 rows): dividing by a gap of one or two test rows would
    print noise as a huge gain or loss.
    """
    gap = clean - poisoned
    if n <= 0 or gap * 100 < n:
        return None
    return float((mitigated - poisoned) / gap)
