"""What an attack will do, before any training: the poisoned rows and a 2-D view of them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poisontui.engine.attacks import Poisoned
from poisontui.engine.cache import DataCache
from poisontui.engine.datasets import Data
from poisontui.engine.experiment import Config
from poisontui.engine.projection import project_2d
from poisontui.engine.splitting import Split


@dataclass
class AttackPreview:
    data: Data
    split: Split
    poisoned: Poisoned
    coords: np.ndarray
    axes: str
    sentence: str


def preview_attack(config: Config, cache: DataCache) -> AttackPreview:
    """Poison the training split as a run would, without training anything."""
    data, parts = cache.get(config)
    _, _, attack, _ = config.components()
    poisoned = attack.poison(parts.X_train, parts.y_train, seed=config.seed, class_names=data.class_names)
    coords, axes = project_2d(poisoned.X)
    sentence = attack.describe(poisoned, len(parts.y_train), data.class_names)
    return AttackPreview(data, parts, poisoned, coords, axes, sentence)
