"""The optimising attacks and the subpopulation attack, on built-in data with fixed seeds."""

import numpy as np
import pytest

from poisontui.engine.attacks import ATTACKS, ConfidenceFlip, share
from poisontui.engine.attacks_optimal import LogisticOptimum, OptimalFlip, SquaredHingeOptimum
from poisontui.engine.cache import DataCache
from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config, run_experiment

SEEDS = range(5)


def split_of(dataset: str, data_seed: int = 42):
    return DataCache(size=0).get(Config.from_dict({"dataset": {"name": dataset}, "data_seed": data_seed}))


def poisoned_accuracy(dataset: str, attack: str, params: dict, seed: int = 0, mitigations=()) -> dict:
    result = run_experiment(Config.from_dict({
        "dataset": {"name": dataset}, "attack": {"name": attack, "params": params}, "seed": seed,
        "mitigations": [{"name": m} for m in mitigations]}))
    return {row["name"]: row for row in result.rows}


@pytest.mark.parametrize("measure", ["loss", "expected_errors"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_point_gradient_matches_finite_differences_of_the_refitted_loss(n_classes, measure):
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(150, 4))
    y = rng.integers(0, n_classes, 150)
    Z[y == 1] += 1.0
    opt = LogisticOptimum(n_classes)
    point, label = rng.normal(size=(1, 4)), np.array([0])

    def attacker_loss(p):
        rows, labels = np.vstack([Z, p]), np.r_[y, label]
        W = opt.newton(rows, labels, opt.fit(rows, labels))
        return getattr(opt, measure)(Z, y, W), W

    _, W = attacker_loss(point)
    gradient = opt.loss_gradient if measure == "loss" else opt.expected_errors_gradient
    v = opt.solver(np.vstack([Z, point]), W)(gradient(Z, y, W))
    analytic = opt.point_gradient(point, label, W, v)[0]
    h = 1e-4
    numeric = [(attacker_loss(point + h * e)[0] - attacker_loss(point - h * e)[0]) / (2 * h) for e in np.eye(4)]
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_svm_point_gradient_matches_finite_differences_of_the_refitted_hinge_loss(n_classes):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(150, 4))
    y = rng.integers(0, n_classes, 150)
    Z[y == 1] += 1.0
    opt = SquaredHingeOptimum(n_classes)
    # A wrongly labelled point among class 0's rows: inside its margins, so it moves the optimum.
    point, label = Z[y == 0].mean(axis=0, keepdims=True) + 0.1 * rng.normal(size=(1, 4)), np.array([1])

    def attacker_loss(p):
        rows, labels = np.vstack([Z, p]), np.r_[y, label]
        W = opt.newton(rows, labels, opt.fit(rows, labels), steps=50, tol=1e-13)
        return opt.expected_errors(Z, y, W), W

    _, W = attacker_loss(point)
    labels = np.r_[y, label]
    v = opt.solver(np.vstack([Z, point]), W, labels)(opt.expected_errors_gradient(Z, y, W))
    analytic = opt.point_gradient(point, label, W, v)[0]
    assert np.abs(analytic).max() > 1e-3
    h = 1e-5
    numeric = [(attacker_loss(point + h * e)[0] - attacker_loss(point - h * e)[0]) / (2 * h) for e in np.eye(4)]
    assert analytic == pytest.approx(numeric, rel=1e-3, abs=1e-6)


def test_the_attackers_svm_is_scikit_learns():
    from sklearn.svm import LinearSVC

    _, parts = split_of("wine")
    Z = (parts.X_train - parts.X_train.mean(axis=0)) / parts.X_train.std(axis=0)
    W = SquaredHingeOptimum(3).fit(Z, parts.y_train)
    reference = LinearSVC(C=1.0, tol=1e-8, max_iter=100_000).fit(Z, parts.y_train)
    assert W[:, :-1] == pytest.approx(reference.coef_, abs=1e-3)
    assert W[:, -1] == pytest.approx(reference.intercept_, abs=1e-3)


