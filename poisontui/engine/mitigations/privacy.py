"""Differential privacy: an epsilon-DP logistic regression by output perturbation.

Chaudhuri, Monteleoni & Sarwate (2011), "Differentially private empirical risk
minimization", Algorithm 1. For the objective (1/n) sum log(1 + exp(-y w.x)) +
(lam/2) |w|^2 with every |x| <= 1, the minimiser moves by at most 2 / (n lam)
when one row changes, so releasing w + b, with b drawn from the density
proportional to exp(-(n lam eps / 2) |b|), is eps-differentially private.

Neighbouring datasets differ by one replaced row; the set of classes is public.
What is private and what is assumed public: rows are standardised with the mean
and scale of a seeded random share of the training rows (`public_share`), whose
features are assumed public, as a small public sample from the same population
would be. Everything else the mechanism fits (the weights of every head) comes
from the noisy minimiser, so the guarantee covers every other training row: a
change to one of them moves the noise-free weights by at most 2 / (n lam).
Standardising with statistics of the private rows, as diffprivlib does when no
bounds are given, would spend no budget and void that bound. With several
classes, one-vs-rest models split the budget (eps / K each). The guarantee
assumes the noise is secret: poisontui draws it from the run's seed so that a
run can be reproduced, which makes each run a simulation of the mechanism
(anyone with the seed can remove the noise), not a private release.

We implement the mechanism ourselves rather than depend on diffprivlib, whose
current release does not import with current scikit-learn.
"""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import Mitigated, Mitigation, canonical_classes
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

    def __init__(self, epsilon: float = 1.0, data_norm: float = 1.0, lam: float = 0.1, public_share: float = 0.1,
                 random_state: int = 0):
        self.epsilon = epsilon
        self.data_norm = data_norm
        self.lam = lam
        self.public_share = public_share
        self.random_state = random_state

    def _unit_ball(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean_) / self.scale_
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        Z *= np.minimum(1.0, self.data_norm / np.maximum(norms, 1e-12))
        # A constant column carries the intercept; dividing by its norm bound puts every row in the unit ball.
        Z = np.hstack([Z, np.full((len(Z), 1), self.data_norm)])
        return Z / (self.data_norm * np.sqrt(2.0))

    def public_rows(self, n: int) -> np.ndarray:
        """The rows whose features are treated as public: a seeded draw that depends on n alone."""
        rng = np.random.default_rng([self.random_state, 1])
        return rng.choice(n, max(2, int(round(self.public_share * n))), replace=False)

    def fit(self, X: np.ndarray, y: np.ndarray) -> "DPLogisticRegression":
        public = X[self.public_rows(len(y))]
        self.mean_ = public.mean(axis=0)
        std = public.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        Z = self._unit_ball(X)
        n = len(y)
        # Heads in order of the classes' first appearance, so each noise draw attaches to the same class
        # however classes are coded. A binary model has one head, for the first row's class. Neither choice
        # is released: the model is stored as one score vector per class in code order, and since the noise
        # is symmetric and independent per head, that release has the same distribution whichever head or
        # order was used.
        order, _ = canonical_classes(y)
        self.classes_ = np.unique(y)
        self._heads = order[:1] if len(order) == 2 else order
        eps_each = self.epsilon / len(self._heads)
        self.noise_scale_ = 2.0 / (n * self.lam * eps_each)
        self._head_weights = np.array([fit_l2_logistic(Z, np.where(y == head, 1.0, -1.0), self.lam)
                                       for head in self._heads])
        # The noise-free weights, kept to measure the mechanism; a private release would never include them.
        self.exact_coef_ = self._class_scores(self._head_weights)
        self.coef_ = self.release(self.random_state)
        return self

    def release(self, seed) -> np.ndarray:
        """The weights with one draw of the mechanism's noise, as a score vector per class."""
        rng = np.random.default_rng(seed)
        noise = np.array([ball_noise(self._head_weights.shape[1], self.noise_scale_, rng) for _ in self._heads])
        return self._class_scores(self._head_weights + noise)

    def _class_scores(self, head_weights: np.ndarray) -> np.ndarray:
        if len(self._heads) == 1:
            sign = np.where(self.classes_ == self._heads[0], 1.0, -1.0)
            return sign[:, None] * head_weights[0][None, :]
        rows = {c: w for c, w in zip(self._heads, head_weights)}
        return np.array([rows[c] for c in self.classes_])

    def predict_with(self, coef: np.ndarray, X: np.ndarray) -> np.ndarray:
        # Scores tie only on a set of measure zero under continuous noise.
        return self.classes_[(self._unit_ball(X) @ coef.T).argmax(axis=1)]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_with(self.coef_, X)


NOISE_DRAWS = 10


class DPLogReg(Mitigation):
    name = "dp-logreg"
    family = "privacy"
    summary = ("epsilon-DP logistic regression (output perturbation); replaces the model; a seeded share of "
               "rows is assumed public for scaling")
    params = (
        Param("epsilon", float, 1.0, "privacy budget for the private rows: smaller is more private and noisier",
              0.01, 100.0, step=0.5),
        Param("data_norm", float, 1.0, "rows are clipped to this norm after standardising", 0.1, 100.0, step=0.5),
        Param("lam", float, 0.1, "L2 regularisation strength (more means less noise needed)", 1e-5, 10.0,
              step=0.005),
        Param("public_share", float, 0.1, "share of training rows whose features are assumed public and set the "
              "standardisation (the guarantee covers the other rows)", 0.02, 0.5, step=0.02),
    )

    def mitigate(self, X, y, *, model, seed, standardized):
        estimator = DPLogisticRegression(self.epsilon, self.data_norm, self.lam, self.public_share,
                                         random_state=seed)
        estimator.fit(X, y)
        return Mitigated.keeping_all(estimator, len(y), {"noise_scale": float(estimator.noise_scale_)})

    def evaluate_extras(self, mitigated, X_test, y_test):
        """Accuracy over several noise draws of the same fit: one draw alone can mislead.

        The first draw is the released model whose row this is. The spread measures the
        mechanism; publishing several draws would spend the budget once per draw.
        """
        estimator = mitigated.model
        seed = estimator.random_state
        draws = [estimator.coef_] + [estimator.release([seed, 2, i]) for i in range(1, NOISE_DRAWS)]
        accuracy = np.array([np.mean(estimator.predict_with(coef, X_test) == y_test) for coef in draws])
        return {"accuracy_over_noise": {"draws": NOISE_DRAWS, "mean": float(accuracy.mean()),
                                        "sd": float(accuracy.std(ddof=1)), "min": float(accuracy.min()),
                                        "max": float(accuracy.max())}}
