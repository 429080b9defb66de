"""Certified k nearest neighbours (Jia, Cao, Wang & Gong, AAAI 2022, "Certified robustness of nearest
neighbors against data poisoning and backdoor attacks").

A test row is given the majority label of its k nearest training rows, ties going to the smaller class
index (the paper's rule, as in partition aggregation). One poisoned training row, inserted, removed or
relabelled, changes at most one of those k votes into another (an insertion pushes one neighbour out;
a removal lets the (k+1)-th in), so it moves the margin between two classes by at most two, and the
certified radius is the same as partition aggregation's: floor((n_top - max over c != top of
(n_c + [c < top])) / 2). Departure from the paper: features are standardised with the training rows'
mean and deviation, and the certificate treats that scaling as fixed (poisoned rows move it a little).
"""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation, standardiser
from poisontui.engine.mitigations.robustness import certified_accuracy, vote_and_radius
from poisontui.engine.params import Param


class NeighbourVote:
    """The k nearest training rows vote; `votes` gives the per-class counts behind each prediction."""

    def __init__(self, X: np.ndarray, y: np.ndarray, k: int, n_classes: int) -> None:
        from sklearn.neighbors import NearestNeighbors

        self.mean, self.scale = standardiser(X)
        self.y, self.k, self.n_classes = y, k, n_classes
        self.index = NearestNeighbors(n_neighbors=k).fit((X - self.mean) / self.scale)

    def votes(self, X: np.ndarray) -> np.ndarray:
        _, idx = self.index.kneighbors((X - self.mean) / self.scale)
        labels = self.y[idx]
        return np.stack([(labels == c).sum(axis=1) for c in range(self.n_classes)], axis=1).astype(np.int64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return vote_and_radius(self.votes(X))[0]


class CertifiedKNN(Mitigation):
    name = "certified-knn"
    family = "robustness"
    summary = ("k nearest neighbours vote, with a certificate per test row: how many poisoned training rows "
               "cannot change it (Jia et al. 2022)")
    params = (Param("k", int, 25, "neighbours that vote; no certificate can exceed half of it", 1, 500, step=2),)

    def mitigate(self, X, y, *, model, seed, standardized):
        k = min(self.k, len(y))
        return Mitigated.keeping_all(NeighbourVote(X, y, k, int(y.max()) + 1), len(y))

    def evaluate_extras(self, mitigated, X_test, y_test):
        predicted, radius = vote_and_radius(mitigated.model.votes(X_test))
        correct = predicted == y_test
        return {
            "certified_radius": radius.tolist(),
            "certified_accuracy": certified_accuracy(radius, correct, mitigated.model.k // 2),
            "certified_radius_median_correct": float(np.median(radius[correct])) if correct.any() else None,
        }
