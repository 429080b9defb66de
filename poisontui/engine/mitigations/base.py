"""What every mitigation shares: the result shape, and the filter-then-train pattern of sanitisers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from poisontui.engine.models import Model
from poisontui.engine.params import Component, Param
from poisontui.engine.progress import counted

FAMILIES = {
    "validation": "Robust data validation",
    "anomaly": "Anomaly detection",
    "privacy": "Differential privacy",
    "robustness": "Model robustness",
}


@dataclass
class Mitigated:
    """A fitted model and what the mitigation did to the training rows on the way."""

    model: Any
    kept: np.ndarray
    relabelled: np.ndarray
    flagged: np.ndarray | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def keeping_all(cls, model: Any, n_rows: int, extras: dict[str, Any] | None = None) -> "Mitigated":
        """A model trained on every row, as given: nothing dropped, relabelled or flagged."""
        none = np.zeros(n_rows, dtype=bool)
        return cls(model, ~none, none, extras=extras or {})


class Mitigation(Component):
    """Base class: `mitigate(X, y, model=, seed=, standardized=)` returns a `Mitigated`."""

    family: ClassVar[str] = ""
    memory_copies: ClassVar[float] = 1.25
    """Copies of the training data this method holds at once (for the memory estimate; measured)."""

    def mitigate(self, X: np.ndarray, y: np.ndarray, *, model: Model, seed: int, standardized: bool) -> Mitigated:
        raise NotImplementedError

    def check_fit(self, X: np.ndarray, y: np.ndarray, model: Model, seed: int) -> None:
        """Refuse, before anything is trained, what the model cannot learn from the rows this method
        would give it (as `Model.check_rows` does)."""

    def evaluate_extras(self, mitigated: Mitigated, X_test: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
        """Figures only this mitigation can give about the test set (bagging's certificates)."""
        return {}


ACTION = Param("action", str, "drop", "what happens to a flagged row", choices=("drop", "relabel"))


class Sanitizer(Mitigation):
    """Flags suspicious training rows, drops or relabels them, then trains the chosen model as usual."""

    def flag(self, X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the flagged-row mask and, for methods that can, a suggested label for every row."""
        raise NotImplementedError

    def mitigate(self, X, y, *, model, seed, standardized):
        flagged, suggested = self.flag(X, y, seed)
        return self.train_after(flagged, suggested, X, y, model=model, seed=seed, standardized=standardized)

    def train_after(self, flagged: np.ndarray, suggested: np.ndarray | None, X: np.ndarray, y: np.ndarray, *,
                    model: Model, seed: int, standardized: bool) -> Mitigated:
        """Drop (or relabel) the flagged rows and train the model on what is left."""
        kept = np.ones(len(y), dtype=bool)
        y_used = y.copy()
        if self.values.get("action", "drop") == "relabel" and suggested is not None:
            y_used[flagged] = suggested[flagged]
        else:
            kept = ~flagged
        relabelled = y_used != y
        fitted = model.fit(X[kept], y_used[kept], seed=seed, standardized=standardized,
                           where=f"what {self.name} kept")
        return Mitigated(fitted, kept, relabelled, flagged)


def by_class(y: np.ndarray, per_class: bool):
    """Row groups to score separately: one per class (progress is reported per class), or all rows together."""
    if not per_class:
        yield np.arange(len(y))
        return
    classes = np.unique(y)
    yield from counted((np.flatnonzero(y == c) for c in classes), len(classes), "classes")


def standardiser(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each feature's mean and standard deviation, a deviation of 0 taken as 1 (a constant feature stays 0)."""
    scale = X.std(axis=0)
    return X.mean(axis=0), np.where(scale > 0, scale, 1.0)


def canonical_classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes numbered by first appearance in `y`: (the original code of each, `y` recoded).

    Methods that must order classes (fold assignment, ranking ties) use this order, which
    follows the rows, so recoding the classes cannot change what they do.
    """
    _, first = np.unique(y, return_index=True)
    order = y[np.sort(first)]
    recode = np.empty(int(y.max()) + 1, dtype=int)
    recode[order] = np.arange(len(order))
    return order, recode[y]
