"""Anomaly detection: find the training rows that look unlike the others, in features or in labels."""

from __future__ import annotations

import numpy as np

from poisontui.engine.mitigations.base import ACTION, Sanitizer, by_class
from poisontui.engine.params import Param

CONTAMINATION = Param("contamination", float, 0.1, "share of rows expected to be anomalous", 0.01, 0.5, step=0.01)
PER_CLASS = Param("per_class", bool, True, "model each class on its own (a flipped row is odd within its label)")


class IsolationForestFilter(Sanitizer):
    name = "isolation-forest"
    family = "anomaly"
    summary = "drop rows an isolation forest isolates in few splits"
    params = (CONTAMINATION, PER_CLASS, Param("n_estimators", int, 100, "number of trees", 10, 1000, step=10))

    def flag(self, X, y, seed):
        from sklearn.ensemble import IsolationForest

        flagged = np.zeros(len(y), dtype=bool)
        for rows in by_class(y, self.per_class):
            if len(rows) < 4:
                continue
            forest = IsolationForest(
                n_estimators=self.n_estimators, contamination=self.contamination, random_state=seed,
            )
            flagged[rows] = forest.fit_predict(X[rows]) == -1
        return flagged, None


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
        from cleanlab.filter import find_label_issues
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        folds = min(self.folds, int(np.bincount(y).min()))
        if folds < 2:
            return np.zeros(len(y), dtype=bool), None
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        proba = cross_val_predict(model, X, y, cv=cv, method="predict_proba")
        # n_jobs=1: cleanlab otherwise starts a process pool on every call.
        flagged = find_label_issues(y, proba, filter_by=self.filter_by, n_jobs=1)
        return np.asarray(flagged, dtype=bool), proba.argmax(axis=1)
