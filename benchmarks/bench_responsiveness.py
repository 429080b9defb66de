"""Does the app answer while a heavy run or sweep computes, and does cancel or quit really stop it?

Run by hand: python benchmarks/bench_responsiveness.py. Figures:

- the longest gap between ticks of a 10 ms interval timer on the app's event loop, during a
  heavy run (100,000 x 40 synthetic rows, five mitigations) and during a sweep (target < 50 ms),
  beside the same figure for a bare asyncio loop in another process (the machine's own delays);
- the slowest screen switch (key press to the new screen's first frame), pressing 1-5 and ? during
  them (target < 100 ms);
- the longest wait between two progress updates inside the run's long steps (target <= 0.5 s);
- the CPU time used by the app's processes from 1 s to 3 s after escape (target: none measurable);
- the time from q to the process's exit, in a real terminal (a pty), in the first seconds (while the
  other screens are built), idle, during a run and during a sweep (target < 1 s), and the processes
  left behind after q and after SIGHUP (target: none).

The first three run the app in this process with Textual's Pilot, headless at 80x24.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import resource
import signal
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from procs import alive, descendants, wait_until  # noqa: E402

HEAVY = {"dataset": {"name": "synthetic", "params": {"n_samples": 100000, "n_features": 40}},
         "mitigations": [{"name": n} for n in ("knn-sanitize", "isolation-forest", "label-issues", "bagging",
                                               "regularize")]}
SWEEP_DATA = {"dataset": {"name": "synthetic", "params": {"n_samples": 20000, "n_features": 20}},
              "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}]}
KEYS = ["2", "3", "4", "5", "1", "question_mark", "escape"]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of live processes, from /proc (children that ended are not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


CONTROL = """
import asyncio, sys, time
async def main(seconds):
    last, longest = time.perf_counter(), 0.0
    end = last + seconds
    while last < end:
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        if now - last > longest:
            longest = now - last
            print(longest, flush=True)
        last = now
asyncio.run(main(float(sys.argv[1])))
"""


def control(seconds: float):
    """A bare asyncio loop in a process of its own, sleeping 10 ms at a time: the machine's own
    scheduling delays, measured over the same window, for comparison."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", CONTROL, str(seconds)], stdout=subprocess.PIPE, text=True)


async def watch(app, pilot, seconds: float, keys: bool) -> dict:
    """For `seconds` (or until the work ends), record the event loop's ticks, the progress updates
    and, with `keys`, the time each screen switch takes (a key pressed every 0.7 s)."""
    ticks: list[float] = []
    timer = app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
    progress: list[tuple[float, str]] = []
    show = app._show_progress

    def recording(*args):
        progress.append((time.perf_counter(), args[2]))
        show(*args)

    app._show_progress = recording
    switches: list[tuple[float, str]] = []
    frames: list[tuple[float, object]] = []  # when each frame was drawn, and of which screen
    display = app._display

    def drawing(screen, renderable) -> None:
        if renderable is not None:
            frames.append((time.perf_counter(), screen))
        display(screen, renderable)

    app._display = drawing
    pressed: list[tuple[float, str]] = []  # when each key was pressed
    reference = None if keys else control(seconds)
    began = time.perf_counter()
    i = 0
    while time.perf_counter() - began < seconds and (app.running or app.job is None):
        if keys:
            key = KEYS[i % len(KEYS)]
            i += 1
            before = app.screen
            frames.clear()
            t0 = time.perf_counter()
            pressed.append((t0, key))
            await pilot.press(key)
            await pilot.pause()
            shown = next((t for t, screen in frames if screen is app.screen), None)
            if app.screen is not before and shown is not None:
                switches.append((shown - t0, key))
        await asyncio.sleep(0.7)
    timer.stop()
    app._display = display
    app._show_progress = show
    gaps = [(b - a, next((key for t, key in reversed(pressed) if t <= b), None)) for a, b in zip(ticks, ticks[1:])]
    waits = [(b[0] - a[0], a[1], b[1]) for a, b in zip(progress, progress[1:])]
    if reference is not None:
        reference.kill()  # it may outlast a phase that ended early; its last line is its longest gap so far
        lines = reference.communicate()[0].split()
        reference = float(lines[-1]) if lines else None
    return {"gap": max(gaps, key=lambda g: g[0]), "switch": max(switches) if switches else None,
            "switches": len(switches), "wait": max(waits) if waits else None, "updates": len(progress), "control": reference}


def report(name: str, quiet: dict, busy: dict) -> None:
    control = "" if quiet["control"] is None else \
        f" (a bare asyncio loop in another process, same window: {quiet['control'] * 1000:.0f} ms)"
    line = f"{name}: longest event-loop gap {quiet['gap'][0] * 1000:.0f} ms with no keys pressed{control}, " \
           f"{busy['gap'][0] * 1000:.0f} ms while switching screens (after key {busy['gap'][1]})"
    if busy["switch"]:
        line += f"; slowest screen switch {busy['switch'][0] * 1000:.0f} ms (key {busy['switch'][1]}, " \
                f"{busy['switches']} switches)"
    print(line)
    wait = max(w for w in (quiet["wait"], busy["wait"]) if w) if (quiet["wait"] or busy["wait"]) else None
    if wait:
        print(f"  longest wait between progress updates: {wait[0]:.2f} s, from '{wait[1]}' to '{wait[2]}' "
              f"({quiet['updates'] + busy['updates']} updates)")


