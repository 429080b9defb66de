"""Decision regions in the 2-D view of the training rows: what each model predicts across the view.

On data with two features the view is the features themselves (standardised), and a region is
exactly the model's decision. On wider data the view is a projection: each grid point of the
principal-component plane is mapped back to a feature row (every other component at the rows'
mean) and the full model predicts there, so the regions are a slice of the model's decision
through the middle of the data; rows are drawn where they project, off that slice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from poisontui.engine.projection import Projection

GRID = (120, 48)
"""Grid points across and down: finer than the panels the app draws regions in."""
MARGIN = 0.05
"""Share of the rows' extent added on each side, so edge rows do not sit on the frame."""


@dataclass
class Boundary:
    """Each variant's predicted class at every point of a grid over the training rows' 2-D view."""

    coords: np.ndarray  # (n, 2): each training row (after the attack) in the view
    axes: str
    projected: bool
    variance: float  # share of the standardised features' variance the view shows
    features: int
    xs: np.ndarray  # grid x coordinates, left to right
    ys: np.ndarray  # grid y coordinates, bottom to top
    regions: dict[str, np.ndarray] = field(default_factory=dict)  # variant -> (len(ys), len(xs)) class codes

    @property
    def method(self) -> str:
        """How the regions were obtained, in a sentence for the screen."""
        if self.features == 1:
            return "across: the one feature, standardised (nothing varies up and down); regions: each model's prediction"
        if not self.projected:
            return "axes: the two features, standardised; regions: each model's prediction there"
        return (f"2-D projection (PCA, {self.variance:.0%} of variance): each model predicts at grid "
                f"points mapped back to the {self.features} features, other components at their mean")

    def disagreement(self, name: str, other: str = "clean") -> float:
        """Share of the view where `name` predicts another class than `other`."""
        return float(np.mean(self.regions[name] != self.regions[other]))


class Plane:
    """The view of some training rows and its grid, ready to take each fitted model's predictions."""

    def __init__(self, X: np.ndarray, size: tuple[int, int] = GRID) -> None:
        view = Projection(X)
        coords = view.transform(X)
        low, high = coords.min(axis=0), coords.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        low, high = low - MARGIN * span, high + MARGIN * span
        xs, ys = np.linspace(low[0], high[0], size[0]), np.linspace(low[1], high[1], size[1])
        self.boundary = Boundary(coords, view.axes, view.projected, view.variance, X.shape[1], xs, ys)
        self.points = view.inverse(grid_points(xs, ys))

    def add(self, name: str, model: Any) -> None:
        """Record `model`'s predicted class at every grid point as the regions of `name`."""
        b = self.boundary
        predicted = np.asarray(model.predict(self.points))
        b.regions[name] = predicted.reshape(len(b.ys), len(b.xs)).astype(np.int16)


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Every (x, y) of the grid, row by row from the bottom: point j * len(xs) + i is (xs[i], ys[j])."""
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()]


def decision_regions(X: np.ndarray, models: dict[str, Any], size: tuple[int, int] = GRID) -> Boundary:
    """The regions of each fitted model in `models` over the view of the rows `X`."""
    plane = Plane(X, size)
    for name, model in models.items():
        plane.add(name, model)
    return plane.boundary
