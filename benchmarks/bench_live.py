"""How long a run takes in the app, from its start to its result: live mode reruns by itself below 1 s.

Run by hand: python benchmarks/bench_live.py [--repeat N]. Drives the app headless (Pilot, 80x24),
presses r N times per config and prints the times the app itself records for live mode (the run's
process started, the run, its decision regions, the result sent back and shown).
"""

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

CONFIGS = {
    "moons 300 rows, knn-sanitize": {"dataset": {"name": "moons", "params": {"n_samples": 300}},
                                     "mitigations": [{"name": "knn-sanitize", "params": {}}]},
    "article preset (1,000 rows, no mitigation)": "article",
    "diagnosis preset (3 mitigations)": "diagnosis",
    "stop-sign preset (3 mitigations)": "stop-sign",
}


async def measure(config, repeat: int) -> list[float]:
    from pilot import settle

    from poisontui.app import PoisonApp

    app = PoisonApp(config)
    times = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(repeat):
            await pilot.press("r")
            await settle(pilot)
            times.append(app.live.last_seconds)
    return times


def main() -> None:
    from poisontui.engine.experiment import Config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for label, spec in CONFIGS.items():
        config = Config.from_preset(spec) if isinstance(spec, str) else Config.from_dict(spec)
        times = asyncio.run(measure(config, args.repeat))
        print(f"{label:45s} median {statistics.median(times):.2f} s ({min(times):.2f} to {max(times):.2f})")


if __name__ == "__main__":
    main()