def test_conjugate_gradients_solve_what_the_factorised_hessian_solves():
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(300, 50)), rng.integers(0, 10, 300)
    opt = LogisticOptimum(10)
    W = opt.fit(Z, y)
    B = rng.normal(size=W.shape)
    assert W.size > 400
    assert opt.hessian_times(Z, W, B).ravel() == pytest.approx(opt.hessian(Z, W) @ B.ravel())
    direct = opt.solver(Z, W)(B)
    from scipy.sparse.linalg import LinearOperator, cg
    operator = LinearOperator((W.size, W.size), matvec=lambda x: opt.hessian_times(Z, W, x.reshape(W.shape)).ravel())
    iterative = cg(operator, B.ravel(), rtol=1e-10, maxiter=2000)[0]
    assert iterative == pytest.approx(direct.ravel(), abs=1e-4)


def test_the_attackers_optimum_is_scikit_learns():
    _, parts = split_of("wine")
    Z = (parts.X_train - parts.X_train.mean(axis=0)) / parts.X_train.std(axis=0)
    opt = LogisticOptimum(3)
    W = opt.fit(Z, parts.y_train)
    assert np.abs(opt.objective_gradient(Z, parts.y_train, W)).max() < 1e-2


def test_gradient_injection_at_5_percent_hurts_more_than_random_flips_of_20_percent():
    injected = [poisoned_accuracy("breast-cancer", "gradient-injection", {"ratio": 0.05}, s)["poisoned"]["accuracy"]
                for s in SEEDS]
    flipped = [poisoned_accuracy("breast-cancer", "label-flip", {"ratio": 0.2}, s)["poisoned"]["accuracy"]
               for s in SEEDS]
    assert np.mean(injected) < np.mean(flipped)
    assert injected[0] < flipped[0]


def test_the_adaptive_attack_evades_sphere_and_slab_which_catches_the_plain_one():
    plain = poisoned_accuracy("breast-cancer", "gradient-injection", {"ratio": 0.05}, 0, ["sphere-slab"])
    adaptive = poisoned_accuracy("breast-cancer", "adaptive-injection", {"ratio": 0.05}, 0, ["sphere-slab"])
    assert plain["sphere-slab"]["detection_recall"] >= 0.8
    assert adaptive["sphere-slab"]["detection_recall"] <= 0.2
    # Evading the defence is worth something only if the points still do harm.
    assert adaptive["sphere-slab"]["accuracy"] < adaptive["clean"]["accuracy"] - 0.02


def test_injected_points_stay_within_the_box_of_the_data():
    data, parts = split_of("breast-cancer")
    for name in ("gradient-injection", "adaptive-injection"):
        out = ATTACKS[name](ratio=0.05).poison(parts.X_train, parts.y_train, seed=0, class_names=data.class_names)
        points = out.X[out.mask]
        assert out.count == 19 and np.all(out.mask[-19:])
        assert np.all(points >= parts.X_train.min(axis=0) - 1e-9)
        assert np.all(points <= parts.X_train.max(axis=0) + 1e-9)


def test_optimal_flip_hurts_more_than_confidence_flip_on_the_articles_data():
    for ratio in (0.1, 0.2):
        optimal = poisoned_accuracy("synthetic", "optimal-flip", {"ratio": ratio})["poisoned"]["accuracy"]
        confident = poisoned_accuracy("synthetic", "confidence-flip", {"ratio": ratio})["poisoned"]["accuracy"]
        assert optimal < confident


def _held_out_errors(X, y, labels, seed) -> int:
    """The attacker's measure, from scratch: errors against the true labels on each third of the training
    rows (thirds as the attack draws them) of a logistic regression fitted to `labels` on the rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X)
    folds = np.random.default_rng(seed).permutation(len(y)) % 3
    errors = 0
    for k in range(3):
        fit = folds != k
        model = LogisticRegression(max_iter=1000).fit(Z[fit], labels[fit])
        errors += int(np.sum(model.predict(Z[~fit]) != y[~fit]))
    return errors


def test_optimal_flip_never_does_worse_than_confidence_flip_by_its_own_measure():
    for dataset in ("breast-cancer", "synthetic", "wine"):
        data, parts = split_of(dataset)
        X, y = parts.X_train, parts.y_train
        optimal = OptimalFlip(ratio=0.2).poison(X, y, seed=0, class_names=data.class_names)
        confident = ConfidenceFlip(ratio=0.2).poison(X, y, seed=0, class_names=data.class_names)
        assert optimal.count == confident.count
        assert _held_out_errors(X, y, optimal.y, 0) >= _held_out_errors(X, y, confident.y, 0)


def _test_accuracies(dataset: str, ratio: float, data_seed: int, seed: int) -> tuple[float, float]:
    """Test accuracy of the article's model after optimal-flip and after confidence-flip, from scratch."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data, parts = split_of(dataset, data_seed)
    scores = []
    for attack in (OptimalFlip(ratio=ratio), ConfidenceFlip(ratio=ratio)):
        labels = attack.poison(parts.X_train, parts.y_train, seed=seed, class_names=data.class_names).y
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(parts.X_train, labels)
        scores.append(model.score(parts.X_test, parts.y_test))
    return scores[0], scores[1]


