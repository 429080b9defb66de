"""Attacks that optimise against the model they poison: logistic regression, differentiated at its optimum.

The attacker knows the training rows and assumes the victim is scikit-learn's default logistic
regression (C = 1) on standardised features (or, for gradient injection with `model=linear-svm`,
LinearSVC). It wants the victim to do badly on the clean
training rows (its stand-in for unseen data). How a measure L of that moves when the training
set changes comes from implicit differentiation of the training optimum (Koh & Liang, ICML 2017;
Mei & Zhu, AAAI 2015): with H the Hessian of the training objective at the optimum and
v = H^-1 grad L, a change that moves the objective's gradient by dg moves L by about -v . dg
(the injections use this; the label flip only refits).

- `optimal-flip`: ALFA (Xiao, Xiao & Eckert, ECAI 2012) alternates between fitting the victim to
  the flipped labels and flipping the rows whose flipped label that fit finds most costly. Here
  each of `rounds` rounds refits logistic regression (ALFA's victim is an SVM) to the flips so far
  and flips its share of the budget where the refit is surest of the true label. Where it departs:
  the budget is first split between one class and the rest (all, 80% or 60% of it on either class
  with two classes; all of it on one class with more), one candidate set per split, and ALFA's
  relaxed linear programme is replaced by picking, among these sets and confidence-flip's, the one
  whose fits on two thirds of the training rows get the most of the held-out third wrong against
  the true labels (3-fold, log loss breaking ties). Held-out rows stand in for unseen data: counted
  on the rows it was fitted to, a set that the model merely memorises looks strongest.
- `gradient-injection`: Biggio, Nelson & Laskov (ICML 2012) poison an SVM by gradient ascent on
  one point's features through the optimum; Mei & Zhu do the same for several points at once.
  Here all points move together against logistic regression (not an SVM), each step a shrinking
  length in the max norm along its gradient, kept within the box of the clean data's per-feature
  minimum and maximum; the optimum is tracked by Newton steps after each move, and the points of
  the step with the highest L are returned. L is the expected number of clean rows misclassified,
  the sum of 1 - p(true label), where Biggio et al. use the hinge loss on validation rows: on
  breast-cancer it lowered accuracy to 0.889 over 5 seeds, against 0.924 with the log loss.
  With `model=linear-svm` the attacker differentiates a linear SVM as scikit-learn's LinearSVC
  fits it, as Biggio et al. do; where they use the hinge loss (not differentiable at the margin)
  and track the optimum by incremental SVM updates, this is the squared hinge (LinearSVC's
  default, smooth once) refitted by Newton steps, and L is their measure, the hinge loss of the
  clean rows (not of separate validation rows).
- `adaptive-injection`: the same optimisation, kept inside the feasible set of the sphere-and-slab
  defence as the attacker computes it from the clean rows (Koh, Steinhardt & Liang 2018, who
  also optimise inside a defence's constraints), with 10% to spare, so the defence, fitted on
  the poisoned rows, lets the points through.
- `adaptive-zscore-injection`: the same, kept inside the z-score filter's envelope as computed from
  the clean rows (a ball in robust z units around the features' medians, per class with
  `per_class`), with 10% to spare; Koh et al. do not treat this filter, the constraint is theirs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from poisontui.engine.attacks import ATTACKS, Attack, ConfidenceFlip, Poisoned, relabelled, share
from poisontui.engine.mitigations.base import standardiser
from poisontui.engine.mitigations.sphere_slab import MARGIN, QUANTILE, sphere_slab_bounds
from poisontui.engine.mitigations.validation import ZScoreEnvelope, ZScoreFilter
from poisontui.engine.params import Param
from poisontui.engine.threads import one_thread

ZSCORE_THRESHOLD, ZSCORE_PER_CLASS = ZScoreFilter.params
C = 1.0
DAMPING = 1e-6
REUSE_HESSIAN_ABOVE = 400


class LogisticOptimum:
    """Logistic regression (C = 1, unpenalised intercept) at its optimum, and the derivatives attacks need.

    Weights are an (m, d + 1) matrix, the last column the intercept: m = 1 (a sigmoid) for two
    classes, m = K (a softmax) for K > 2, as scikit-learn parametrises them.
    """

    def __init__(self, n_classes: int) -> None:
        self.n_classes = n_classes
        self.m = 1 if n_classes == 2 else n_classes

    def fit(self, Z: np.ndarray, y: np.ndarray) -> np.ndarray:
        from sklearn.linear_model import LogisticRegression

        from poisontui.engine.models import fit_quietly

        fitted = fit_quietly(LogisticRegression(C=C, max_iter=1000), Z, y)
        W = np.full((self.m, Z.shape[1] + 1), 0.0)
        if self.m == 1:
            W[0] = np.r_[fitted.coef_[0], fitted.intercept_[0]]
        else:
            W[:, -1] = -30.0  # a class missing from the rows gets no probability
            W[fitted.classes_] = np.column_stack([fitted.coef_, fitted.intercept_])
        return W

    def probabilities(self, Z: np.ndarray, W: np.ndarray) -> np.ndarray:
        logits = augment(Z) @ W.T
        if self.m == 1:
            return 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def scores(self, Z: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Each row's score for each weight row (logits here, decision values for the SVM): labels rank by it."""
        return augment(Z) @ W.T

    def onehot(self, y: np.ndarray) -> np.ndarray:
        return y[:, None].astype(float) if self.m == 1 else np.eye(self.m)[y]

    def loss(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> float:
        """Summed log loss."""
        q = self.probabilities(Z, W)
        if self.m == 1:
            p = np.where(y == 1, q[:, 0], 1.0 - q[:, 0])
        else:
            p = q[np.arange(len(y)), y]
        return float(-np.sum(np.log(np.maximum(p, 1e-300))))

    def loss_gradient(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Gradient of the summed log loss with respect to the weights, (m, d + 1)."""
        return (self.probabilities(Z, W) - self.onehot(y)).T @ augment(Z)

    def objective_gradient(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
        penalty = W.copy()
        penalty[:, -1] = 0.0
        return C * self.loss_gradient(Z, y, W) + penalty

    def hessian(self, Z: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Hessian of C x summed log loss + |weights|^2 / 2 (intercept unpenalised), flattened row-major."""
        Za = augment(Z)
        q = self.probabilities(Z, W)
        if self.m == 1:
            H = C * (Za * (q * (1 - q))).T @ Za
        else:
            D = Za.shape[1]
            H = np.zeros((self.m * D, self.m * D))
            for k in range(self.m):
                H[k * D:(k + 1) * D, k * D:(k + 1) * D] = (Za * q[:, k:k + 1]).T @ Za
            U = (q[:, :, None] * Za[:, None, :]).reshape(len(Za), -1)
            H = C * (H - U.T @ U)
        penalty = np.tile(np.r_[np.ones(Z.shape[1]), 0.0], self.m)
        return H + np.diag(penalty + DAMPING)

    def hessian_times(self, Z: np.ndarray, W: np.ndarray, V: np.ndarray) -> np.ndarray:
        """The Hessian applied to V, (m, d + 1), without forming the Hessian: O(rows x m x d)."""
        Za = augment(Z)
        q = self.probabilities(Z, W)
        A = Za @ V.T
        SA = q * (1 - q) * A if self.m == 1 else q * A - q * np.sum(q * A, axis=1, keepdims=True)
        penalty = V.copy()
        penalty[:, -1] = 0.0
        return C * SA.T @ Za + penalty + DAMPING * V

    def solver(self, Z: np.ndarray, W: np.ndarray, y: np.ndarray | None = None):
        """A function B -> H^-1 B for the Hessian at W on rows Z (labels y: unused, the SVM needs them),
        factorised once for many right-hand sides.

        Up to 2,000 weights (ten-class digits has 650) the Hessian is formed and factorised; beyond,
        forming it would cost rows x weights^2, so conjugate gradients apply it by products instead.
        """
        size = W.size
        if size <= 2000:
            from scipy.linalg import cho_factor, cho_solve

            factor = cho_factor(self.hessian(Z, W))
            return lambda B: cho_solve(factor, B.ravel()).reshape(W.shape)
        from scipy.sparse.linalg import LinearOperator, cg

        operator = LinearOperator((size, size), dtype=float,
                                  matvec=lambda x: self.hessian_times(Z, W, x.reshape(W.shape)).ravel())
        return lambda B: cg(operator, B.ravel(), rtol=1e-6, maxiter=500)[0].reshape(W.shape)

    def expected_errors(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> float:
        """The sum over rows of 1 - p(true label): a smooth count of the rows the model gets wrong."""
        q = self.probabilities(Z, W)
        p = np.where(y == 1, q[:, 0], 1.0 - q[:, 0]) if self.m == 1 else q[np.arange(len(y)), y]
        return float(np.sum(1.0 - p))

    def expected_errors_gradient(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
        q = self.probabilities(Z, W)
        if self.m == 1:
            # d(1 - p_y)/d logit: -q(1 - q) for label 1, +q(1 - q) for label 0.
            return (np.where(y == 1, -1.0, 1.0)[:, None] * q * (1 - q)).T @ augment(Z)
        p = q[np.arange(len(y)), y][:, None]
        return (-p * (self.onehot(y) - q)).T @ augment(Z)

    def objective(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> float:
        return C * self.loss(Z, y, W) + 0.5 * float(np.sum(W[:, :-1] ** 2))

    def newton(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray, steps: int = 10, tol: float = 1e-8,
               solve=None) -> np.ndarray:
        """Damped Newton steps from W to the optimum on (Z, y), halving each step until the objective falls.

        `solve`, a factorised Hessian from nearby, saves forming a new one at each step (then the steps
        are quasi-Newton: they still only ever lower the objective).
        """
        current = self.objective(Z, y, W)
        for _ in range(steps):
            grad = self.objective_gradient(Z, y, W)
            if np.abs(grad).max() < tol * max(1.0, len(Z)):
                break
            step = (solve or self.solver(Z, W, y))(grad)
            t = 1.0
            while t > 1e-6:
                trial = W - t * step
                value = self.objective(Z, y, trial)
                if value <= current:
                    W, current = trial, value
                    break
                t /= 2
            else:
                break
        return W

    def point_gradient(self, P: np.ndarray, y_p: np.ndarray, W: np.ndarray, v: np.ndarray) -> np.ndarray:
        """dL/dx for each training point x in P (label y_p): -(d grad_theta/dx)^T v, one row per point."""
        q = self.probabilities(P, W)
        r = q - self.onehot(y_p)
        Wx = W[:, :-1]
        vx = augment(P) @ v.T  # (n, m): v applied to each point
        if self.m == 1:
            moved = (q * (1 - q)) * vx  # S (v x~) with S the sigmoid's derivative
        else:
            moved = q * vx - q * np.sum(q * vx, axis=1, keepdims=True)
        return -C * (moved @ Wx + r @ v[:, :-1])


class SquaredHingeOptimum(LogisticOptimum):
    """A linear SVM as scikit-learn's LinearSVC fits it (C = 1, squared hinge, one-vs-rest, the intercept a
    weight on a constant feature of 1 and penalised with the rest), and the derivatives attacks need.

    The squared hinge is differentiable once, so the optimum moves smoothly with a training point and
    the Hessian, I + 2C x the sum of x x^T over rows inside each margin, is piecewise constant. Its
    measure of harm is the hinge loss of the clean rows against their true labels, Biggio et al.'s.
    """

    def signs(self, y: np.ndarray) -> np.ndarray:
        """+1 for the class each weight row stands for, -1 otherwise, (rows, m)."""
        return np.where(self.onehot(y) > 0, 1.0, -1.0)

    def margins(self, Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
        """1 - s f(x): positive inside the margin or on the wrong side, (rows, m)."""
        return 1.0 - self.signs(y) * (augment(Z) @ W.T)

    def fit(self, Z: np.ndarray, y: np.ndarray) -> np.ndarray:
        from sklearn.svm import LinearSVC

        from poisontui.engine.models import fit_quietly

        fitted = fit_quietly(LinearSVC(C=C, tol=1e-6, max_iter=10_000), Z, y)
        W = np.zeros((self.m, Z.shape[1] + 1))
        if self.m == 1:
            W[0] = np.r_[fitted.coef_[0], fitted.intercept_[0]]
        else:
            W[:, -1] = -1.0  # a class missing from the rows: every row on its negative side
            W[fitted.classes_] = np.column_stack([fitted.coef_, fitted.intercept_])
        return self.newton(Z, y, W)

    def probabilities(self, Z: np.ndarray, W: np.ndarray) -> np.ndarray:
        raise NotImplementedError("a linear SVM gives decision values (scores), not probabilities")

    def objective(self, Z, y, W):
        return C * float(np.sum(np.maximum(self.margins(Z, y, W), 0.0) ** 2)) + 0.5 * float(np.sum(W ** 2))

    def objective_gradient(self, Z, y, W):
        slack = np.maximum(self.margins(Z, y, W), 0.0)
        return -2.0 * C * (self.signs(y) * slack).T @ augment(Z) + W

    def hessian(self, Z, W, y=None):
        raise NotImplementedError("the SVM's Hessian depends on the labels; use solver(Z, W, y)")

    def hessian_times(self, Z, W, V, y=None):
        Za = augment(Z)
        active = (self.margins(Z, y, W) > 0).astype(float)
        return 2.0 * C * (active * (Za @ V.T)).T @ Za + V + DAMPING * V

    def solver(self, Z, W, y=None):
        """B -> H^-1 B for the Hessian on rows Z with labels y: one factorised block per weight row."""
        from scipy.linalg import cho_factor, cho_solve

        Za = augment(Z)
        active = self.margins(Z, y, W) > 0
        factors = [cho_factor(2.0 * C * Za[active[:, k]].T @ Za[active[:, k]] + (1 + DAMPING) * np.eye(Za.shape[1]))
                   for k in range(self.m)]
        return lambda B: np.array([cho_solve(factors[k], B[k]) for k in range(self.m)])

    def expected_errors(self, Z, y, W):
        """The hinge loss of the rows against their labels, summed over rows and weight rows."""
        return float(np.sum(np.maximum(self.margins(Z, y, W), 0.0)))

    def expected_errors_gradient(self, Z, y, W):
        inside = (self.margins(Z, y, W) > 0).astype(float)
        return -(self.signs(y) * inside).T @ augment(Z)

    def point_gradient(self, P, y_p, W, v):
        """dL/dx for each training point x in P: -(d grad_theta/dx)^T v, one row per point.

        A point inside the margin adds -2C s a x~ to the gradient (a = 1 - s w.x~); its derivative in x is
        -2C s a [I 0]^T + 2C x~ w^T, whence dL/dx = 2C sum_k over those margins of (s a v[:-1] - w (x~ . v)).
        """
        a = np.maximum(self.margins(P, y_p, W), 0.0)  # (n, m); 0 where the point is outside the margin
        s = self.signs(y_p)
        vx = augment(P) @ v.T  # (n, m)
        return 2.0 * C * ((s * a) @ v[:, :-1] - ((a > 0) * vx) @ W[:, :-1])


OPTIMA = {"logreg": LogisticOptimum, "linear-svm": SquaredHingeOptimum}


def augment(Z: np.ndarray) -> np.ndarray:
    return np.column_stack([Z, np.ones(len(Z))])


def ranked_order(gain: np.ndarray, candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Candidates by gain, largest first; equal gains in a seeded random order."""
    shuffled = rng.permutation(candidates)
    return shuffled[np.argsort(-gain[shuffled], kind="stable")]


class OptimalFlip(Attack):
    name = "optimal-flip"
    summary = ("flip labels where a model refitted to the flips so far is surest, with the budget split across "
               "classes as held-out training rows say hurts most (stronger than confidence-flip at the same ratio)")
    params = (
        Param("ratio", float, 0.2, "share of the training rows whose labels are flipped", 0.0, 0.9, step=0.05),
        Param("rounds", int, 4, "refits per candidate set: each round flips its share of the budget where the "
              "model fitted to the flips so far is surest of the true label", 1, 20, step=1),
    )

    # Counted from the code, not measured: standardised rows, with a column of ones, and confidence-flip's scaler.
    memory_copies = 3.0

    @one_thread
    def poison(self, X, y, *, seed, class_names):
        rng = np.random.default_rng(seed)
        start = ConfidenceFlip(ratio=self.ratio).poison(X, y, seed=seed, class_names=class_names)
        n = start.count
        mean, scale = standardiser(X)
        Z = (X - mean) / scale
        opt = LogisticOptimum(len(class_names))
        folds = rng.permutation(len(y)) % FOLDS
        best, best_harm = start.y, held_out_harm(opt, Z, y, start.y, folds)
        shares = CLASS_SHARES if opt.m == 1 else CLASS_SHARES[:1]
        # Each focus class costs rounds + folds fits: with many classes, only those confidence-flip
        # draws most of its flips from (ten-class digits: 4 of 10).
        focus_classes = np.unique(y)
        drawn = np.bincount(y[start.mask], minlength=focus_classes.max() + 1)[focus_classes]
        focus_classes = focus_classes[np.argsort(-drawn, kind="stable")][:MAX_FOCUS_CLASSES]
        for focus in focus_classes if n else ():
            for focus_share in shares:
                labels = alternating_flips(opt, Z, y, n, focus, focus_share, self.rounds, rng)
                harm = held_out_harm(opt, Z, y, labels, folds)
                if harm > best_harm:
                    best, best_harm = labels, harm
        idx = np.flatnonzero(best != y)
        return relabelled(X, y, idx, best[idx])


FOLDS = 3
MAX_FOCUS_CLASSES = 4
# The shares of the budget spent on the focus class: with two classes, the split 100/0, 80/20, 60/40 either way.
CLASS_SHARES = (1.0, 0.8, 0.6)


def predicted_classes(opt: LogisticOptimum, Z: np.ndarray, W: np.ndarray) -> np.ndarray:
    q = opt.probabilities(Z, W)
    return (q[:, 0] > 0.5).astype(int) if opt.m == 1 else q.argmax(axis=1)


def held_out_harm(opt: LogisticOptimum, Z: np.ndarray, y: np.ndarray, labels: np.ndarray,
                  folds: np.ndarray) -> tuple[int, float]:
    """The attacker's stand-in for test damage: fitted to `labels` without each fold of the training rows,
    the errors on that fold against the true labels `y` (flipped rows counted by their true label),
    summed over the folds; then the summed log loss, to break ties."""
    errors, loss = 0, 0.0
    for k in np.unique(folds):
        fit = folds != k
        W = opt.fit(Z[fit], labels[fit])
        errors += int(np.sum(predicted_classes(opt, Z[~fit], W) != y[~fit]))
        loss += opt.loss(Z[~fit], y[~fit], W)
    return errors, loss


def alternating_flips(opt: LogisticOptimum, Z: np.ndarray, y: np.ndarray, n: int, focus: int,
                      focus_share: float, rounds: int, rng: np.random.Generator) -> np.ndarray:
    """`n` flips, `focus_share` of them on rows of class `focus` (as many as it has), the rest on the others,
    made in `rounds` rounds: each refits to the flips so far and flips, in each part, the unflipped rows
    whose true label the refit is surest of, to the label it ranks next (ALFA's alternation)."""
    in_focus = y == focus
    quota = min(int(round(focus_share * n)), int(in_focus.sum()))
    quota = np.array([quota, n - quota])
    labels = y.copy()
    done = np.zeros(2, dtype=int)
    for r in range(rounds):
        due = quota * (r + 1) // rounds - done
        if not due.any():
            continue
        q = opt.probabilities(Z, opt.fit(Z, labels))
        if opt.m == 1:
            q = np.column_stack([1.0 - q[:, 0], q[:, 0]])
        sure = q[np.arange(len(y)), y]
        q[np.arange(len(y)), y] = -1.0
        for part, rows in enumerate((in_focus, ~in_focus)):
            idx = ranked_order(sure, np.flatnonzero(rows & (labels == y)), rng)[:due[part]]
            labels[idx] = q[idx].argmax(axis=1)
        done += due
    return labels


class GradientInjection(Attack):
    name = "gradient-injection"
    summary = ("inject points whose features are optimised by gradient ascent through the training optimum "
               "of a logistic regression or linear SVM, within the data's range (Biggio et al. 2012)")
    params = (
        Param("ratio", float, 0.05, "points added, as a share of the training rows", 0.0, 0.5, step=0.01),
        Param("steps", int, 60, "gradient steps", 1, 500, step=5),
        Param("step_size", float, 1.0, "how far each step moves a point, in standardised units (max norm)",
              0.01, 10.0, step=0.1),
        Param("model", str, "logreg", "the model the attacker differentiates: logistic regression (C = 1), or "
              "a linear SVM as linear-svm fits it (C = 1, squared hinge)", choices=("logreg", "linear-svm")),
    )

    @property
    def memory_copies(self):
        # Counted from the code, not measured: standardised rows, those with the points stacked on and
        # with a column of ones, and the scaler's copy in the victim's pipeline.
        return 4.0 + 2.5 * self.ratio

    def describe(self, poisoned, n_train, class_names):
        return f"{poisoned.count} optimised points injected beside {n_train} rows"

    def feasible(self, X: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray):
        """A map putting standardised points (with their labels) back where the attack may place them."""
        low, high = (X.min(axis=0) - mean) / scale, (X.max(axis=0) - mean) / scale
        return lambda P, y_p: np.clip(P, low, high)

    @one_thread
    def poison(self, X, y, *, seed, class_names):
        rng = np.random.default_rng(seed)
        n = share(self.ratio, len(y))
        mean, scale = standardiser(X)
        Z = (X - mean) / scale
        opt = OPTIMA[self.model](len(class_names))
        W = opt.fit(Z, y)
        base = rng.choice(len(y), n, replace=n > len(y))
        # The most damaging wrong label: the other class, or the one the clean model ranks second.
        q = opt.scores(Z[base], W)
        if opt.m == 1:
            y_p = 1 - y[base]
        else:
            q[np.arange(n), y[base]] = -np.inf
            y_p = q.argmax(axis=1)
        project = self.feasible(X, y, mean, scale)
        P = project(Z[base].copy(), y_p)
        best, best_loss = P.copy(), -np.inf
        if n:
            W = opt.fit(np.vstack([Z, P]), np.r_[y, y_p])
            for t in range(self.steps):
                loss = opt.expected_errors(Z, y, W)
                if loss > best_loss:
                    best, best_loss = P.copy(), loss
                solve = opt.solver(np.vstack([Z, P]), W, np.r_[y, y_p])
                g = opt.point_gradient(P, y_p, W, solve(opt.expected_errors_gradient(Z, y, W)))
                norm = np.abs(g).max(axis=1, keepdims=True)
                # Steps shrink as 1 / sqrt(t): large moves first, then settling near an optimum.
                eta = self.step_size / np.sqrt(1.0 + t / 10.0)
                P = project(P + eta * g / np.maximum(norm, 1e-12), y_p)
                # Past a few hundred weights, forming the Hessian dominates: there the one from before the
                # move (the points moved a little) makes the Newton steps (digits: 5 s against 15 s).
                reuse = solve if W.size > REUSE_HESSIAN_ABOVE else None
                W = opt.newton(np.vstack([Z, P]), np.r_[y, y_p], W, steps=3, solve=reuse)
            if opt.expected_errors(Z, y, W) > best_loss:
                best = P
        points = best * scale + mean
        mask = np.r_[np.zeros(len(y), dtype=bool), np.ones(n, dtype=bool)]
        return Poisoned(np.vstack([X, points]), np.r_[y, y_p].astype(y.dtype), mask)


class AdaptiveInjection(GradientInjection):
    name = "adaptive-injection"
    summary = ("gradient injection kept inside the sphere-and-slab defence's limits, as computed from the "
               "clean rows (Koh, Steinhardt & Liang 2018): the defence lets it through")
    params = GradientInjection.params + (
        replace(QUANTILE, help="the defence's quantile, as the attacker believes it"),
        replace(MARGIN, help="the defence's margin, as the attacker believes it"),
    )

    def describe(self, poisoned, n_train, class_names):
        return f"{poisoned.count} optimised points injected inside sphere and slab, beside {n_train} rows"

    def feasible(self, X, y, mean, scale):
        bounds = sphere_slab_bounds(X, y, self.quantile, self.margin)
        low, high = X.min(axis=0), X.max(axis=0)
        return lambda P, y_p: (bounds.project(P * scale + mean, y_p, low, high) - mean) / scale


class AdaptiveZScoreInjection(GradientInjection):
    name = "adaptive-zscore-injection"
    summary = ("gradient injection kept inside the z-score filter's envelope, as computed from the clean rows: "
               "the filter lets it through")
    params = GradientInjection.params + (
        replace(ZSCORE_THRESHOLD, help="the filter's threshold, as the attacker believes it"),
        replace(ZSCORE_PER_CLASS, help="whether the filter measures each class against itself, as the attacker "
                "believes it"),
    )

    def describe(self, poisoned, n_train, class_names):
        return f"{poisoned.count} optimised points injected inside the z-score envelope, beside {n_train} rows"

    def feasible(self, X, y, mean, scale):
        envelope = ZScoreEnvelope(X, y, self.threshold, self.per_class)
        low, high = X.min(axis=0), X.max(axis=0)
        return lambda P, y_p: (envelope.project(P * scale + mean, y_p, low, high) - mean) / scale


ATTACKS.update({cls.name: cls for cls in (OptimalFlip, GradientInjection, AdaptiveInjection,
                                           AdaptiveZScoreInjection)})