async def cancel_cpu(app, pilot) -> tuple[float, float]:
    """Escape, then the CPU time of the app's own process and of its child processes from 1 s to 3 s after."""
    from poisontui.screens.help import HelpScreen

    if isinstance(app.screen, HelpScreen):  # there, escape closes the help
        await pilot.press("escape")
    assert app.running, "the work ended before it could be cancelled; give it more to do"
    group = [app.job.pid] + descendants(app.job.pid)
    await pilot.press("escape")
    await asyncio.sleep(1.0)
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    others = descendants(os.getpid()) + group
    other0 = cpu_seconds(others)
    await asyncio.sleep(2.0)
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    other1 = cpu_seconds(others)
    own = (own1.ru_utime + own1.ru_stime) - (own0.ru_utime + own0.ru_stime)
    return own, max(0.0, other1 - other0)


async def in_app() -> None:
    from poisontui.app import PoisonApp
    from poisontui.engine.experiment import Config

    app = PoisonApp(Config.from_dict(HEAVY))
    app.sweep_settings.update(ratios="0.05:0.4:0.05", seeds=3, jobs=2)
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.ready:
            await pilot.pause(0.05)
        # The fork server preloads scikit-learn once per session, and the screens are built in the background.
        while not all(app.main_screen(mode) is not None for mode in app.MODES):
            await pilot.pause(0.1)
        await asyncio.sleep(2.0)
        await app.workers.wait_for_complete()
        report("idle", await watch(app, pilot, 5.0, False), await watch(app, pilot, 10.0, True))

        await busy_with(app, pilot, "heavy run", "r", 10.0, 12.0)
        while app.running:
            await pilot.pause(0.1)
        app.config = Config.from_dict(SWEEP_DATA)
        await busy_with(app, pilot, "sweep", "s", 8.0, 10.0)


async def busy_with(app, pilot, name: str, key: str, quiet: float, busy: float) -> None:
    """Start work with `key`, watch it without keys and then with screen switches, then cancel it."""
    await pilot.press(key)
    report(name, await watch(app, pilot, quiet, False), await watch(app, pilot, busy, True))
    own, others = await cancel_cpu(app, pilot)
    print(f"  CPU from 1 s to 3 s after escape: the app's process {own * 1000:.0f} ms (its event loop and the "
          f"10 ms timer), its child processes {others * 1000:.0f} ms")


def drain(fd: int) -> None:
    """Read what the app draws, so that it never blocks on a full terminal."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def in_terminal(load: dict | None, wait: float) -> tuple[float, list[int], list[int]]:
    """Start `poisontui` in an 80x24 pty (with `--load` of `load`), wait, press q; return the seconds
    from q to exit, the processes that were below it, and those of them still alive after."""
    args = [sys.executable, "-m", "poisontui"]
    if load is not None:
        path = Path(tempfile.mkdtemp()) / "config.json"
        path.write_text(json.dumps(load))
        args += ["--load", str(path)]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(args[0], args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    threading.Thread(target=drain, args=(fd,), daemon=True).start()
    if load is not None:
        wait_until(lambda: len(descendants(pid)) >= 2, limit=60)  # the fork server, then the run's process
    time.sleep(wait)
    below = descendants(pid)
    t0 = time.perf_counter()
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    seconds = time.perf_counter() - t0
    wait_until(lambda: not any(alive(p) for p in below), limit=5)
    return seconds, below, [p for p in below if alive(p)]


def after_sighup(load: dict) -> tuple[list[int], list[int]]:
    path = Path(tempfile.mkdtemp()) / "config.json"
    path.write_text(json.dumps(load))
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "poisontui", "--load", str(path)])
    threading.Thread(target=drain, args=(fd,), daemon=True).start()
    wait_until(lambda: len(descendants(pid)) >= 2, limit=60)
    time.sleep(8)
    below = descendants(pid)
    os.kill(pid, signal.SIGHUP)
    os.close(fd)
    os.waitpid(pid, 0)
    wait_until(lambda: not any(alive(p) for p in below), limit=10)
    return below, [p for p in below if alive(p)]


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    asyncio.run(in_app())
    sweep = {"experiment": {**SWEEP_DATA}, "ratios": [0.1, 0.2, 0.3, 0.4], "seeds": 3, "jobs": 2}
    startup = [in_terminal(None, wait)[0] for wait in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)]
    print(f"q in the first 4 s (pressed 1, 1.5, 2, 2.5, 3 and 4 s after launch, while the screens are built): "
          f"exit after {min(startup):.2f} to {max(startup):.2f} s")
    for name, load, wait in (("idle", None, 8.0), ("during a heavy run", HEAVY, 8.0), ("during a sweep", sweep, 8.0)):
        seconds, below, left = in_terminal(load, wait)
        print(f"q {name}: exit after {seconds:.2f} s; {len(below)} processes below the app, {len(left)} left after")
    below, left = after_sighup(HEAVY)
    print(f"SIGHUP during a heavy run: {len(below)} processes below the app, {len(left)} left after")


if __name__ == "__main__":
    main()
