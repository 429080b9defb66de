"""A 2-D view of the data for charts: standardise, then the first two principal components."""

from __future__ import annotations

import numpy as np

MAX_POINTS = 1500


def project_2d(X: np.ndarray) -> tuple[np.ndarray, str]:
    """Coordinates of each row in 2-D, and the axes' description."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X)
    if X.shape[1] <= 2:
        return (Z if X.shape[1] == 2 else np.c_[Z, np.zeros(len(Z))]), "standardised features"
    pca = PCA(n_components=2, random_state=0).fit(Z)
    share = pca.explained_variance_ratio_.sum()
    return pca.transform(Z), f"first two principal components ({share:.0%} of variance)"


def thin(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of an evenly spaced subset of at most `limit` rows, so large data still plots quickly."""
    if n <= limit:
        return np.arange(n)
    return np.linspace(0, n - 1, limit).astype(int)
