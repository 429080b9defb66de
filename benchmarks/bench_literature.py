"""Seconds each attack and defence takes on every built-in dataset.

Run by hand: python benchmarks/bench_literature.py [--repeat N] [--only NAME,...]. Attacks are timed
poisoning the training split with their defaults (and gradient injection also against a linear
SVM); defences are timed mitigating (flagging and training the default logistic regression) on that
split after the default label flip. Medians of N runs, in this process (imports not counted), on
whatever cores the machine has (the figures in the README are from two). The target is under 10 s each.
"""

import argparse
import statistics
import time

from poisontui.engine.attacks import ATTACKS
from poisontui.engine.cache import DataCache
from poisontui.engine.datasets import DATASETS
from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.models import LogReg

# (label, attack name, parameters): every attack with its defaults, and the SVM variant of the injection.
ATTACK_RUNS = [(name, name, {}) for name in ATTACKS] + [
    ("gradient-injection:svm", "gradient-injection", {"model": "linear-svm"})]


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
    parser.add_argument("--only", help="comma-separated attack or defence labels to time (default: all)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    splits = {}
    for dataset in DATASETS:
        data, parts = DataCache(size=0).get(Config.from_dict({"dataset": {"name": dataset}}))
        flipped = ATTACKS["label-flip"]().poison(parts.X_train, parts.y_train, seed=0, class_names=data.class_names)
        splits[dataset] = (data, parts, flipped)
    print(f"{'seconds':26s}" + "".join(f"{d:>14s}" for d in DATASETS))
    worst = (0.0, "")
    runs = [("attack", *run) for run in ATTACK_RUNS] + [("defence", name, name, {}) for name in MITIGATIONS]
    for kind, label, name, params in runs:
        if only is not None and label not in only:
            continue
        cells = []
        for dataset, (data, parts, flipped) in splits.items():
            X, y, classes = parts.X_train, parts.y_train, data.class_names
            if kind == "attack":
                attack = ATTACKS[name](**params)
                task = lambda: attack.poison(X, y, seed=0, class_names=classes)  # noqa: E731
            else:
                defence = MITIGATIONS[name](**params)
                task = lambda: defence.mitigate(flipped.X, flipped.y, model=LogReg(), seed=0,  # noqa: E731
                                                standardized=data.standardized)
            try:
                cells.append(median_seconds(task, args.repeat))
            except InputError:  # e.g. a backdoor trigger wider than a 2-feature dataset
                cells.append(None)
                continue
            worst = max(worst, (cells[-1], f"{label} on {dataset}"))
        print(f"{kind[0]} {label:24s}" + "".join(f"{c:13.2f}s" if c is not None else f"{'-':>14s}" for c in cells),
              flush=True)
    print(f"slowest: {worst[0]:.2f} s, {worst[1]} (target: under 10 s)")


if __name__ == "__main__":
    main()
