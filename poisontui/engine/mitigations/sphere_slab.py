"""Sphere and slab (Steinhardt, Koh & Liang, NeurIPS 2017; Koh, Steinhardt & Liang 2018).

A row is flagged when it lies too far from its class's centre (the sphere) or too far past it
along the line from its class towards the others (the slab). Departures from the papers: features are
standardised first; the centres are coordinate-wise medians of the (possibly poisoned) rows, where
the papers give the defender the clean centroids; with more than two classes the slab runs from a
class's centre to the mean of the other classes' centres; and each threshold is `margin` times a
quantile of the class's own scores (the median by default), so a few poisoned rows far out cannot
raise the threshold meant to catch them, as a high quantile over the poisoned rows would. The slab
is one-sided: it measures only how far a row lies past its centre towards the other classes, where
a wrong label puts it. The papers' slab is symmetric; on breast-cancer the clean rows' long tail
lies on the far side of their class, and a symmetric threshold wide enough for it let the
injected points through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poisontui.engine.mitigations.base import Sanitizer, standardiser
from poisontui.engine.params import Param

QUANTILE = Param("quantile", float, 0.5, "quantile of each class's own distances that sets its thresholds "
                 "(the median: poisoned rows, a minority, barely move it)", 0.5, 1.0, step=0.05)
MARGIN = Param("margin", float, 3.0, "a row is flagged beyond margin x that quantile (sphere or slab)",
               1.0, 10.0, step=0.1)


@dataclass
class SphereSlabBounds:
    """The defence's geometry: standardisation, and per class a centre, a slab direction and two thresholds."""

    mean: np.ndarray
    scale: np.ndarray
    classes: np.ndarray
    centres: np.ndarray
    directions: np.ndarray
    radius: np.ndarray
    slab: np.ndarray

    def standardise(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def index(self, y: np.ndarray) -> np.ndarray:
        """Each label's position in `classes`."""
        return np.searchsorted(self.classes, y)

    def scores(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's distance to its class's centre, and how far past it towards the other classes it lies."""
        k = self.index(y)
        offset = self.standardise(X) - self.centres[k]
        return np.linalg.norm(offset, axis=1), np.maximum(-np.sum(offset * self.directions[k], axis=1), 0.0)

    def outside(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        sphere, slab = self.scores(X, y)
        k = self.index(y)
        return (sphere > self.radius[k]) | (slab > self.slab[k])

    def project(self, X: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray,
                slack: float = 0.9) -> np.ndarray:
        """The nearest points (approximately) inside `slack` x both thresholds and the box [low, high].

        Alternating projections onto the box, the slab and the sphere; a point still outside after
        them is pulled towards its class centre, which lies inside all three, until it is inside.
        """
        k = self.index(y)
        centre, direction = self.centres[k], self.directions[k]
        radius, slab = slack * self.radius[k], slack * self.slab[k]
        z_low, z_high = self.standardise(low), self.standardise(high)
        Z = np.clip(self.standardise(X), z_low, z_high)
        for _ in range(20):
            offset = Z - centre
            along = np.sum(offset * direction, axis=1)
            offset += np.maximum(-along - slab, 0.0)[:, None] * direction
            norm = np.linalg.norm(offset, axis=1)
            offset *= np.minimum(1.0, radius / np.maximum(norm, 1e-12))[:, None]
            Z = np.clip(centre + offset, z_low, z_high)
        offset = Z - centre
        inside = lambda o: ((np.linalg.norm(o, axis=1) <= radius * (1 + 1e-9))  # noqa: E731
                            & (-np.sum(o * direction, axis=1) <= slab * (1 + 1e-9)))
        shrink = np.ones(len(Z))
        while not inside(offset * shrink[:, None]).all():
            shrink = np.where(inside(offset * shrink[:, None]), shrink, shrink * 0.9)
        return (centre + offset * shrink[:, None]) * self.scale + self.mean


def sphere_slab_bounds(X: np.ndarray, y: np.ndarray, quantile: float, margin: float) -> SphereSlabBounds:
    """Fit the defence's geometry on training rows (the defence on the poisoned rows, an attacker on clean ones)."""
    mean, scale = standardiser(X)
    Z = (X - mean) / scale
    classes = np.unique(y)
    centres = np.array([np.median(Z[y == c], axis=0) for c in classes])
    directions = np.empty_like(centres)
    for i in range(len(classes)):
        toward = centres[i] - np.delete(centres, i, axis=0).mean(axis=0)
        norm = np.linalg.norm(toward)
        directions[i] = toward / norm if norm > 0 else 0.0
    bounds = SphereSlabBounds(mean, scale, classes, centres, directions, np.zeros(len(classes)),
                              np.zeros(len(classes)))
    sphere, slab = bounds.scores(X, y)
    k = bounds.index(y)
    bounds.radius = np.array([margin * np.quantile(sphere[k == i], quantile) for i in range(len(classes))])
    # The slab's quantile is over the rows that lie towards the others at all (about half of a class).
    bounds.slab = np.array([margin * np.quantile(slab[(k == i) & (slab > 0)], quantile) if np.any((k == i) & (slab > 0))
                            else np.inf for i in range(len(classes))])
    return bounds


class SphereSlab(Sanitizer):
    """Sphere and slab on standardised features, thresholds from each class's own quantiles."""

    name = "sphere-slab"
    family = "validation"
    summary = ("drop rows too far from their class's centre, or too far past it towards the other classes "
               "(Steinhardt, Koh & Liang 2017)")
    params = (QUANTILE, MARGIN)
    memory_copies = 3.0  # counted from the code: standardised rows, their offsets, offsets x directions

    def flag(self, X, y, seed):
        return sphere_slab_bounds(X, y, self.quantile, self.margin).outside(X, y), None
