"""Anomaly detection: find the training rows that look unlike the others, in features or in labels."""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import ACTION, Sanitizer, by_class, canonical_classes
from poisontui.engine.params import Param
from poisontui.engine.progress import part, report, timed_chunks

CONTAMINATION = Param("contamination", float, 0.05, "share of each scored group flagged, poisoned or not (so "
                      "also the share of clean rows lost when nothing is poisoned)", 0.01, 0.5, step=0.01)
TREE_BATCH = 25  # isolation-forest trees fitted between progress reports
PER_CLASS = Param("per_class", bool, True, "model each class on its own (a flipped row is odd within its label)")


class IsolationForestFilter(Sanitizer):
    name = "isolation-forest"
    family = "anomaly"
    summary = "drop rows an isolation forest isolates in few splits"
    params = (CONTAMINATION, PER_CLASS, Param("n_estimators", int, 100, "number of trees", 10, 1000, step=10))

    def flag(self, X, y, seed):
        from sklearn.ensemble import IsolationForest

        flagged = np.zeros(len(y), dtype=bool)
        groups = len(np.unique(y)) if self.per_class else 1
        for index, rows in enumerate(by_class(y, self.per_class)):
            if len(rows) < 4:
                continue
            with part(index, groups, "classes"):
                flagged[rows] = self._isolated(IsolationForest, X[rows], seed)
        return flagged, None

    def _isolated(self, IsolationForest, X: np.ndarray, seed: int) -> np.ndarray:
        """`fit_predict(X) == -1` of an isolation forest with this contamination, its scores taken in
        timed chunks so that progress is reported while they are computed. A contamination of
        "auto" only skips the scoring pass inside `fit`; the trees are the same."""
        forest = IsolationForest(n_estimators=0, contamination="auto", random_state=seed, warm_start=True)
        with part(0, 2):
            # Trees added a batch at a time are the trees of one fit: warm starts draw the same seeds.
            report(0, self.n_estimators, "trees")
            for trees in range(TREE_BATCH, self.n_estimators + TREE_BATCH, TREE_BATCH):
                trees = min(trees, self.n_estimators)
                forest.set_params(n_estimators=trees).fit(X)
                report(trees, self.n_estimators, "trees")
        scores = np.empty(len(X))
        with part(1, 2):
            for rows in timed_chunks(len(X), "rows scored"):
                scores[rows] = forest.score_samples(X[rows])
        return scores < np.percentile(scores, 100.0 * self.contamination)


class LOFFilter(Sanitizer):
    name = "lof"
    family = "anomaly"
    summary = "drop rows whose local density is far below their neighbours' (local outlier factor)"
    params = (CONTAMINATION, PER_CLASS, Param("n_neighbors", int, 20, "neighbours in the density estimate", 2, 200,
                                              step=1))

    def flag(self, X, y, seed):
        from sklearn.neighbors import LocalOutlierFactor
        from sklearn.preprocessing import StandardScaler

        Xs = StandardScaler().fit_transform(X)
        flagged = np.zeros(len(y), dtype=bool)
        for rows in by_class(y, self.per_class):
            if len(rows) < 4:
                continue
            lof = LocalOutlierFactor(n_neighbors=min(self.n_neighbors, len(rows) - 1),
                                     contamination=self.contamination)
            flagged[rows] = lof.fit_predict(Xs[rows]) == -1
        return flagged, None


class LabelIssues(Sanitizer):
    name = "label-issues"
    family = "anomaly"
    summary = "confident learning: find labels that cross-validated predictions contradict (cleanlab)"
    params = (
        Param("folds", int, 5, "cross-validation folds for the out-of-sample probabilities", 2, 20, step=1),
        Param("filter_by", str, "prune_by_noise_rate", "cleanlab's rule for choosing issues",
              choices=("prune_by_noise_rate", "prune_by_class", "both", "confident_learning")),
        ACTION,
    )

    def flag(self, X, y, seed):
        """Cleanlab on out-of-fold probabilities: the mean of a logistic regression's and a 15-NN's.

        The linear model alone calls most rows of non-linear data (circles) issues; the neighbours
        alone are noisy in many dimensions. Classes are put in order of first appearance before the
        folds are drawn and cleanlab ranks, so no tie is decided by which class is coded 0.
        """
        from cleanlab.filter import find_label_issues
        from sklearn.linear_model import LogisticRegression
        from sklearn.base import clone
        from sklearn.model_selection import StratifiedKFold
        from sklearn.neighbors import KNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        order, canonical = canonical_classes(y)
        folds = min(self.folds, int(np.bincount(canonical).min()))
        if folds < 2:
            return np.zeros(len(y), dtype=bool), None
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        neighbours = min(15, int(len(y) * (folds - 1) / folds) - 1)
        estimators = (LogisticRegression(max_iter=1000), KNeighborsClassifier(n_neighbors=neighbours))
        # Out-of-fold probabilities, as cross_val_predict gives them, one fold and model at a time for progress.
        proba = np.zeros((len(y), len(order)))
        for index, (train, test) in enumerate(cv.split(X, canonical)):
            with part(index, folds, "folds"):
                probas = []
                for number, estimator in enumerate(estimators):
                    with part(number, len(estimators), "models"):
                        model = make_pipeline(StandardScaler(), clone(estimator)).fit(X[train], canonical[train])
                        probas.append(_predicted(model, X[test]))
                proba[test] = np.mean(probas, axis=0)
        # n_jobs=1: cleanlab otherwise starts a process pool on every call.
        flagged = find_label_issues(canonical, proba, filter_by=self.filter_by, n_jobs=1)
        return np.asarray(flagged, dtype=bool), order[proba.argmax(axis=1)]


def _predicted(model, X: np.ndarray) -> np.ndarray:
    """`model.predict_proba(X)` in timed chunks of rows, reporting progress: the neighbours' search
    takes seconds on large data. (One thread, as in `nearest_rows`, whose chunks are tested to give
    the neighbours of one search.)"""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return np.vstack([model.predict_proba(X[rows])
                          for rows in timed_chunks(len(X), "rows scored", first=256, align=64)])
