"""Model robustness: training schemes that limit what a few poisoned rows can do."""

from __future__ import annotations

import hashlib

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation
from poisontui.engine.errors import InputError
from poisontui.engine.params import Param
from poisontui.engine.progress import counted


def row_hashes(X: np.ndarray, salt: int = 0) -> np.ndarray:
    """A 64-bit hash of each row's feature values, keyed by `salt`."""
    rows = np.ascontiguousarray(X, dtype=np.float64)
    key = int(salt).to_bytes(8, "little")
    return np.array([int.from_bytes(hashlib.blake2b(r.tobytes(), digest_size=8, key=key).digest(), "little")
                     for r in rows], dtype=np.uint64)


def partition_of(X: np.ndarray, k: int, salt: int = 0) -> np.ndarray:
    """Assign each row to one of k partitions by a salted hash of its feature values.

    A row's partition depends on the row alone (and the salt, the run's seed), so
    inserting, removing or relabelling one training row changes exactly one partition's
    model; a row whose features change may move, changing two.
    """
    return (row_hashes(X, salt) % np.uint64(k)).astype(int)


def smallest_partition(hashes: np.ndarray, k: int) -> int:
    """Rows in the smallest non-empty partition of k."""
    sizes = np.bincount((hashes % np.uint64(k)).astype(int), minlength=k)
    return int(sizes[sizes > 0].min())


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

    def check_fit(self, X, y, model, seed):
        need = model.min_rows()
        k = min(self.partitions, len(y))
        if need is None:
            return
        name, value = need
        hashes = row_hashes(X, salt=seed)
        smallest = smallest_partition(hashes, k)
        if smallest >= value:
            return
        # The hashed partitions are uneven, so the largest workable count is found by trying each.
        workable = next((j for j in range(k - 1, 1, -1) if smallest_partition(hashes, j) >= value), None)
        advice = (f"at most {workable} partitions work with this data" if workable is not None else
                  f"no split of these {len(y)} rows into 2 or more partitions gives each {value}")
        raise InputError(f"bagging: partitions={self.partitions} leaves a partition of {smallest} training "
                         f"row{'s' if smallest != 1 else ''}, but {model.name} needs {name}={value} in each; "
                         f"{advice} (or lower {name})")

    def mitigate(self, X, y, *, model, seed, standardized):
        k = min(self.partitions, len(y))
        part = partition_of(X, k, salt=seed)
        # An empty partition casts no vote. A row inserted there adds one vote, which moves a margin by one,
        # less than the two a changed vote moves it by, so the certificate still holds.
        members = [model.fit(X[part == p], y[part == p], seed=seed, standardized=standardized,
                             where=f"bagging partition {p}")
                   for p in counted(range(k), k, "partitions") if np.any(part == p)]
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

    def check_fit(self, X, y, model, seed):
        need = model.regularized(self.strength).min_rows()
        if need is not None and len(y) < need[1]:
            raise InputError(f"regularize: strength={self.strength:g} sets {model.name}'s {need[0]} to {need[1]}, "
                             f"more than the {len(y)} training rows; lower the strength")

    def mitigate(self, X, y, *, model, seed, standardized):
        stronger = model.regularized(self.strength)
        fitted = stronger.fit(X, y, seed=seed, standardized=standardized, where="the training set")
        return Mitigated.keeping_all(fitted, len(y), {"model": stronger.spec()})
