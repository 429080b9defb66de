"""Memory levels off with use: fifty runs, with pins and screen switches, keep no more than the last ones."""

import gc
import tracemalloc

from pilot import settle

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config


async def test_memory_levels_off_over_fifty_runs():
    tiny = {"n_samples": 100, "n_features": 3, "n_informative": 2, "n_redundant": 0}
    config = Config.from_dict({"dataset": {"name": "synthetic", "params": tiny},
                               "mitigations": [{"name": "zscore-filter"}]})
    app = PoisonApp(config)
    used = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tracemalloc.start(1)
        try:
            for run in range(50):
                # Each run rebuilds the footer's keys (its bindings change as it starts and ends);
                # every tenth also pins its result (four pins are kept) and switches screens.
                for key in ("r", "p", "3", "4") if run % 10 == 0 else ("r",):
                    await pilot.press(key)
                    await settle(pilot)
                if run % 10 == 9:
                    gc.collect()
                    used.append(tracemalloc.get_traced_memory()[0])
        finally:
            tracemalloc.stop()
    growth = [b - a for a, b in zip(used, used[1:])]
    print("traced memory after each 10 runs (MB):", [round(u / 1e6, 2) for u in used])
    # Caches fill during the first runs; after that, ten more runs must cost next to nothing
    # (before the fix each ten runs kept about 2.5 MB more, for good).
    assert max(growth[-2:]) < 0.5e6, growth
    assert sum(growth[-2:]) < 0.5 * growth[0] or sum(growth[-2:]) < 0.2e6, growth