def test_optimal_flip_hurts_more_than_confidence_flip_on_breast_cancer():
    optimal = poisoned_accuracy("breast-cancer", "optimal-flip", {"ratio": 0.2})["poisoned"]["accuracy"]
    confident = poisoned_accuracy("breast-cancer", "confidence-flip", {"ratio": 0.2})["poisoned"]["accuracy"]
    assert optimal < confident
    assert (optimal, confident) == pytest.approx(_test_accuracies("breast-cancer", 0.2, 42, 0))
    # Not a lucky draw: never weaker, and stronger on average, over five splits and over five attack seeds.
    for pairs in ([_test_accuracies("breast-cancer", 0.2, data_seed, 0) for data_seed in range(42, 47)],
                  [_test_accuracies("breast-cancer", 0.2, 42, seed) for seed in SEEDS]):
        assert all(o <= c for o, c in pairs)
        assert np.mean([o for o, _ in pairs]) < np.mean([c for _, c in pairs])


def test_subpopulation_attack_is_measured_on_its_cluster_of_the_test_set():
    data, parts = split_of("breast-cancer")
    attack = ATTACKS["subpopulation"](source="malignant", target="benign", cluster=2)
    poisoned = attack.poison(parts.X_train, parts.y_train, seed=0, class_names=data.class_names)
    # Every relabelled row is a malignant row of the chosen cluster, and all of the cluster is relabelled.
    in_cluster = poisoned.subpopulation.contains(parts.X_train) & (parts.y_train == 0)
    assert np.array_equal(poisoned.mask, in_cluster) and np.all(poisoned.y[poisoned.mask] == 1)
    rows = poisoned_accuracy("breast-cancer", "subpopulation", {"source": "malignant", "target": "benign",
                                                                "cluster": 2})
    cases = int(np.sum(poisoned.subpopulation.contains(parts.X_test) & (parts.y_test == 0)))
    assert 0 < cases < int(np.sum(parts.y_test == 0))
    success = rows["poisoned"]["attack_success"]
    assert success >= 0.6 and rows["clean"]["attack_success"] <= 0.1
    assert success * cases == pytest.approx(round(success * cases))
    # The damage is concentrated: the cluster fails far more than the whole test set does.
    assert rows["clean"]["accuracy"] - rows["poisoned"]["accuracy"] < 0.15


def test_subpopulation_rejects_a_cluster_beyond_the_clusters():
    data, parts = split_of("iris")
    with pytest.raises(InputError, match="beyond the 3 clusters"):
        ATTACKS["subpopulation"](clusters=3, cluster=4).poison(parts.X_train, parts.y_train, seed=0,
                                                               class_names=data.class_names)


