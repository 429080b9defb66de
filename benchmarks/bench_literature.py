"""Seconds each optimising attack and literature defence takes on every built-in dataset.

Run by hand: python benchmarks/bench_literature.py [--repeat N]. Attacks are timed poisoning the
training split with their defaults; defences are timed mitigating (flagging and training the
default logistic regression) on that split after the default label flip. Medians of N runs, in
this process (imports not counted). The target is under 10 s each.
"""

import argparse
import statistics
import time

from poisontui.engine.attacks import ATTACKS
from poisontui.engine.cache import DataCache
from poisontui.engine.datasets import DATASETS
from poisontui.engine.experiment import Config
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.models import LogReg

ATTACK_NAMES = ["optimal-flip", "gradient-injection", "adaptive-injection", "subpopulation"]
DEFENCE_NAMES = ["trim", "sphere-slab", "spectral", "certified-knn"]


def median_seconds(task, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = ATTACK_NAMES + DEFENCE_NAMES
    print(f"{'dataset':14s}" + "".join(f"{n:>20s}" for n in names))
    worst = 0.0
    for dataset in DATASETS:
        data, parts = DataCache(size=0).get(Config.from_dict({"dataset": {"name": dataset}}))
        X, y, classes = parts.X_train, parts.y_train, data.class_names
        flipped = ATTACKS["label-flip"]().poison(X, y, seed=0, class_names=classes)
        cells = []
        for name in ATTACK_NAMES:
            attack = ATTACKS[name]()
            cells.append(median_seconds(lambda: attack.poison(X, y, seed=0, class_names=classes), args.repeat))
        for name in DEFENCE_NAMES:
            defence = MITIGATIONS[name]()
            cells.append(median_seconds(lambda: defence.mitigate(flipped.X, flipped.y, model=LogReg(), seed=0,
                                                                 standardized=data.standardized), args.repeat))
        worst = max(worst, *cells)
        print(f"{dataset:14s}" + "".join(f"{c:19.2f}s" for c in cells), flush=True)
    print(f"slowest: {worst:.2f} s (target: under 10 s)")


if __name__ == "__main__":
    main()
