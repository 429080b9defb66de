"""Wall time of a 60-cell sweep with one job and with two.

breast-cancer, label-flip, 6 ratios x 5 seeds, each training the poisoned model, knn-sanitize and
label-issues: 30 (ratio, seed) cells, 60 mitigated fits, plus one clean model per seed.
Run by hand: python benchmarks/bench_sweep.py [--repeat N]. Each sample is a fresh process; it
reports the whole process (imports included) and the sweep alone (imports done, as in a session
that has already run something). Targets: 2 jobs at least 1.6x faster than 1; whole sweep < 15 s.
"""

import argparse
import statistics
import subprocess
import sys

CHILD = """
import sys, time
start = time.perf_counter()
from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.sweep import SweepConfig, run_sweep
import sklearn.linear_model, sklearn.neighbors, sklearn.model_selection, cleanlab.filter
experiment = Config.from_dict({"dataset": {"name": "breast-cancer"}, "attack": {"name": "label-flip"},
                               "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}]})
sweep = SweepConfig(experiment, [0, 0.1, 0.2, 0.3, 0.4, 0.5], seeds=5, jobs=int(sys.argv[1]))
begin = time.perf_counter()
cells = list(run_sweep(sweep))
end = time.perf_counter()
assert len(cells) == 30
print(end - begin, end - start)
"""


def sample(jobs: int, repeat: int) -> tuple[float, float]:
    sweeps, totals = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, str(jobs)], capture_output=True, text=True, check=True)
        sweep, total = map(float, out.stdout.split())
        sweeps.append(sweep)
        totals.append(total)
    return statistics.median(sweeps), statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    (s1, t1), (s2, t2) = sample(1, args.repeat), sample(2, args.repeat)
    print("                  sweep alone   whole process (imports included)")
    print(f"--jobs 1          {s1:8.2f} s   {t1:8.2f} s")
    print(f"--jobs 2          {s2:8.2f} s   {t2:8.2f} s")
    print(f"speed-up          {s1 / s2:8.2f}x   {t1 / t2:8.2f}x   (target >= 1.6x; whole sweep < 15 s)")


if __name__ == "__main__":
    main()
