"""Model robustness: training schemes that limit what a few poisoned rows can do."""

from __future__ import annotations

import hashlib

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation
from poisontui.engine.models import fit_quietly
from poisontui.engine.params import Param


def partition_of(X: np.ndarray, k: int, salt: int = 0) -> np.ndarray:
    """Assign each row to one of k partitions by a salted hash of its feature values.

    A row's partition depends on the row alone (and the salt, the run's seed), so
    inserting, removing or relabelling one training row changes exactly one partition's
    model; a row whose features change may move, changing two.
    """
    rows = np.ascontiguousarray(X, dtype=np.float64)
    key = int(salt).to_bytes(8, "little")
    return np.array([
        int.from_bytes(hashlib.blake2b(r.tobytes(), digest_size=8, key=key).digest(), "little") % k for r in rows
    ])


def vote_and_radius(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Levine & Feizi's (2021) prediction and certificate from per-class vote counts.

    The prediction is the class with most votes, ties going to the smaller class index (the
    paper's rule). The certified radius is floor((n_top - max over c != top of (n_c + [c < top])) / 2):
    each poisoned training row changes at most one partition's vote, moving the margin by two,
    and a class below the prediction wins a tie.
    """
    predicted = counts.argmax(axis=1)  # argmax takes the first maximum: the smaller class index on ties
    rows = np.arange(len(counts))
    top = counts[rows, predicted]
    classes = np.arange(counts.shape[1])
    rivals = counts + (classes[None, :] < predicted[:, None])
    rivals[rows, predicted] = np.iinfo(counts.dtype).min
    return predicted, (top - rivals.max(axis=1)) // 2


class PartitionVote:
    """k models on disjoint partitions and a majority vote (ties go to the smaller class index)."""

    def __init__(self, members: list, n_classes: int) -> None:
        self.members = members
        self.n_classes = n_classes

    def votes(self, X: np.ndarray) -> np.ndarray:
        counts = np.zeros((len(X), self.n_classes), dtype=np.int64)
        for member in self.members:
            counts[np.arange(len(X)), member.predict(X).astype(int)] += 1
        return counts

    def predict(self, X: np.ndarray) -> np.ndarray:
        return vote_and_radius(self.votes(X))[0]

    def certified_radius(self, X: np.ndarray) -> np.ndarray:
        """Poisoned training rows (inserted, removed or relabelled) each prediction provably tolerates."""
        return vote_and_radius(self.votes(X))[1]


def certified_accuracy(radius: np.ndarray, correct: np.ndarray, max_radius: int) -> list[float]:
    """Share of test rows predicted correctly with radius >= r, for r = 0..max_radius."""
    certified = np.where(correct, radius, -1)
    return [float(np.mean(certified >= r)) for r in range(max_radius + 1)]


class Bagging(Mitigation):
    """Deep partition aggregation (Levine & Feizi, ICLR 2021), with scikit-learn models as the base learners.

    Departs from the paper in the hash (a keyed BLAKE2b of the row's features, keyed by the
    run's seed, where the paper sums pixel values) and in the base learner.
    """

    name = "bagging"
    family = "robustness"
    summary = "partition aggregation: k models on disjoint hashed partitions vote, with a certificate per test row"
    params = (Param("partitions", int, 15, "number of disjoint partitions (and models); the certificate of a "
                    "row can never exceed half of it", 2, 500, step=1),)

    def mitigate(self, X, y, *, model, seed, standardized):
        k = min(self.partitions, len(y))
        part = partition_of(X, k, salt=seed)
        # An empty partition casts no vote. A row inserted there adds one vote, which moves a margin by one,
        # less than the two a changed vote moves it by, so the certificate still holds.
        members = [fit_quietly(model.build(seed, standardized), X[part == p], y[part == p])
                   for p in range(k) if np.any(part == p)]
        return Mitigated.keeping_all(PartitionVote(members, int(y.max()) + 1), len(y))

    def evaluate_extras(self, mitigated, X_test, y_test):
        predicted, radius = vote_and_radius(mitigated.model.votes(X_test))
        correct = predicted == y_test
        curve = certified_accuracy(radius, correct, len(mitigated.model.members) // 2)
        return {
            "certified_radius": radius.tolist(),
            "certified_accuracy": curve,
            "certified_radius_median_correct": float(np.median(radius[correct])) if correct.any() else None,
        }


class Regularize(Mitigation):
    name = "regularize"
    family = "robustness"
    summary = "the same model, much more strongly regularised, so no few rows can pull it far"
    params = (Param("strength", float, 100.0, "factor by which regularisation is increased", 1.0, 1e4, step=10.0),)

    def mitigate(self, X, y, *, model, seed, standardized):
        stronger = model.regularized(self.strength)
        fitted = fit_quietly(stronger.build(seed, standardized), X, y)
        return Mitigated.keeping_all(fitted, len(y), {"model": stronger.spec()})
