"""What the decision regions add to a run, and what drawing them in the terminal costs.

Run by hand: python benchmarks/bench_boundary.py [--repeat N]. For each config the run is made
with regions (as the app makes it) and the time spent in the regions' own steps (fitting the
2-D view, each model's predictions on the grid) is summed; medians of N runs, in this process.
Then the widget's canvas is built at three panel sizes.
"""

import argparse
import statistics
import time

from poisontui.engine import boundary as regions
from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS

CONFIGS = {
    "moons, knn, 3 mitigations": {
        "dataset": {"name": "moons", "params": {}}, "model": {"name": "knn", "params": {}},
        "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "upper", "target": "lower"}},
        "mitigations": ["knn-sanitize", "label-issues", "certified-knn"]},
    "article, every mitigation": {"preset": "article", "mitigations": list(MITIGATIONS)},
    "diagnosis preset": {"preset": "diagnosis"},
    "backdoor preset (digits, 64 features)": {"preset": "backdoor"},
    "synthetic 20,000 x 50, knn": {
        "dataset": {"name": "synthetic", "params": {"n_samples": 20000, "n_features": 50}},
        "model": {"name": "knn", "params": {}}, "mitigations": ["knn-sanitize"]},
}


def config_of(spec: dict) -> Config:
    spec = dict(spec)
    preset = spec.pop("preset", None)
    config = Config.from_preset(preset) if preset else Config()
    for key, value in spec.items():
        if key == "mitigations":
            value = [{"name": name, "params": {}} for name in value]
        setattr(config, key, value)
    return Config.from_dict(config.to_dict())


class Timed:
    """Sums the seconds spent in the regions' own steps."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.init, self.add = regions.Plane.__init__, regions.Plane.add

    def wrap(self, method):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed

    def __enter__(self):
        regions.Plane.__init__, regions.Plane.add = self.wrap(self.init), self.wrap(self.add)
        return self

    def __exit__(self, *exc):
        regions.Plane.__init__, regions.Plane.add = self.init, self.add


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'config':40s} {'run s':>8s} {'regions s':>10s} {'share':>7s}")
    for label, spec in CONFIGS.items():
        config = config_of(spec)
        runs, spent = [], []
        for _ in range(args.repeat):
            with Timed() as timed:
                start = time.perf_counter()
                result = run_experiment(config, boundary=True)
                runs.append(time.perf_counter() - start)
            spent.append(timed.seconds)
        run, extra = statistics.median(runs), statistics.median(spent)
        print(f"{label:40s} {run:8.2f} {extra:10.3f} {extra / run:7.0%}")

    from poisontui.widgets.boundary import _runs, cells, scene_of

    scene = scene_of(result, "poisoned")
    for width, height in ((76, 12), (118, 24), (196, 40)):
        times = []
        for _ in range(max(args.repeat, 5)):
            start = time.perf_counter()
            [_runs(line) for line in cells(scene, width, height)]
            times.append(time.perf_counter() - start)
        print(f"canvas {width}x{height}: {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
