"""The article experiment with every mitigation, hand-written with scikit-learn: the speed reference.

Same data, split, flips and fits as `poisontui run --mitigation all`, minus everything
poisontui adds (validation, metrics, reporting). Run by bench_run.py.
"""

import numpy as np
from cleanlab.filter import find_label_issues
from scipy.optimize import minimize
from sklearn.datasets import make_classification
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.neighbors import KNeighborsClassifier, LocalOutlierFactor, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=42)
rng = np.random.default_rng(0)
idx = rng.choice(len(ytr), 70, replace=False)
yp = ytr.copy()
yp[idx] = 1 - yp[idx]
scores = {}


def fit(Xf, yf, C=1.0):
    return LogisticRegression(C=C).fit(Xf, yf).score(Xte, yte)


scores["clean"], scores["poisoned"] = fit(Xtr, ytr), fit(Xtr, yp)


def robust_z(A):
    return (A - np.median(A, 0)) / (np.median(np.abs(A - np.median(A, 0)), 0) / 0.6745)


keep = ~(robust_z(np.sqrt(np.sqrt((robust_z(Xtr) ** 2).mean(1)))[:, None])[:, 0] > 3.5)
scores["zscore"] = fit(Xtr[keep], yp[keep])
Xs = StandardScaler().fit_transform(Xtr)
nb = yp[NearestNeighbors(n_neighbors=21).fit(Xs).kneighbors(Xs)[1][:, 1:]]
share1 = nb.mean(1)
yk = np.where(share1 >= 0.7, 1, np.where(share1 <= 0.3, 0, yp))
scores["knn"] = fit(Xtr, yk)
for name, make in (("iforest", lambda: IsolationForest(contamination=0.05, random_state=0)),
                   ("lof", lambda: LocalOutlierFactor(contamination=0.05))):
    keep = np.ones(len(yp), bool)
    for c in (0, 1):
        rows = np.flatnonzero(yp == c)
        keep[rows] = make().fit_predict((Xs if name == "lof" else Xtr)[rows]) == 1
    scores[name] = fit(Xtr[keep], yp[keep])
proba = np.mean([cross_val_predict(make_pipeline(StandardScaler(), model), Xtr, yp,
                                   cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
                 for model in (LogisticRegression(max_iter=1000), KNeighborsClassifier(15))], axis=0)
keep = ~find_label_issues(yp, proba, n_jobs=1)
scores["label_issues"] = fit(Xtr[keep], yp[keep])
Z = np.hstack([Xs / np.maximum(1, np.linalg.norm(Xs, axis=1, keepdims=True)), np.ones((len(yp), 1))]) / np.sqrt(2)
s = np.where(yp == 1, 1.0, -1.0)
res = minimize(lambda w: (np.logaddexp(0, -s * (Z @ w)).mean() + 0.05 * w @ w,
                          -(Z.T @ (s / (1 + np.exp(s * (Z @ w))))) / len(s) + 0.1 * w),
               np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B")
scores["dp"] = res.x.size
part = rng.integers(0, 15, len(yp))
votes = np.array([LogisticRegression().fit(Xtr[part == p], yp[part == p]).predict(Xte) for p in range(15)])
scores["bagging"] = ((votes.mean(0) > 0.5) == yte).mean()
scores["regularize"] = fit(Xtr, yp, C=0.01)
kept = np.ones(len(yp), bool)
for _ in range(10):  # TRIM: refit on the 80% of rows with the lowest loss
    model = LogisticRegression().fit(Xtr[kept], yp[kept])
    chosen = np.zeros(len(yp), bool)
    chosen[np.argsort(-np.log(model.predict_proba(Xtr)[np.arange(len(yp)), yp]))[:560]] = True
    if (chosen == kept).all():
        break
    kept = chosen
scores["trim"] = fit(Xtr[kept], yp[kept])
centres = np.array([np.median(Xs[yp == c], 0) for c in (0, 1)])
off = Xs - centres[yp]
sphere = np.linalg.norm(off, axis=1)
slab = np.maximum(-(off * (centres[yp] - centres[1 - yp])).sum(1) / np.linalg.norm(centres[1] - centres[0]), 0)
keep = np.ones(len(yp), bool)
for c in (0, 1):
    rows = yp == c
    keep &= ~rows | ((sphere <= 3 * np.median(sphere[rows])) & (slab <= 3 * np.median(slab[rows & (slab > 0)])))
scores["sphere_slab"] = fit(Xtr[keep], yp[keep])
keep = np.ones(len(yp), bool)
for c in (0, 1):
    rows = np.flatnonzero(yp == c)
    centred = Xs[rows] - Xs[rows].mean(0)
    proj = centred @ np.linalg.svd(centred, full_matrices=False)[2][0]
    keep[rows] = np.abs(robust_z(proj[:, None])[:, 0]) <= 4
scores["spectral"] = fit(Xtr[keep], yp[keep])
scaler = StandardScaler().fit(Xtr)
neighbours = yp[NearestNeighbors(n_neighbors=25).fit(scaler.transform(Xtr)).kneighbors(scaler.transform(Xte))[1]]
scores["certified_knn"] = ((neighbours.mean(1) > 0.5) == yte).mean()
print(scores)
