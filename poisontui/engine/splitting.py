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


def split(data: Data, test_size: float, seed: int) -> Split:
    """The article's split: train_test_split(test_size, random_state=seed), not stratified."""
    from sklearn.model_selection import train_test_split

    n_test = int(np.ceil(test_size * len(data.y)))
    if len(data.y) - n_test < 2 or n_test < 1:
        raise InputError(f"{len(data.y)} rows are too few to split with test_size {test_size:g}")
    parts = train_test_split(data.X, data.y, test_size=test_size, random_state=seed)
    result = Split(*parts)
    if len(np.unique(result.y_train)) < 2:
        raise InputError("the training split holds one class only; use more rows or another data seed")
    return result
