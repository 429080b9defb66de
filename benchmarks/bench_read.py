"""Reading a large CSV: poisontui's loader against pandas.read_csv alone.

Run by hand: python benchmarks/bench_read.py [--rows N] [--repeat N]. Writes a CSV of N rows
(default 1,000,000) x 20 numeric feature columns and an integer label to a temporary folder,
then times, each in a fresh process (imports excluded, medians of --repeat runs):
  - pandas.read_csv(path) alone;
  - load_file(path): the same read plus the column roles, label encoding and checks;
  - load_file and split: the above plus the 70/30 split and the encoder fitted on the training rows;
  - load_file with --sample 100000: read whole and sampled when the file fits in memory, and read
    twice in chunks (labels first, then the sampled rows) when told only 200 MiB are available.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STEPS = {
    "pandas.read_csv alone": "import pandas; pandas.read_csv(PATH)",
    "load_file (roles, labels, checks)": "from poisontui.engine.filedata import load_file; load_file(PATH)",
    "load_file + split + encoder": "from poisontui.engine.filedata import load_file\n"
                                   "from poisontui.engine.splitting import split\n"
                                   "split(load_file(PATH), 0.3, 42)",
    "load_file --sample 100000": "from poisontui.engine.filedata import load_file; load_file(PATH, sample=100_000)",
    # With 200 MiB beyond the libraries' share the whole file does not fit (about 0.6 GiB estimated); the sample does.
    "load_file --sample 100000, two passes": "import poisontui.engine.filedata as f\n"
                                             "from poisontui.engine import memory\n"
                                             "memory.available = lambda: memory.Limit(memory.BASE_BYTES + 200 * 2**20, '')\n"
                                             "f.load_file(PATH, sample=100_000)",
}
# Imports before the clock starts, so only the reading is timed.
PRELUDE = ("import time, pandas, sklearn.model_selection, sklearn.compose, sklearn.impute, "
           "sklearn.preprocessing, poisontui.engine.filedata\n")


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    import pandas as pd

    for start in range(0, rows, 200_000):
        n = min(200_000, rows - start)
        X = rng.normal(size=(n, 20)) * rng.uniform(0.1, 100, size=20)
        frame = pd.DataFrame(X.round(4), columns=[f"x{i}" for i in range(20)])
        frame["label"] = (X[:, 0] + X[:, 1] > 0).astype(int)
        frame.to_csv(path, mode="a", header=start == 0, index=False)


def timed(code: str, path: Path) -> float:
    program = PRELUDE + "t0 = time.perf_counter()\n" + code.replace("PATH", repr(str(path))) + \
        "\nprint(time.perf_counter() - t0)\n"
    done = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.csv"
        start = time.perf_counter()
        write_csv(path, args.rows)
        print(f"{args.rows:,} rows x 20 numeric columns + label: {path.stat().st_size / 2**20:.0f} MiB "
              f"(written in {time.perf_counter() - start:.1f} s)")
        baseline = None
        for name, code in STEPS.items():
            seconds = statistics.median(timed(code, path) for _ in range(args.repeat))
            baseline = baseline or seconds
            print(f"{name:<40} {seconds:6.2f} s  {seconds / baseline:5.2f}x")


if __name__ == "__main__":
    main()
