"""Poisoning attacks: each returns the poisoned training set and the mask of the rows it poisoned."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from poisontui.engine.errors import InputError
from poisontui.engine.params import Component, Param, shown, whole_number


@dataclass
class Poisoned:
    """A poisoned training set. `mask` marks poisoned rows of `X`/`y` (injected rows come last)."""

    X: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    source: int | None = None
    target: int | None = None
    trigger_features: np.ndarray | None = None
    trigger_values: np.ndarray | None = None
    subpopulation: "Subpopulation | None" = None

    @property
    def count(self) -> int:
        return int(self.mask.sum())

    def changes(self, X_original: np.ndarray) -> int:
        """Training rows inserted, removed or relabelled to make this set from the original.

        A relabelled or injected row is one change; a row whose features were altered is two
        (the original removed, the altered one inserted). This is the unit certificates count in.
        """
        n = len(X_original)
        altered = self.mask[:n] & np.any(self.X[:n] != X_original, axis=1)
        return int(self.mask.sum() + altered.sum())

    def stamp(self, X: np.ndarray) -> np.ndarray:
        """Return a copy of `X` with the backdoor trigger applied."""
        stamped = np.array(X, dtype=float, copy=True)
        stamped[:, self.trigger_features] = self.trigger_values
        return stamped


def share(ratio: float, n: int) -> int:
    """The exact number of rows a ratio names: floor(ratio * n), immune to float noise (0.29 * 100 is 29)."""
    return min(n, math.floor(ratio * n + 1e-9))


NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def resolve_class(value: str, class_names: list[str], what: str, default: int | None) -> int | None:
    """A class given by name (exact, else ignoring case; 1.0 names class 1) or by index; `default` when empty."""
    if value == "":
        return default
    if value in class_names:
        return class_names.index(value)
    folded = [i for i, name in enumerate(class_names) if name.casefold() == value.casefold()]
    if len(folded) == 1:
        return folded[0]
    if NUMBER.fullmatch(value):
        from poisontui.engine.columns import number_name

        if number_name(float(value)) in class_names:
            return class_names.index(number_name(float(value)))
    index = whole_number(value)
    if index is not None and 0 <= index < len(class_names):
        return index
    raise InputError(f"{what}: unknown class {shown(value)}; classes are {', '.join(class_names)}")


def relabelled(X: np.ndarray, y: np.ndarray, idx: np.ndarray, labels, **extra) -> Poisoned:
    """`X` unchanged and `y` with rows `idx` given `labels`, marked as poisoned."""
    y_new = y.copy()
    y_new[idx] = labels
    mask = np.zeros(len(y), dtype=bool)
    mask[idx] = True
    return Poisoned(X.copy(), y_new, mask, **extra)


def _other_class(y: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random class different from each label (the article's 1 - y when binary)."""
    if n_classes == 2:
        return 1 - y
    return (y + rng.integers(1, n_classes, size=len(y))) % n_classes


class Attack(Component):
    """Base class: `poison(X, y, seed=, class_names=)` returns a `Poisoned`.

    Every attack's `ratio` is the share of the rows it may poison that it does poison: all
    training rows unless the attack names a class (targeted-flip's source, confidence-flip's
    `within`, a backdoor's non-target rows) or a cluster (subpopulation's); the injections add
    that share of the training rows.
    """

    @property
    def memory_copies(self) -> float:
        """Copies of the training data the attack adds (for the memory estimate)."""
        return 0.0

    def poison(self, X: np.ndarray, y: np.ndarray, *, seed: int, class_names: list[str]) -> Poisoned:
        raise NotImplementedError

    def success_cases(self, model, X_test: np.ndarray, y_test: np.ndarray,
                      poisoned: Poisoned) -> tuple[int, int] | None:
        """(test cases the model gets the attacker's way, attacker's test cases); None if not targeted."""
        return None

    def success_rate(self, model, X_test: np.ndarray, y_test: np.ndarray, poisoned: Poisoned) -> float | None:
        """Share of the attacker's test cases the model gets the attacker's way; None if not targeted."""
        cases = self.success_cases(model, X_test, y_test, poisoned)
        return None if cases is None else cases[0] / cases[1]

    def focus_class(self, class_names: list[str]) -> int | None:
        """The class whose recall tells the story of this attack, if one does."""
        return None

    def describe(self, poisoned: Poisoned, n_train: int, class_names: list[str]) -> str:
        """What the attack did, in a sentence: "70 of 700 training labels flipped"."""
        return f"{poisoned.count} of {n_train} training labels flipped"


