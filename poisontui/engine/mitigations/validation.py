"""Robust data validation: reject rows whose values or labels do not fit the rest of the data."""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import ACTION, Sanitizer, by_class
from poisontui.engine.params import Param


class ZScoreFilter(Sanitizer):
    name = "zscore-filter"
    family = "validation"
    summary = "drop rows with any feature beyond a robust z-score bound (median and MAD)"
    params = (
        Param("threshold", float, 3.5, "largest robust |z| a feature may have", 1.0, 50.0, step=0.5),
        Param("per_class", bool, False, "measure each class against itself"),
    )

    def flag(self, X, y, seed):
        flagged = np.zeros(len(y), dtype=bool)
        for rows in by_class(y, self.per_class):
            flagged[rows] = np.any(np.abs(robust_z(X[rows])) > self.threshold, axis=1)
        return flagged, None


def robust_z(X: np.ndarray) -> np.ndarray:
    """Robust z-scores, 0.6745 (x - median) / MAD; the mean absolute deviation stands in where MAD is 0."""
    median = np.median(X, axis=0)
    deviation = np.abs(X - median)
    scale = np.median(deviation, axis=0) / 0.6745
    fallback = deviation.mean(axis=0) * 1.2533
    scale = np.where(scale > 0, scale, fallback)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, (X - median) / np.where(scale > 0, scale, 1.0), 0.0)
    return z


class KNNSanitize(Sanitizer):
    name = "knn-sanitize"
    family = "validation"
    summary = "relabel rows whose label disagrees with most of their k nearest neighbours (Paudice et al. 2018)"
    params = (
        Param("k", int, 10, "neighbours consulted", 1, 100, step=1),
        Param("eta", float, 0.5, "share of neighbours that must agree on another label", 0.1, 1.0, step=0.05),
        Param("action", str, "relabel", ACTION.help, choices=ACTION.choices),
    )

    def flag(self, X, y, seed):
        from sklearn.neighbors import NearestNeighbors
        from sklearn.preprocessing import StandardScaler

        k = min(self.k, len(y) - 1)
        Xs = StandardScaler().fit_transform(X)
        _, idx = NearestNeighbors(n_neighbors=k + 1).fit(Xs).kneighbors(Xs)
        neighbours = y[idx[:, 1:]]
        n_classes = int(y.max()) + 1
        counts = np.zeros((len(y), n_classes), dtype=int)
        for c in range(n_classes):
            counts[:, c] = (neighbours == c).sum(axis=1)
        majority = counts.argmax(axis=1)
        agree = counts[np.arange(len(y)), majority] / k
        flagged = (majority != y) & (agree >= self.eta)
        return flagged, majority
