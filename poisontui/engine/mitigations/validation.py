"""Robust data validation: reject rows whose values or labels do not fit the rest of the data."""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import ACTION, Sanitizer, by_class
from poisontui.engine.params import Param
from poisontui.engine.progress import timed_chunks


class ZScoreFilter(Sanitizer):
    """Drop rows that sit far from the bulk of the data across their features.

    Each feature gets a robust z-score, 0.6745 (x - median) / MAD; a feature whose MAD is 0
    has no spread, so it carries no evidence and is left out. A row's score is the RMS of its
    z-scores, so one unusual feature among many does not make an outlier; a row is dropped when
    its score is itself an outlier among the rows' scores (robust z above `threshold`, taken on
    the square root of the scores, whose right tail is long even on clean data).
    """

    name = "zscore-filter"
    family = "validation"
    memory_copies = 2.75  # deviations, z-scores and their comparison, each as large as the data
    summary = "drop rows whose robust (median/MAD) z-scores are, taken together, far beyond the other rows'"
    params = (
        Param("threshold", float, 3.5, "largest robust z a row's RMS z-score may have among all rows' scores",
              1.0, 50.0, step=0.5),
        Param("per_class", bool, False, "measure each class against itself"),
    )

    def flag(self, X, y, seed):
        flagged = np.zeros(len(y), dtype=bool)
        for rows in by_class(y, self.per_class):
            flagged[rows] = robust_z(np.sqrt(row_scores(X[rows])))[:, 0] > self.threshold
        return flagged, None


def robust_z(X: np.ndarray) -> np.ndarray:
    """Robust z-scores per column, 0.6745 (x - median) / MAD; 0 in a column whose MAD is 0."""
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    median = np.median(X, axis=0)
    scale = np.median(np.abs(X - median), axis=0) / 0.6745
    spread = scale > 0
    return np.where(spread, (X - median) / np.where(spread, scale, 1.0), 0.0)


def row_scores(X: np.ndarray) -> np.ndarray:
    """Each row's RMS robust z-score over the features that have spread (0 where none has)."""
    z = robust_z(X)
    informative = np.any(z != 0, axis=0)
    if not informative.any():
        return np.zeros(len(X))
    return np.sqrt(np.mean(z[:, informative] ** 2, axis=1))


class KNNSanitize(Sanitizer):
    """Label sanitisation by k nearest neighbours (Paudice, Munoz-Gonzalez & Lupu, 2018, Algorithm 1).

    A row is relabelled when one class other than its own is the strict plurality of its k
    neighbours and holds at least `eta` of them. Where two classes tie for the plurality the
    row keeps its label: a tie is not a disagreement, and breaking it by class code would
    move rows towards whichever class is coded 0.
    """

    name = "knn-sanitize"
    family = "validation"
    summary = "relabel rows whose k nearest neighbours mostly hold one other label (Paudice et al. 2018)"
    params = (
        Param("k", int, 20, "neighbours consulted", 1, 100, step=1),
        Param("eta", float, 0.7, "share of the neighbours that must hold the one other label (ties never count)",
              0.1, 1.0, step=0.05),
        Param("action", str, "relabel", ACTION.help, choices=ACTION.choices),
    )

    def flag(self, X, y, seed):
        from sklearn.preprocessing import StandardScaler

        k = min(self.k, len(y) - 1)
        Xs = StandardScaler().fit_transform(X)
        idx = nearest_rows(Xs, k + 1)
        counts = neighbour_votes(idx, y, k)
        return plurality_relabel(counts, y, k, self.eta)


def neighbour_votes(idx: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Per row, the labels of its k nearest other rows counted per class.

    `idx` holds k + 1 neighbours per row, the row itself usually first; among duplicate
    rows it may come later or not at all, so it is removed by index, not by position.
    """
    rows = np.arange(len(y))[:, None]
    others = idx != rows
    # Keep the first k neighbours that are not the row itself.
    others &= np.cumsum(others, axis=1) <= k
    labels = np.where(others, y[idx], -1)
    n_classes = int(y.max()) + 1
    return np.stack([(labels == c).sum(axis=1) for c in range(n_classes)], axis=1)


def plurality_relabel(counts: np.ndarray, y: np.ndarray, k: int, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """Flag rows whose neighbours' strict plurality is another class with at least `eta` of `k` votes.

    Returns the flags and the suggested labels (the plurality class where it is unique, else the row's own).
    """
    top = counts.max(axis=1)
    unique = (counts == top[:, None]).sum(axis=1) == 1
    plurality = np.where(unique, counts.argmax(axis=1), y)
    flagged = unique & (plurality != y) & (top >= eta * k - 1e-9)
    return flagged, plurality


def nearest_rows(X: np.ndarray, k: int) -> np.ndarray:
    """The indices of the `k` rows nearest each row (the row itself usually among them), searched in
    timed chunks of rows so that progress is reported while large data is searched."""
    from sklearn.neighbors import NearestNeighbors
    from threadpoolctl import threadpool_limits

    index = NearestNeighbors(n_neighbors=k).fit(X)
    # One thread: scikit-learn spreads a chunk this small over the fitted rows instead, and that
    # measured twice as slow as one thread on a busy 2-core machine (as fast as unchunked on one).
    with threadpool_limits(limits=1):
        return np.vstack([index.kneighbors(X[rows], return_distance=False)
                          for rows in timed_chunks(len(X), "kNN search", first=256, align=64)])


class ZScoreEnvelope:
    """Where the z-score filter lets a row through, as an attacker computes it from rows it knows.

    Per group of rows (all rows, or each class with `per_class`), the filter keeps a row whose RMS
    robust z-score r has sqrt(r) at most median + threshold x robust scale of the rows' sqrt(r):
    a ball, in robust z units over the features with spread, around the features' medians.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, threshold: float, per_class: bool) -> None:
        self.per_class = per_class
        self.groups: dict[int | None, tuple[np.ndarray, np.ndarray, float]] = {}
        for rows in by_class(y, per_class):
            group = X[rows]
            median = np.median(group, axis=0)
            scale = np.median(np.abs(group - median), axis=0) / 0.6745
            roots = np.sqrt(row_scores(group))
            root_median = np.median(roots)
            root_scale = np.median(np.abs(roots - root_median)) / 0.6745
            limit = (root_median + threshold * root_scale) ** 2 if root_scale > 0 else root_median ** 2
            self.groups[int(y[rows[0]]) if per_class else None] = (median, scale, limit)

    def project(self, X: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray,
                slack: float = 0.9) -> np.ndarray:
        """Points clipped to the box [low, high], then moved straight towards the medians until their RMS
        z-score is at most `slack` x the limit (the medians lie in the box, so they stay in it)."""
        out = np.clip(X, low, high)
        for i in range(len(out)):
            key = int(y[i]) if self.per_class else None
            median, scale, limit = self.groups.get(key, next(iter(self.groups.values())))
            spread = scale > 0
            if not spread.any():
                continue
            z = (out[i, spread] - median[spread]) / scale[spread]
            rms = np.sqrt(np.mean(z ** 2))
            if rms > slack * limit:
                out[i, spread] = median[spread] + (out[i, spread] - median[spread]) * (slack * limit / rms)
        return out
