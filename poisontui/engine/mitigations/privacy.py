"""Differential privacy: an epsilon-DP logistic regression by output perturbation.

Chaudhuri, Monteleoni & Sarwate (2011), "Differentially private empirical risk
minimization", Algorithm 1. For the objective (1/n) sum log(1 + exp(-y w.x)) +
(lam/2) |w|^2 with every |x| <= 1, the minimiser moves by at most 2 / (n lam)
when one row changes, so releasing w + b, with b drawn from the density
proportional to exp(-(n lam eps / 2) |b|), is eps-differentially private.

We implement the mechanism ourselves rather than depend on diffprivlib, whose
current release does not import with current scikit-learn. Rows are
standardised (with statistics treated as public, as diffprivlib does when no
bounds are given) and clipped to `data_norm` before scaling into the unit ball.
With several classes, one-vs-rest models split the budget: eps / K each.
"""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation
from poisontui.engine.params import Param


def ball_noise(dim: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """A draw from the density proportional to exp(-|b| / scale) on R^dim.

    Its norm follows Gamma(dim, scale) and its direction is uniform on the sphere.
    """
    direction = rng.normal(size=dim)
    direction /= np.linalg.norm(direction)
    return direction * rng.gamma(shape=dim, scale=scale)


def fit_l2_logistic(X: np.ndarray, signs: np.ndarray, lam: float) -> np.ndarray:
    """The exact minimiser of (1/n) sum log(1 + exp(-s x.w)) + lam/2 |w|^2 (signs s in {-1, +1})."""
    from scipy.optimize import minimize
    from scipy.special import expit

    n = len(signs)

    def objective(w):
        margins = signs * (X @ w)
        loss = np.logaddexp(0.0, -margins).mean() + 0.5 * lam * w @ w
        grad = -(X.T @ (signs * expit(-margins))) / n + lam * w
        return loss, grad

    result = minimize(objective, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B",
                      options={"gtol": 1e-10, "maxiter": 1000})
    return result.x


class DPLogisticRegression:
    """Epsilon-differentially private logistic regression (estimator with fit/predict)."""

    def __init__(self, epsilon: float = 1.0, data_norm: float = 1.0, lam: float = 0.1, random_state: int = 0):
        self.epsilon = epsilon
        self.data_norm = data_norm
        self.lam = lam
        self.random_state = random_state

    def _unit_ball(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean_) / self.scale_
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        Z *= np.minimum(1.0, self.data_norm / np.maximum(norms, 1e-12))
        # A constant column carries the intercept; dividing by its norm bound puts every row in the unit ball.
        Z = np.hstack([Z, np.full((len(Z), 1), self.data_norm)])
        return Z / (self.data_norm * np.sqrt(2.0))

    def fit(self, X: np.ndarray, y: np.ndarray) -> "DPLogisticRegression":
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y)
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        Z = self._unit_ball(X)
        n = len(y)
        binary = len(self.classes_) == 2
        heads = [self.classes_[1]] if binary else list(self.classes_)
        eps_each = self.epsilon / len(heads)
        self.noise_scale_ = 2.0 / (n * self.lam * eps_each)
        weights = []
        for positive in heads:
            signs = np.where(y == positive, 1.0, -1.0)
            w = fit_l2_logistic(Z, signs, self.lam)
            weights.append(w + ball_noise(len(w), self.noise_scale_, rng))
        self.coef_ = np.array(weights)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self._unit_ball(X) @ self.coef_.T

    def predict(self, X: np.ndarray) -> np.ndarray:
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


class DPLogReg(Mitigation):
    name = "dp-logreg"
    family = "privacy"
    summary = "epsilon-differentially-private logistic regression (output perturbation); replaces the model"
    params = (
        Param("epsilon", float, 1.0, "privacy budget: smaller is more private and noisier", 0.01, 100.0, step=0.5),
        Param("data_norm", float, 1.0, "rows are clipped to this norm after standardising", 0.1, 100.0, step=0.5),
        Param("lam", float, 0.1, "L2 regularisation strength (more means less noise needed)", 1e-5, 10.0,
              step=0.005),
    )

    def mitigate(self, X, y, *, model, seed, standardized):
        estimator = DPLogisticRegression(self.epsilon, self.data_norm, self.lam, random_state=seed)
        estimator.fit(X, y)
        return Mitigated.keeping_all(estimator, len(y), {"noise_scale": float(estimator.noise_scale_)})
