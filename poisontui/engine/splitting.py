"""The train/test split, done as the article does it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poisontui.engine.datasets import Data
from poisontui.engine.errors import InputError


@dataclass
class Split:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]


def split(data: Data, test_size: float, seed: int) -> Split:
    """The article's split: train_test_split(test_size, random_state=seed), not stratified.

    A file's encoder is fitted here, on the training rows alone, so the imputed values and the
    categories kept never depend on the test rows.
    """
    from sklearn.model_selection import train_test_split

    n_test = int(np.ceil(test_size * len(data.y)))
    if len(data.y) - n_test < 2 or n_test < 1:
        raise InputError(f"{len(data.y)} rows are too few to split with test_size {test_size:g}")
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=test_size, random_state=seed)
    names = list(data.feature_names)
    if data.encoder is not None:
        from sklearn.base import clone

        encoder = clone(data.encoder).fit(X_train)
        X_train, X_test = _floats(encoder.transform(X_train)), _floats(encoder.transform(X_test))
        names = [str(n) for n in encoder.get_feature_names_out()]
        if not names:
            raise InputError("no feature has a value in the training rows; choose other columns")
    result = Split(X_train, X_test, y_train, y_test, names)
    if len(np.unique(result.y_train)) < 2:
        raise InputError("the training split holds one class only; use more rows or another data seed")
    return result


def _floats(X) -> np.ndarray:
    return np.asarray(X, dtype=float)
