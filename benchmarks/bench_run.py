"""Wall time of `poisontui run`, against a hand-written scikit-learn script doing the same fits.

Run by hand: python benchmarks/bench_run.py [--repeat N]. Prints medians of N runs, each a fresh
process, so imports are counted as a user pays them.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="skip the 100,000-row run")
    args = parser.parse_args()
    # One seed: the same fits as the script (the article preset itself runs over 5 seeds; timed below).
    poisontui = [sys.executable, "-m", "poisontui", "run", "--format", "json", "--seeds", "1"]

    ours = wall([*poisontui, "--mitigation", "all"], args.repeat)
    script = wall([sys.executable, str(HERE / "article_baseline.py")], args.repeat)
    imports = wall([sys.executable, "-c", "import sklearn.linear_model, sklearn.ensemble, sklearn.neighbors, "
                    "sklearn.model_selection, cleanlab.filter, scipy.optimize"], args.repeat)
    print(f"article, every mitigation, poisontui run:    {ours:6.2f} s")
    print(f"article, every mitigation, hand-written:     {script:6.2f} s  (of which imports {imports:.2f} s)")
    print(f"ratio:                                       {ours / script:6.2f}x  (target <= 1.2x)")
    preset = wall([sys.executable, "-m", "poisontui", "run", "--format", "json"], args.repeat)
    print(f"article preset (4 mitigations x 5 seeds):    {preset:6.2f} s")
    if not args.skip_large:
        large = wall([*poisontui, "--dataset", "synthetic:n_samples=100000,n_features=50",
                      "--mitigation", "knn-sanitize"], 1)
        print(f"100,000 x 50 synthetic, knn-sanitize:        {large:6.2f} s")


if __name__ == "__main__":
    main()
