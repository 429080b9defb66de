"""Classifiers, each built fresh for a fit from its declared parameters."""

from __future__ import annotations

import warnings

import numpy as np

from poisontui.engine.errors import InputError
from poisontui.engine.params import Component, Param

SCALE = Param(
    "scale", str, "auto", "standardise features on the training split (auto: when the model needs it "
    "and the data is not already on a standard scale)", choices=("auto", "yes", "no"),
)


class Model(Component):
    """Base class: `build(seed, standardized)` returns an unfitted scikit-learn estimator."""

    scale_sensitive = True
    memory_copies = 0.0
    """Copies of the training data a fit holds beyond the run's own (for the memory estimate)."""

    def estimator(self, seed: int):
        raise NotImplementedError

    def regularized(self, strength: float) -> "Model":
        """The same model with its regularisation multiplied by `strength`."""
        raise NotImplementedError

    def build(self, seed: int, standardized: bool = False):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        scale = self.values.get("scale", "auto")
        if scale == "yes" or (scale == "auto" and self.scale_sensitive and not standardized):
            return make_pipeline(StandardScaler(), self.estimator(seed))
        return self.estimator(seed)

    def with_values(self, **changes) -> "Model":
        return type(self)(**{**self.values, **changes})

    def min_rows(self) -> tuple[str, int] | None:
        """The parameter that sets the fewest training rows this model can learn from, and that number."""
        return None

    def check_rows(self, n_rows: int, where: str) -> None:
        """Refuse, naming the parameter and the limit, to fit on fewer rows than the model needs.

        Every fit passes here, and the experiment calls it for each training set it can foresee
        before it trains anything, so scikit-learn's own refusal never reaches a user.
        """
        need = self.min_rows()
        if need is not None and n_rows < need[1]:
            name, value = need
            raise InputError(f"{self.name}: {name}={value} needs {value} training rows, but {where} has only "
                             f"{n_rows}; use {name} at most {n_rows}")

    def fit(self, X: np.ndarray, y: np.ndarray, *, seed: int, standardized: bool, where: str):
        """A freshly built estimator fitted on (X, y); `where` names those rows in a refusal."""
        if len(np.unique(y)) >= 2:
            self.check_rows(len(y), where)
        return fit_quietly(self.build(seed, standardized), X, y)


def fit_quietly(estimator, X: np.ndarray, y: np.ndarray):
    """Fit, keeping scikit-learn's convergence chatter off the user's terminal."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if len(np.unique(y)) < 2:
            return ConstantClassifier(int(y[0]) if len(y) else 0)
        return estimator.fit(X, y)


class ConstantClassifier:
    """What a model learns from one class only: always that class."""

    def __init__(self, label: int) -> None:
        self.label = label

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.label)


class LogReg(Model):
    name = "logreg"
    summary = "logistic regression (scikit-learn defaults; the article's model)"
    params = (
        Param("C", float, 1.0, "inverse regularisation strength (smaller is stronger)", 1e-4, 1e4, step=0.5),
        Param("max_iter", int, 100, "solver iterations", 10, 10_000, step=50),
        SCALE,
    )

    def estimator(self, seed):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=self.max_iter)

    def regularized(self, strength):
        return self.with_values(C=max(self.C / strength, 1e-4))


class LinearSVM(Model):
    name = "linear-svm"
    summary = "linear support vector machine"
    memory_copies = 1.25  # liblinear copies the data into its own layout
    params = (Param("C", float, 1.0, "inverse regularisation strength", 1e-4, 1e4, step=0.5), SCALE)

    def estimator(self, seed):
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, random_state=seed)

    def regularized(self, strength):
        return self.with_values(C=max(self.C / strength, 1e-4))


class RandomForest(Model):
    name = "random-forest"
    summary = "random forest of decision trees"
    scale_sensitive = False
    memory_copies = 1.0
    params = (
        Param("n_estimators", int, 100, "number of trees", 1, 1000, step=10),
        Param("max_depth", int, 0, "maximum tree depth (0: unlimited)", 0, 100, step=1),
        Param("min_samples_leaf", int, 1, "smallest leaf", 1, 1000, step=1),
        SCALE,
    )

    def estimator(self, seed):
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=self.n_estimators, max_depth=self.max_depth or None,
            min_samples_leaf=self.min_samples_leaf, random_state=seed, n_jobs=1,
        )

    def regularized(self, strength):
        return self.with_values(min_samples_leaf=min(1000, int(round(self.min_samples_leaf * strength))))


class KNN(Model):
    name = "knn"
    summary = "k-nearest neighbours vote"
    params = (Param("n_neighbors", int, 5, "neighbours that vote", 1, 200, step=1), SCALE)

    def min_rows(self):
        return "n_neighbors", self.n_neighbors

    def estimator(self, seed):
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(n_neighbors=self.n_neighbors)

    def regularized(self, strength):
        return self.with_values(n_neighbors=min(200, int(round(self.n_neighbors * np.sqrt(strength)))))


class MLP(Model):
    name = "mlp"
    summary = "small neural network (one hidden layer)"
    params = (
        Param("hidden", int, 32, "units in the hidden layer", 1, 1024, step=8),
        Param("alpha", float, 1e-4, "L2 penalty", 0.0, 100.0, step=0.001),
        Param("max_iter", int, 300, "training epochs", 10, 5000, step=50),
        SCALE,
    )

    def estimator(self, seed):
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(self.hidden,), alpha=self.alpha, max_iter=self.max_iter, random_state=seed,
        )

    def regularized(self, strength):
        return self.with_values(alpha=min(100.0, max(self.alpha, 1e-4) * strength))


MODELS: dict[str, type[Model]] = {cls.name: cls for cls in (LogReg, LinearSVM, RandomForest, KNN, MLP)}
