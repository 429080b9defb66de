"""First paint of the app against a bare Textual app, measured the same way in the same run.

Run by hand: python benchmarks/bench_startup.py [--repeat N]. Each sample is a fresh process
(interpreter start and imports counted), from launch to the first frame written to the terminal
(headless, 80x24). Launches alternate between the two apps so both see the same machine load.
Target: the app's median within 1.3x the bare app's. Also reports whether numpy or
scikit-learn was imported before the app's first frame (neither should be).
"""

import argparse
import statistics
import subprocess
import sys
import time

# The first frame of a screen other than Textual's own default one, then exit.
PROBE = """
import sys, time
{imports}

class Probe({base}):
    painted = None
{body}
    def _display(self, screen, renderable):
        if self.painted is None and renderable is not None and screen.id != "_default":
            self.painted = (time.time(), "numpy" in sys.modules, "sklearn" in sys.modules)
            self.exit()
        super()._display(screen, renderable)

app = Probe()
app.run(headless=True, size=(80, 24))
print(*app.painted)
"""

APPS = {
    "poisontui": PROBE.format(imports="from poisontui.app import PoisonApp", base="PoisonApp", body=""),
    # A bare app: one screen with one line of text.
    "bare Textual": PROBE.format(
        imports="from textual.app import App\nfrom textual.screen import Screen\nfrom textual.widgets import Static",
        base="App",
        body="    class Main(Screen):\n        def compose(self):\n            yield Static('Hello')\n\n"
             "    def on_mount(self):\n        self.push_screen(self.Main())\n",
    ),
}


def launch(code: str) -> tuple[float, bool, bool]:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    painted, numpy, sklearn = out.stdout.split()
    return float(painted) - start, numpy == "True", sklearn == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for code in APPS.values():  # warm the file cache and bytecode before timing
        launch(code)
    samples: dict[str, list[float]] = {name: [] for name in APPS}
    heavy = {"numpy": 0, "sklearn": 0}
    for _ in range(args.repeat):
        for name, code in APPS.items():
            seconds, numpy, sklearn = launch(code)
            samples[name].append(seconds)
            if name == "poisontui":
                heavy["numpy"] += numpy
                heavy["sklearn"] += sklearn
    for name, values in samples.items():
        print(f"{name:>13}: first paint median {statistics.median(values):.3f} s "
              f"(min {min(values):.3f}, max {max(values):.3f}) over {args.repeat} launches")
    ratio = statistics.median(samples["poisontui"]) / statistics.median(samples["bare Textual"])
    print(f"ratio of medians: {ratio:.2f}x (target at most 1.3x)")
    print(f"imported before the app's first paint: numpy in {heavy['numpy']}, scikit-learn in {heavy['sklearn']} "
          f"of {args.repeat} launches")


if __name__ == "__main__":
    main()
