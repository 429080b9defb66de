"""Loaded and split data kept between runs, so changing an attack does not reload the dataset."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from poisontui.engine.datasets import Data
from poisontui.engine.splitting import Split, split

if TYPE_CHECKING:
    from poisontui.engine.experiment import Config


class DataCache:
    """A small thread-safe LRU of (data, split) keyed by the parts of a config that shape them."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[Data, Split]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(config: "Config") -> str:
        return json.dumps([config.dataset, config.data, config.label, config.features, config.ignore,
                           config.missing, config.sample, config.data_seed, config.test_size], sort_keys=True)

    def get(self, config: "Config") -> tuple[Data, Split]:
        key = self.key(config)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = config.load_data()
        parts = split(data, config.test_size, config.data_seed)
        with self._lock:
            self._items[key] = (data, parts)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data, parts
