"""Model robustness: training schemes that limit what a few poisoned rows can do."""

from __future__ import annotations

import hashlib

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation
from poisontui.engine.models import fit_quietly
from poisontui.engine.params import Param


def partition_of(X: np.ndarray, k: int) -> np.ndarray:
    """Assign each row to one of k partitions by a hash of its feature values.

    A row's partition depends on the row alone, so inserting, removing or
    relabelling one training row changes exactly one partition's model.
    """
    rows = np.ascontiguousarray(X, dtype=np.float64)
    return np.array(
        [int.from_bytes(hashlib.blake2b(r.tobytes(), digest_size=8).digest(), "little") % k for r in rows]
    )


class PartitionVote:
    """k models on disjoint partitions and a majority vote (ties go to the lower class)."""

    def __init__(self, members: list, n_classes: int) -> None:
        self.members = members
        self.n_classes = n_classes

    def votes(self, X: np.ndarray) -> np.ndarray:
        counts = np.zeros((len(X), self.n_classes), dtype=int)
        for member in self.members:
            counts[np.arange(len(X)), member.predict(X).astype(int)] += 1
        return counts

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.votes(X).argmax(axis=1)

    def certified_radius(self, X: np.ndarray) -> np.ndarray:
        """Poisoned training rows each prediction provably tolerates: floor((top - runner-up) / 2)."""
        counts = np.sort(self.votes(X), axis=1)
        return (counts[:, -1] - counts[:, -2]) // 2


class Bagging(Mitigation):
    name = "bagging"
    family = "robustness"
    summary = "partition aggregation: k models on disjoint hashed partitions vote (Levine & Feizi's DPA)"
    params = (Param("partitions", int, 15, "number of disjoint partitions (and models)", 2, 500, step=1),)

    def mitigate(self, X, y, *, model, seed, standardized):
        k = min(self.partitions, len(y))
        part = partition_of(X, k)
        members = [fit_quietly(model.build(seed, standardized), X[part == p], y[part == p])
                   for p in range(k) if np.any(part == p)]
        return Mitigated.keeping_all(PartitionVote(members, int(y.max()) + 1), len(y))

    def evaluate_extras(self, mitigated, X_test, y_test):
        radius = mitigated.model.certified_radius(X_test)
        return {
            "certified_radius": radius.tolist(),
            "certified_radius_median": float(np.median(radius)),
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
