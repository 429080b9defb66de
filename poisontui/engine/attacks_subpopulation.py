"""The subpopulation attack (Jagielski, Severi, Pousette Harger & Oprea, ACM CCS 2021).

The attacker picks one natural cluster of a class and relabels it, so the model fails on inputs
like those and on little else; overall accuracy barely moves, which is what makes it hard to
notice. Its success is measured on the same cluster of the test set: the share of the test rows
of the class that fall in the cluster and are predicted as the target class.

Departures from the paper: its ClusterMatch clusters all rows (in a network's feature space) and
poisons by adding relabelled copies of the cluster's rows; here k-means runs on the standardised
features of the source class's rows only, the cluster is chosen by its closeness to the target
class (1: the nearest, the most vulnerable), and `ratio` of its rows are relabelled in place, as
the other flips in this tool do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poisontui.engine.attacks import ATTACKS, _Targeted, relabelled, share
from poisontui.engine.threads import one_thread
from poisontui.engine.errors import InputError
from poisontui.engine.mitigations.base import standardiser
from poisontui.engine.params import Param


@dataclass
class Subpopulation:
    """The attacked cluster: k-means centres in standardised units, and which one it is."""

    mean: np.ndarray
    scale: np.ndarray
    centres: np.ndarray
    chosen: int

    def contains(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean) / self.scale
        distances = ((Z[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)
        return distances.argmin(axis=1) == self.chosen


class SubpopulationFlip(_Targeted):
    name = "subpopulation"
    summary = ("relabel one cluster of a class as another class, so the model fails on that kind of input "
               "only (Jagielski et al. 2021); success is measured on that cluster of the test set")
    params = (
        Param("ratio", float, 1.0, "share of the cluster's training rows relabelled", 0.0, 1.0, step=0.05),
        Param("source", str, "", "class whose cluster is relabelled (name or index; default: the first)",
              choices_from="classes"),
        Param("target", str, "", "class the cluster is relabelled as (default: the second)",
              choices_from="classes"),
        Param("clusters", int, 5, "k-means clusters the source class is split into", 2, 20, step=1),
        Param("cluster", int, 1, "which cluster, ranked by closeness to the target class (1: the nearest)",
              1, 20, step=1),
    )

    memory_copies = 1.5  # counted from the code: standardised rows, and k-means' copy of one class's

    @one_thread  # k-means' threads on a few hundred rows: 8.7 s against 0.1 s on a busy two-core machine
    def poison(self, X, y, *, seed, class_names):
        from sklearn.cluster import KMeans

        source, target = self.classes(class_names)
        if self.cluster > self.clusters:
            raise InputError(f"{self.name}: cluster {self.cluster} is beyond the {self.clusters} clusters")
        rows = np.flatnonzero(y == source)
        if len(rows) < self.clusters:
            raise InputError(f"{self.name}: {class_names[source]!r} has {len(rows)} training rows, fewer than "
                             f"{self.clusters} clusters")
        mean, scale = standardiser(X)
        Z = (X - mean) / scale
        kmeans = KMeans(n_clusters=self.clusters, n_init=10, random_state=seed).fit(Z[rows])
        target_centre = Z[y == target].mean(axis=0)
        closeness = np.linalg.norm(kmeans.cluster_centers_ - target_centre, axis=1)
        chosen = int(np.argsort(closeness, kind="stable")[self.cluster - 1])
        members = rows[kmeans.labels_ == chosen]
        rng = np.random.default_rng(seed)
        idx = rng.choice(members, share(self.ratio, len(members)), replace=False)
        return relabelled(X, y, idx, target, source=source, target=target,
                          subpopulation=Subpopulation(mean, scale, kmeans.cluster_centers_, chosen))

    def describe(self, poisoned, n_train, class_names):
        members = int(np.sum(poisoned.subpopulation.contains(poisoned.X)
                             & ((poisoned.y == poisoned.source) | poisoned.mask)))
        return (f"{poisoned.count} of the {members} training rows in one cluster of "
                f"{class_names[poisoned.source]!r} relabelled {class_names[poisoned.target]!r}")

    def success_cases(self, model, X_test, y_test, poisoned):
        rows = (y_test == poisoned.source) & poisoned.subpopulation.contains(X_test)
        if not rows.any():
            return None
        return int(np.sum(model.predict(X_test[rows]) == poisoned.target)), int(rows.sum())


ATTACKS[SubpopulationFlip.name] = SubpopulationFlip
