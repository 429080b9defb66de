import numpy as np
import pytest


@pytest.fixture
def binary_data():
    """A well separated two-class problem, 400 rows, 6 features."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=400, n_features=6, n_informative=3, n_redundant=0,
                               class_sep=2.0, flip_y=0.0, random_state=1)
    return X, y


@pytest.fixture
def three_class_data():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0], [6, 0], [0, 6]], dtype=float)
    y = np.repeat(np.arange(3), 100)
    X = centres[y] + rng.normal(size=(300, 2))
    return X, y


@pytest.fixture(autouse=True)
def _screens_built_when_shown(monkeypatch):
    """Most tests leave each screen to be built on its first visit: building every screen after the
    first paint costs each test's app 2-3 s of CPU. tests/test_prebuild.py builds them, as the app does."""
    from poisontui.app import PoisonApp

    monkeypatch.setattr(PoisonApp, "PREBUILD_SCREENS", False)
