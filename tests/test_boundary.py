"""Decision regions: each grid point's class is the fitted model's prediction at the feature row it stands for."""

import numpy as np
import pytest

from poisontui.engine.boundary import decision_regions
from poisontui.engine.cache import DataCache
from poisontui.engine.experiment import Config, run_experiment, train_clean


def _config(dataset, model="logreg", attack="label-flip", **attack_params):
    return Config.from_dict({"dataset": dataset, "model": {"name": model, "params": {}},
                             "attack": {"name": attack, "params": attack_params},
                             "mitigations": [{"name": "knn-sanitize", "params": {}}]})


def _by_hand(X, coords, xs, ys):
    """Feature rows at the grid points, found without the engine's projection: standardise, and for more
    than two features take the top two right singular vectors (each axis's sign matched to `coords`)."""
    mean, sd = X.mean(axis=0), X.std(axis=0)
    Z = (X - mean) / sd
    grid = np.array([[x, y] for y in ys for x in xs])
    if X.shape[1] == 2:
        assert np.allclose(coords, Z)
        return mean + sd * grid
    _, _, vt = np.linalg.svd(Z - Z.mean(axis=0), full_matrices=False)
    axes = vt[:2]
    signs = np.sign(np.sum((Z @ axes.T) * coords, axis=0))
    assert np.allclose(Z @ axes.T * signs, coords, atol=1e-8)
    return mean + sd * ((grid * signs) @ axes)


@pytest.mark.parametrize("dataset, model", [
    ({"name": "moons", "params": {}}, "logreg"),
    ({"name": "blobs", "params": {}}, "knn"),
    ({"name": "breast-cancer", "params": {}}, "logreg"),
    ({"name": "wine", "params": {}}, "random-forest"),
])
def test_regions_are_the_models_predictions_at_the_grid_points(dataset, model):
    config = _config(dataset, model, ratio=0.2)
    result = run_experiment(config, boundary=True)
    boundary = result.boundary
    X = result.poisoned.X
    points = _by_hand(X, boundary.coords, boundary.xs, boundary.ys)
    clean, _ = train_clean(config, DataCache(size=0))
    expected = clean.predict(points).reshape(len(boundary.ys), len(boundary.xs))
    assert (boundary.regions["clean"] == expected).all()
    assert set(boundary.regions) == {"clean", "poisoned", "knn-sanitize"}
    assert boundary.projected == (X.shape[1] > 2)
    # The grid spans every row, with a margin.
    assert boundary.xs[0] < boundary.coords[:, 0].min() and boundary.coords[:, 0].max() < boundary.xs[-1]
    assert boundary.ys[0] < boundary.coords[:, 1].min() and boundary.coords[:, 1].max() < boundary.ys[-1]


def test_the_poisoned_models_regions_move():
    """A 40% targeted flip on moons moves the boundary: the poisoned model claims more of the plane for the
    target class than the clean one does, and the poisoned rows sit where the clean model says source."""
    config = _config({"name": "moons", "params": {}}, "knn", "targeted-flip", ratio=0.4, source="upper",
                     target="lower")
    result = run_experiment(config, boundary=True)
    b = result.boundary
    clean, poisoned = b.regions["clean"], b.regions["poisoned"]
    assert b.disagreement("poisoned") > 0.05
    assert (poisoned == 1).mean() > (clean == 1).mean()
    assert b.disagreement("clean") == 0.0
    assert "standardised" in b.method and "projection" not in b.method


def test_a_projection_says_so():
    result = run_experiment(_config({"name": "breast-cancer", "params": {}}), boundary=True)
    method = result.boundary.method
    assert method.startswith("2-D projection (PCA, ")
    assert "mapped back to the 30 features" in method


def test_regions_of_any_model_over_given_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))

    class Sign:
        def predict(self, rows):
            return (rows[:, 0] + rows[:, 1] + rows[:, 2] > 0).astype(int)

    boundary = decision_regions(X, {"sign": Sign()}, size=(30, 10))
    assert boundary.regions["sign"].shape == (10, 30)
    assert boundary.regions["sign"].dtype == np.int16
    points = _by_hand(X, boundary.coords, boundary.xs, boundary.ys)
    assert (boundary.regions["sign"].ravel() == Sign().predict(points)).all()


def test_runs_keep_no_regions_unless_asked():
    assert run_experiment(_config({"name": "moons", "params": {}})).boundary is None


def test_one_feature_data_varies_across_only():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 1))

    class Threshold:
        def predict(self, rows):
            return (rows[:, 0] > 0.3).astype(int)

    boundary = decision_regions(X, {"clean": Threshold()}, size=(40, 6))
    regions = boundary.regions["clean"]
    assert (regions == regions[0]).all() and 0 < regions[0].sum() < 40
    assert "one feature" in boundary.method


def test_a_two_column_file_is_drawn_on_its_own_features(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    path = tmp_path / "two.csv"
    rows = [f"{a:.4f},{b:.4f},{'yes' if a + b > 0 else 'no'}" for a, b in X]
    path.write_text("height,weight,label\n" + "\n".join(rows) + "\n")
    config = Config.from_dict({"data": str(path), "label": "label", "attack": {"name": "label-flip", "params": {}}})
    boundary = run_experiment(config, boundary=True).boundary
    assert not boundary.projected and boundary.features == 2
    assert "two features" in boundary.method
