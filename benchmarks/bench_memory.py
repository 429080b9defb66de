"""Peak memory of `poisontui run` against the memory guard's estimate, per config.

Run by hand: python benchmarks/bench_memory.py. Each config runs in a fresh process; its peak
resident memory (ru_maxrss) is printed beside the estimate the guard compares with the memory
available. The estimate should stay above the measure without being far above it.
"""

import subprocess
import sys

from poisontui.engine.experiment import Config

MID = "synthetic:n_samples=20000,n_features=500"
CONFIGS = [
    ["--dataset", "iris"],
    ["--dataset", MID],
    ["--dataset", "synthetic:n_samples=100000,n_features=500"],
    ["--dataset", "synthetic:n_samples=200000,n_features=100"],
    *(["--dataset", MID, "--mitigation", m] for m in ("zscore-filter", "knn-sanitize", "isolation-forest", "lof",
                                                        "label-issues", "dp-logreg", "bagging", "regularize")),
    ["--dataset", MID, "--model", "linear-svm"],
    ["--dataset", MID, "--attack", "injection:ratio=2"],
    ["--dataset", "synthetic:n_samples=100000,n_features=500", "--mitigation", "zscore-filter"],
]


def peak_bytes(args: list[str]) -> int:
    """ru_maxrss of one run, measured in a wrapper process so each run is counted alone."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "poisontui", "run", "--format", "json",
                          *args], check=True, capture_output=True, text=True).stdout
    return int(out) * 1024


def estimate(args: list[str]) -> int:
    from poisontui.cli import build_parser, config_from_args

    config: Config = config_from_args(build_parser().parse_args(["run", *args]))
    dataset = config.components()[0]
    return config.memory_estimate(*dataset.shape())


def main() -> None:
    print(f"{'measured':>9} {'estimate':>9}  config (MiB)")
    for args in CONFIGS:
        print(f"{peak_bytes(args) // 2**20:>9} {estimate(args) // 2**20:>9}  {' '.join(args)}", flush=True)


if __name__ == "__main__":
    main()
