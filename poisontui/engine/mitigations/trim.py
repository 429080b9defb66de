"""TRIM (Jagielski, Oprea, Biggio, Liu, Nita-Rotaru & Li, IEEE S&P 2018).

Alternate between fitting the model and keeping the rows it fits best: each round refits on the
`keep` share of training rows with the lowest loss under the last fit, until the kept rows stop
changing. The paper defines it for linear regression with squared loss; here the loss is the
chosen classifier's own: the log loss -log p(y) where the model gives probabilities, else the
negative margin of the label's decision score. The paper starts from a random subset; this
starts from the fit on every row, so the result does not depend on the seed. A model that fits
its training rows perfectly (a deep forest, 1-nearest-neighbour) gives every row zero loss and
TRIM then keeps rows by their order alone: it is meant for models with a training loss.
"""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation
from poisontui.engine.models import fit_quietly
from poisontui.engine.params import Param
from poisontui.engine.threads import one_thread


def row_losses(fitted, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each row's loss under a fitted classifier; a label the model never saw costs infinitely much."""
    classes = np.asarray(getattr(fitted, "classes_", np.unique(y)))
    column = np.searchsorted(classes, y).clip(0, len(classes) - 1)
    known = classes[column] == y
    rows = np.arange(len(y))
    if hasattr(fitted, "predict_proba"):
        proba = fitted.predict_proba(X)
        loss = -np.log(np.maximum(proba[rows, column], 1e-300))
    else:
        scores = fitted.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        own = scores[rows, column]
        scores[rows, column] = -np.inf
        loss = scores.max(axis=1) - own
    return np.where(known, loss, np.inf)


class Trim(Mitigation):
    name = "trim"
    family = "robustness"
    summary = "refit on the share of rows the model fits best, until they stop changing (TRIM, Jagielski et al. 2018)"
    params = (
        Param("keep", float, 0.8, "share of the training rows each fit uses (at most 1 - the share you fear is "
              "poisoned)", 0.5, 1.0, step=0.05),
        Param("rounds", int, 10, "most refits before it stops", 1, 100, step=1),
    )

    memory_copies = 2.0  # counted from the code: the kept rows, a scaler's copy of them, the probabilities

    @one_thread
    def mitigate(self, X, y, *, model, seed, standardized):
        n_keep = max(2, int(round(self.keep * len(y))))
        kept = np.ones(len(y), dtype=bool)
        fitted = fit_quietly(model.build(seed, standardized), X, y)
        rounds = 0
        for rounds in range(1, self.rounds + 1):
            # Losses rounded so that floating-point noise cannot reorder equal ones; ties go to row order.
            losses = np.round(row_losses(fitted, X, y), 10)
            chosen = np.zeros(len(y), dtype=bool)
            chosen[np.argsort(losses, kind="stable")[:n_keep]] = True
            if np.array_equal(chosen, kept):
                break
            kept = chosen
            fitted = fit_quietly(model.build(seed, standardized), X[kept], y[kept])
        none = np.zeros(len(y), dtype=bool)
        return Mitigated(fitted, kept, none, ~kept, extras={"trim_rounds": rounds})