class LabelFlip(Attack):
    name = "label-flip"
    summary = "flip a random share of training labels (to a random other class)"
    params = (Param("ratio", float, 0.1, "share of the training rows whose labels are flipped", 0.0, 0.9, step=0.05),)

    def poison(self, X, y, *, seed, class_names):
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(y), share(self.ratio, len(y)), replace=False)
        return relabelled(X, y, idx, _other_class(y[idx], len(class_names), rng))


class _Targeted(Attack):
    def classes(self, class_names: list[str]) -> tuple[int, int]:
        source = resolve_class(self.source, class_names, f"{self.name} source", 0)
        target = resolve_class(self.target, class_names, f"{self.name} target", 1 if source == 0 else 0)
        if source == target:
            raise InputError(f"{self.name}: source and target are the same class ({class_names[source]!r})")
        return source, target

    def focus_class(self, class_names):
        return self.classes(class_names)[0]

    def success_cases(self, model, X_test, y_test, poisoned):
        rows = y_test == poisoned.source
        if not rows.any():
            return None
        return int(np.sum(model.predict(X_test[rows]) == poisoned.target)), int(rows.sum())


class TargetedFlip(_Targeted):
    name = "targeted-flip"
    summary = "relabel a share of one class as another (stop -> yield, malignant -> benign)"
    params = (
        Param("ratio", float, 0.4, "share of the source class's training rows relabelled", 0.0, 1.0, step=0.05),
        Param("source", str, "", "class whose rows are relabelled (name or index; default: the first)",
              choices_from="classes"),
        Param("target", str, "", "class they are relabelled as (default: the second)", choices_from="classes"),
    )

    def describe(self, poisoned, n_train, class_names):
        source = int(np.sum(poisoned.mask | (poisoned.y == poisoned.source)))
        return (f"{poisoned.count} of {source} training rows of {class_names[poisoned.source]!r} "
                f"relabelled {class_names[poisoned.target]!r}")

    def poison(self, X, y, *, seed, class_names):
        source, target = self.classes(class_names)
        rng = np.random.default_rng(seed)
        rows = np.flatnonzero(y == source)
        idx = rng.choice(rows, share(self.ratio, len(rows)), replace=False)
        return relabelled(X, y, idx, target, source=source, target=target)


class ConfidenceFlip(Attack):
    name = "confidence-flip"
    summary = ("flip the labels a clean model is most confident about (bites far harder than random; the seed "
               "only breaks ties, so it barely varies with the seed)")
    params = (
        Param("ratio", float, 0.2, "share of the rows it may flip (all training rows, or those of `within`) "
              "that are flipped", 0.0, 0.9, step=0.05),
        Param("within", str, "", "flip only rows of this class (name or index; default: any class)",
              choices_from="classes"),
    )

    def poison(self, X, y, *, seed, class_names):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
        proba = model.predict_proba(X)
        confidence = proba[np.arange(len(y)), y]
        candidates = np.arange(len(y))
        if self.within != "":
            candidates = np.flatnonzero(y == resolve_class(self.within, class_names, self.name, 0))
        n = share(self.ratio, len(candidates))
        # Stable sort with a seeded shuffle first, so ties are broken reproducibly by the seed.
        rng = np.random.default_rng(seed)
        candidates = rng.permutation(candidates)
        idx = candidates[np.argsort(-confidence[candidates], kind="stable")[:n]]
        # Most damaging wrong label: the class the clean model ranks second.
        ranked = np.argsort(-proba[idx], axis=1)
        return relabelled(X, y, idx, np.where(ranked[:, 0] == y[idx], ranked[:, 1], ranked[:, 0]))


