"""The app's memory over many runs: resident size and Python's traced memory every so many runs.

Run by hand: python benchmarks/bench_app_memory.py [--runs 100] [--pins]. The app runs headless at 80x24
on the article preset; each run is the `r` key, waited for. With --pins each run also pins its result
and visits screens 2, 3 and 4, as a user comparing settings would. Memory should level off: old
results (beyond four pins) and the widgets of screens rebuilt since must not stay alive.
"""

import argparse
import asyncio
import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pilot import settle  # noqa: E402

from poisontui.app import PoisonApp  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(runs: int, pins: bool, every: int) -> None:
    app = PoisonApp()
    started = time.monotonic()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        tracemalloc.start(1)
        print(f"{'runs':>5} {'RSS MB':>8} {'traced MB':>10}")
        for run in range(1, runs + 1):
            for key in ("r", "p", "2", "3", "4") if pins else ("r",):
                await pilot.press(key)
                await settle(pilot)
            if run % every == 0 or run == 1:
                gc.collect()
                print(f"{run:>5} {rss_mb():>8.1f} {tracemalloc.get_traced_memory()[0] / 2**20:>10.1f}", flush=True)
    print(f"{runs} runs in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--pins", action="store_true", help="pin each result and switch screens too")
    args = parser.parse_args()
    asyncio.run(measure(args.runs, args.pins, args.every))


if __name__ == "__main__":
    main()
