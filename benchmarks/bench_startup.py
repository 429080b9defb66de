"""Time from launching the app to its first painted screen (headless, 80x24).

Run by hand: python benchmarks/bench_startup.py [--repeat N]. Each sample is a fresh process, so
interpreter start and imports are counted. Target: first paint within 0.4 s.
"""

import argparse
import statistics
import subprocess
import sys
import time

PROBE = """
import sys, time
from poisontui.app import PoisonApp

class Probe(PoisonApp):
    painted = None

    def _display(self, screen, renderable):
        # The first frame of the dataset screen written to the terminal.
        if self.painted is None and renderable is not None and screen.id != "_default":
            self.painted = (time.time(), 'sklearn' in sys.modules)
            self.exit()
        super()._display(screen, renderable)

app = Probe()
app.run(headless=True, size=(80, 24))
print(*app.painted)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    samples, imported = [], []
    for _ in range(args.repeat):
        start = time.time()
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
        painted, sklearn = out.stdout.split()
        samples.append(float(painted) - start)
        imported.append(sklearn == "True")
    print(f"first paint: median {statistics.median(samples):.3f} s, min {min(samples):.3f} s, "
          f"max {max(samples):.3f} s over {args.repeat} launches (target 0.4 s)")
    print(f"scikit-learn imported before first paint: {sum(imported)} of {args.repeat} launches")


if __name__ == "__main__":
    main()