def test_the_command_line_reads_the_new_attacks_and_defences(capsys):
    import json

    from poisontui.cli import main

    assert main(["run", "--dataset", "breast-cancer", "--attack", "adaptive-injection:ratio=0.05,margin=3",
                 "--mitigation", "sphere-slab", "--mitigation", "trim:keep=0.9", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["poisoned_count"] == 19
    assert [r["name"] for r in result["results"]] == ["clean", "poisoned", "sphere-slab", "trim"]
    assert main(["run", "--attack", "subpopulation:cluster=9,clusters=5"]) == 2
    assert "beyond the 5 clusters" in capsys.readouterr().err
    assert main(["list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    attacks = {a["name"]: a for a in listed["attacks"]}
    assert {"optimal-flip", "gradient-injection", "adaptive-injection", "subpopulation"} <= set(attacks)
    assert [p["name"] for p in attacks["adaptive-injection"]["params"]][-2:] == ["quantile", "margin"]
    families = {m["name"]: m["family"] for m in listed["mitigations"]}
    assert (families["sphere-slab"], families["spectral"], families["trim"]) == ("validation", "anomaly",
                                                                                 "robustness")


def test_the_zscore_adaptive_attack_passes_the_filter_and_hurts_more_behind_it():
    plain = poisoned_accuracy("breast-cancer", "gradient-injection", {"ratio": 0.05}, 0, ["zscore-filter"])
    adaptive = poisoned_accuracy("breast-cancer", "adaptive-zscore-injection", {"ratio": 0.05}, 0,
                                 ["zscore-filter"])
    assert adaptive["zscore-filter"]["detection_recall"] == 0 < plain["zscore-filter"]["detection_recall"]
    assert adaptive["zscore-filter"]["accuracy"] < plain["zscore-filter"]["accuracy"]
    assert adaptive["poisoned"]["accuracy"] < adaptive["clean"]["accuracy"] - 0.02


@pytest.mark.parametrize("per_class", [False, True])
def test_points_in_the_zscore_envelope_score_below_the_filters_threshold_from_scratch(per_class):
    data, parts = split_of("wine")
    X, y = parts.X_train, parts.y_train
    out = ATTACKS["adaptive-zscore-injection"](ratio=0.1, per_class=per_class).poison(
        X, y, seed=0, class_names=data.class_names)
    points, labels = out.X[out.mask], out.y[out.mask]
    assert len(points) == share(0.1, len(y)) > 0
    for c in (np.unique(y) if per_class else [None]):
        rows = X if c is None else X[y == c]
        mine = points if c is None else points[labels == c]
        # The filter's rule written out again: robust z per feature with spread, RMS per row, then a robust
        # z of the square roots of those RMS scores, which must stay at or below 3.5.
        median = np.median(rows, axis=0)
        mad = np.median(np.abs(rows - median), axis=0) / 0.6745
        keep = mad > 0

        def rms(A):
            return np.sqrt(np.mean(((A[:, keep] - median[keep]) / mad[keep]) ** 2, axis=1))

        roots = np.sqrt(rms(rows))
        centre = np.median(roots)
        spread = np.median(np.abs(roots - centre)) / 0.6745
        assert np.all((np.sqrt(rms(mine)) - centre) / spread <= 3.5)


def _svm_hinge_loss_of_clean_rows(X, y, poisoned) -> float:
    """From scratch: fit LinearSVC on the poisoned rows (standardised as the attacker does, by the clean
    rows) and sum the hinge loss of the clean rows against their labels."""
    from sklearn.svm import LinearSVC

    mean, scale = X.mean(axis=0), X.std(axis=0)
    model = LinearSVC(C=1.0, tol=1e-6, max_iter=10_000).fit((poisoned.X - mean) / scale, poisoned.y)
    signs = np.where(y == 1, 1.0, -1.0)
    return float(np.sum(np.maximum(0.0, 1.0 - signs * model.decision_function((X - mean) / scale))))


def test_gradient_injection_against_a_linear_svm_raises_its_hinge_loss_and_hurts_it():
    data, parts = split_of("breast-cancer")
    X, y = parts.X_train, parts.y_train
    moved = ATTACKS["gradient-injection"](ratio=0.05, model="linear-svm").poison(
        X, y, seed=0, class_names=data.class_names)
    unmoved = ATTACKS["gradient-injection"](ratio=0.05, model="linear-svm", steps=1).poison(
        X, y, seed=0, class_names=data.class_names)
    assert _svm_hinge_loss_of_clean_rows(X, y, moved) > 1.5 * _svm_hinge_loss_of_clean_rows(X, y, unmoved)

    def accuracy(attack, params, seed):
        result = run_experiment(Config.from_dict({
            "dataset": {"name": "breast-cancer"}, "model": {"name": "linear-svm"},
            "attack": {"name": attack, "params": params}, "seed": seed}))
        return {row["name"]: row["accuracy"] for row in result.rows}

    optimised = [accuracy("gradient-injection", {"ratio": 0.05, "model": "linear-svm"}, s) for s in range(3)]
    flipped = [accuracy("label-flip", {"ratio": 0.2}, s)["poisoned"] for s in range(3)]
    assert all(run["poisoned"] < run["clean"] - 0.03 for run in optimised)
    assert np.mean([run["poisoned"] for run in optimised]) < np.mean(flipped)