class Injection(Attack):
    name = "injection"
    summary = "add crafted points with wrong labels, inside another class's region or far outside the data"
    params = (
        Param("ratio", float, 0.1, "points added, as a share of the training rows", 0.0, 2.0, step=0.05),
        Param("placement", str, "outside", "where the points go", choices=("inside", "outside")),
        Param("distance", float, 4.0, "how far outside: the offset from the class mean, in standardised units, "
              "per feature (root mean square; its length is distance x sqrt(features))", 0.5, 50.0, step=0.5),
    )

    @property
    def memory_copies(self):
        return 1.25 * self.ratio  # the added points, and a scaler's copy of them (measured 1.2)

    def describe(self, poisoned, n_train, class_names):
        return f"{poisoned.count} wrongly labelled points injected {self.placement} the data, beside {n_train} rows"

    def poison(self, X, y, *, seed, class_names):
        rng = np.random.default_rng(seed)
        n = share(self.ratio, len(y))
        std = X.std(axis=0) + 1e-12
        base = rng.choice(len(y), n, replace=True)
        points = X[base] + rng.normal(scale=0.1, size=(n, X.shape[1])) * std
        if self.placement == "outside":
            # Push each point away from the data's centre along its own class's direction,
            # where a wrongly labelled point pulls a linear boundary hardest.
            centre = X.mean(axis=0)
            means = np.array([X[y == c].mean(axis=0) for c in range(len(class_names))])
            direction = (means[y[base]] - centre) / std
            norm = np.linalg.norm(direction, axis=1, keepdims=True)
            direction = np.where(norm > 0, direction / np.maximum(norm, 1e-12), 0.0)
            points = means[y[base]] + self.distance * direction * std * np.sqrt(X.shape[1])
            points += rng.normal(scale=0.1, size=points.shape) * std
        labels = _other_class(y[base], len(class_names), rng)
        mask = np.r_[np.zeros(len(y), dtype=bool), np.ones(n, dtype=bool)]
        return Poisoned(np.vstack([X, points]), np.r_[y, labels], mask)


class Backdoor(Attack):
    name = "backdoor"
    summary = "stamp a trigger (a few features set out of range) on some rows and relabel them as the target"
    params = (
        Param("ratio", float, 0.05, "share of the training rows not of the target class that are stamped and "
              "relabelled", 0.0, 0.9, step=0.01),
        Param("target", str, "", "class a triggered input is steered to (name or index; default: the first)",
              choices_from="classes"),
        Param("size", int, 3, "number of trigger features (the last ones: a corner of an image)", 1, 64, step=1),
        Param("strength", float, 1.0, "trigger value: each feature's maximum plus strength x max(its range, 1)",
              0.1, 10.0, step=0.1),
    )

    def describe(self, poisoned, n_train, class_names):
        return (f"{poisoned.count} of {n_train} training rows stamped with a {self.size}-feature trigger "
                f"and relabelled {class_names[poisoned.target]!r}")

    def poison(self, X, y, *, seed, class_names):
        target = resolve_class(self.target, class_names, f"{self.name} target", 0)
        if self.size > X.shape[1]:
            raise InputError(f"{self.name}: size {self.size} is more than the {X.shape[1]} features")
        features = np.arange(X.shape[1] - self.size, X.shape[1])
        low, high = X[:, features].min(axis=0), X[:, features].max(axis=0)
        values = high + self.strength * np.maximum(high - low, 1.0)
        rng = np.random.default_rng(seed)
        others = np.flatnonzero(y != target)
        idx = rng.choice(others, share(self.ratio, len(others)), replace=False)
        poisoned = relabelled(X, y, idx, target, target=target, trigger_features=features, trigger_values=values)
        poisoned.X[np.ix_(idx, features)] = values
        return poisoned

    def success_cases(self, model, X_test, y_test, poisoned):
        rows = y_test != poisoned.target
        if not rows.any():
            return None
        return int(np.sum(model.predict(poisoned.stamp(X_test[rows])) == poisoned.target)), int(rows.sum())


ATTACKS: dict[str, type[Attack]] = {
    cls.name: cls for cls in (LabelFlip, TargetedFlip, ConfidenceFlip, Injection, Backdoor)
}

# The optimising attacks live in their own modules, which add themselves to ATTACKS; imported here,
# last, so that importing either module first works.
import poisontui.engine.attacks_optimal  # noqa: E402,F401
import poisontui.engine.attacks_subpopulation  # noqa: E402,F401
from poisontui.engine.attacks_subpopulation import Subpopulation  # noqa: E402
