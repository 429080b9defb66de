"""A 2-D view of the data for charts: standardise, then the first two principal components."""

from __future__ import annotations

import numpy as np

MAX_POINTS = 1500


class Projection:
    """The 2-D view fitted on some rows: rows to view coordinates, and view coordinates back to features.

    With two features or fewer the view is the standardised features themselves; with more, the
    first two principal components of the standardised features. `inverse` maps a point of the
    view to the feature row it stands for: on the principal-component plane through the rows'
    mean (every other component at its mean).
    """

    def __init__(self, X: np.ndarray) -> None:
        from sklearn.decomposition import PCA
        from sklearn.preprocessing import StandardScaler

        self.features = X.shape[1]
        self.scaler = StandardScaler().fit(X)
        self.pca = None
        self.axes = "standardised features"
        self.variance = 1.0  # the share of the standardised features' variance the view shows
        if self.features > 2:
            self.pca = PCA(n_components=2, random_state=0).fit(self.scaler.transform(X))
            self.variance = float(self.pca.explained_variance_ratio_.sum())
            self.axes = f"first two principal components ({self.variance:.0%} of variance)"

    @property
    def projected(self) -> bool:
        """The view is a projection (the data has more than two features)."""
        return self.pca is not None

    def transform(self, X: np.ndarray) -> np.ndarray:
        Z = self.scaler.transform(X)
        if self.pca is not None:
            return self.pca.transform(Z)
        return Z if self.features == 2 else np.c_[Z, np.zeros(len(Z))]

    def inverse(self, points: np.ndarray) -> np.ndarray:
        """Feature rows at the view's `points` (an (n, 2) array)."""
        Z = self.pca.inverse_transform(points) if self.pca is not None else points[:, :self.features]
        return self.scaler.inverse_transform(Z)


def project_2d(X: np.ndarray) -> tuple[np.ndarray, str]:
    """Coordinates of each row in 2-D, and the axes' description."""
    view = Projection(X)
    return view.transform(X), view.axes


def thin(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of an evenly spaced subset of at most `limit` rows, so large data still plots quickly."""
    if n <= limit:
        return np.arange(n)
    return np.linspace(0, n - 1, limit).astype(int)
