"""Spectral signatures (Tran, Li & Madry, NeurIPS 2018).

Within each class, poisoned rows that share a trigger move the class's representations along
one direction, which becomes the top singular vector of the centred representations; rows far
along it are flagged. The representation is the standardised features, or the hidden layer of
the model when it is an MLP (the paper uses a network's learned representation). Departure from
the paper: it removes a fixed 1.5 epsilon share of each class, epsilon the known poisoned share;
here a row is flagged when its projection is an outlier among its class's projections (robust
z-score above `threshold`, at most `max_share` of the class), so nothing need be known and clean
classes lose only the few rows that stand out.
"""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import Sanitizer, by_class, standardiser
from poisontui.engine.mitigations.validation import robust_z
from poisontui.engine.models import fit_quietly
from poisontui.engine.params import Param
from poisontui.engine.threads import one_thread

MIN_ROWS = 10


def standardised(X: np.ndarray) -> np.ndarray:
    mean, scale = standardiser(X)
    return (X - mean) / scale


def spectral_scores(R: np.ndarray) -> np.ndarray:
    """Each row's projection on the top right singular vector of the centred rows (Tran et al.'s score is its square)."""
    centred = R - R.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[0]


def spectral_outliers(R: np.ndarray, y: np.ndarray, threshold: float, max_share: float) -> np.ndarray:
    """Rows whose projection is a robust outlier within their class, at most `max_share` of each class."""
    flagged = np.zeros(len(y), dtype=bool)
    for rows in by_class(y, True):
        if len(rows) < MIN_ROWS:
            continue
        z = np.abs(robust_z(spectral_scores(R[rows]))[:, 0])
        # The largest z first; equal z in row order, so the cap is decided by the rows, not by class codes.
        order = np.argsort(-z, kind="stable")[: int(max_share * len(rows))]
        flagged[rows[order[z[order] > threshold]]] = True
    return flagged


def hidden_layer(model, X: np.ndarray, y: np.ndarray, seed: int, standardized: bool) -> np.ndarray:
    """The hidden-layer activations of the model (an MLP) trained on these rows."""
    fitted = fit_quietly(model.build(seed, standardized), X, y)
    net = fitted[-1] if hasattr(fitted, "steps") else fitted
    inputs = fitted[:-1].transform(X) if hasattr(fitted, "steps") else X
    if not hasattr(net, "coefs_"):
        return inputs
    return np.maximum(inputs @ net.coefs_[0] + net.intercepts_[0], 0.0)


class SpectralSignatures(Sanitizer):
    name = "spectral"
    family = "anomaly"
    summary = ("drop rows far along the top singular direction of their class (spectral signatures, "
               "Tran et al. 2018): what a shared backdoor trigger leaves")
    params = (
        Param("threshold", float, 4.0, "robust z a row's projection must exceed within its class", 1.0, 50.0,
              step=0.5),
        Param("max_share", float, 0.5, "most of a class that may be flagged", 0.01, 0.5, step=0.01),
        Param("representation", str, "auto", "what is projected: standardised features, or the hidden layer "
              "of the MLP trained on the rows (auto: hidden when the model is an MLP)",
              choices=("auto", "features", "hidden")),
    )

    memory_copies = 2.25  # counted from the code: centred and standardised rows, then the model's fit

    def flag(self, X, y, seed):
        return spectral_outliers(standardised(X), y, self.threshold, self.max_share), None

    @one_thread
    def mitigate(self, X, y, *, model, seed, standardized):
        hidden = self.representation == "hidden" or (self.representation == "auto" and model.name == "mlp")
        if not hidden:
            return super().mitigate(X, y, model=model, seed=seed, standardized=standardized)
        R = standardised(hidden_layer(model, X, y, seed, standardized))
        flagged = spectral_outliers(R, y, self.threshold, self.max_share)
        return self.train_after(flagged, None, X, y, model=model, seed=seed, standardized=standardized)
