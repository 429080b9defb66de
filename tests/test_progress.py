"""Progress from inside long steps: reported by the mitigations' own loops, without changing results."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.mitigations.base import canonical_classes
from poisontui.engine.mitigations.validation import nearest_rows
from poisontui.engine.models import MODELS
from poisontui.engine.progress import part, report, reporting, timed_chunks


def listen(calls):
    return reporting(lambda done, total, what: calls.append((done, total, what)))


def test_reports_go_to_the_listener_of_the_block_only():
    calls = []
    report(1, 2, "nobody listens")
    with listen(calls):
        report(1, 2, "parts")
        with reporting(None):
            report(2, 2, "muted")
    report(2, 2, "after")
    assert calls == [(1, 2, "parts 1/2")]


def test_timed_chunks_cover_every_row_once_in_order():
    calls = []
    with listen(calls):
        chunks = list(timed_chunks(5000, "rows", first=100, align=64))
    covered = np.concatenate([np.arange(5000)[c] for c in chunks])
    assert np.array_equal(covered, np.arange(5000))
    assert chunks[0] == slice(0, 100) and all((c.stop - c.start) % 64 == 0 for c in chunks[1:-1])
    assert calls[0] == (0, 5000, "rows 0/5000") and calls[-1] == (5000, 5000, "rows 5000/5000")
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)


@pytest.mark.parametrize("features", [5, 30])  # a tree search and a brute-force one
def test_neighbours_searched_in_chunks_are_those_of_one_search(features):
    X = np.random.default_rng(features).normal(size=(3000, features))
    calls = []
    with listen(calls):
        found = nearest_rows(X, 11)
    expected = NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X, return_distance=False)
    assert np.array_equal(found, expected)
    assert len(calls) >= 3 and calls[-1] == (3000, 3000, "kNN search 3000/3000")


def mitigate(name, X, y, calls, **params):
    with listen(calls):
        return MITIGATIONS[name](**params).mitigate(X, y, model=MODELS["logreg"](), seed=0, standardized=False)


def label_issues_from_scratch(X, y, folds):
    """Cleanlab's issues from cross_val_predict's out-of-fold probabilities: the mean of a logistic
    regression's and a 15-NN's, as label-issues computes them."""
    from cleanlab.filter import find_label_issues
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _, canonical = canonical_classes(y)
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    proba = np.mean([
        cross_val_predict(make_pipeline(StandardScaler(), estimator), X, canonical, cv=cv, method="predict_proba")
        for estimator in (LogisticRegression(max_iter=1000), KNeighborsClassifier(n_neighbors=15))
    ], axis=0)
    return find_label_issues(canonical, proba, filter_by="prune_by_noise_rate", n_jobs=1)


def test_label_issues_reports_each_fold_and_matches_cross_val_predict(binary_data):
    X, y = binary_data
    y = y.copy()
    y[:40] = 1 - y[:40]
    calls = []
    outcome = mitigate("label-issues", X, y, calls, folds=4)
    # Each fold reports its two models (the linear one, then the neighbours) and the rows each scores,
    # as parts of one bar.
    shares = [done / total for done, total, _ in calls]
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert calls[0][2] == "folds 1/4: models 1/2: rows scored 0/100"
    assert calls[-1][2] == "folds 4/4: models 2/2: rows scored 100/100"
    assert np.array_equal(outcome.flagged, label_issues_from_scratch(X, y, folds=4))


@pytest.mark.parametrize("features", [5, 30])  # the neighbours searched by tree, and by brute force
def test_label_issues_scored_in_chunks_flags_what_one_pass_flags(features):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=3000, n_features=features, n_informative=min(features, 4), n_redundant=0,
                               flip_y=0.1, random_state=features)
    calls = []
    outcome = mitigate("label-issues", X, y, calls, folds=3)
    assert any("rows scored 256/1000" in text for _, _, text in calls)
    assert np.array_equal(outcome.flagged, label_issues_from_scratch(X, y, folds=3))


def test_bagging_reports_each_partition(binary_data):
    X, y = binary_data
    calls = []
    mitigate("bagging", X, y, calls, partitions=7)
    assert [c[:2] for c in calls] == [(i, 7) for i in range(8)] and calls[0][2] == "partitions 0/7"


def test_parts_move_one_bar_forward_and_name_themselves():
    calls = []
    with listen(calls):
        for index in range(2):
            with part(index, 2, "classes"):
                with part(0, 2):
                    report(1, 4, "trees")
                with part(1, 2):
                    report(3, 3, "rows")
    shares = [done / total for done, total, _ in calls]
    assert shares == [0.0625, 0.5, 0.5625, 1.0]
    assert [text for _, _, text in calls] == ["classes 1/2: trees 1/4", "classes 1/2: rows 3/3",
                                              "classes 2/2: trees 1/4", "classes 2/2: rows 3/3"]


@pytest.mark.parametrize("per_class", [True, False])
def test_isolation_forest_reports_trees_and_rows_and_flags_what_fit_predict_flags(per_class):
    from sklearn.datasets import make_classification
    from sklearn.ensemble import IsolationForest

    X, y = make_classification(n_samples=3000, n_features=8, n_classes=3, n_informative=4, random_state=2)
    calls = []
    flagged = mitigate("isolation-forest", X, y, calls, n_estimators=60, contamination=0.07,
                       per_class=per_class).flagged
    expected = np.zeros(len(y), dtype=bool)
    for rows in ([np.flatnonzero(y == c) for c in np.unique(y)] if per_class else [np.arange(len(y))]):
        forest = IsolationForest(n_estimators=60, contamination=0.07, random_state=0)
        expected[rows] = forest.fit_predict(X[rows]) == -1
    assert np.array_equal(flagged, expected)
    shares = [done / total for done, total, _ in calls]
    assert shares == sorted(shares) and shares[-1] == 1.0
    texts = [text for _, _, text in calls]
    assert "trees 25/60" in texts[1 + per_class] and any(t.endswith("trees 60/60") for t in texts)
    assert any("rows scored" in t for t in texts)
    if per_class:
        assert texts[-1] == "classes 3/3" and any(t.startswith("classes 2/3: ") for t in texts)


def test_a_run_reports_fractions_of_its_long_steps():
    config = Config.from_dict({"dataset": {"name": "synthetic", "params": {"n_samples": 3000}},
                               "mitigations": [{"name": "knn-sanitize"}]})
    ticks = []
    run_experiment(config, progress=lambda done, total, label: ticks.append((done, total, label)))
    inside = [(done, label) for done, _, label in ticks if "kNN search" in label]
    assert inside and all(4 <= done < 5 for done, _ in inside)
    assert inside[-1][1] == "mitigating: knn-sanitize: kNN search 2100/2100"
    assert [done for done, _, _ in ticks] == sorted(done for done, _, _ in ticks)
    assert ticks[-1][:2] == (5, 5)
