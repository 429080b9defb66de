"""A run or a sweep in a child process: the caller sends a config and receives progress and results.

The child does all the computing, so the caller (the app's event loop, the command line) stays
free to answer keys, and can end the work at once: the child leads a process group with its
workers, and stopping it signals the whole group (SIGTERM, then SIGKILL if any is left after a
grace period). The child and its workers also die with their parent (`processes.die_with_parent`).

The channel is a pipe from the child to the caller that started it. The caller sends the config
as plain data (`Config.to_dict()`, `SweepConfig.to_dict()`); what comes back, as tuples:

    ("progress", done, total, label, eta)   `done` may be fractional (inside a long step); `eta` is
                                            seconds left (of the step for a run, of the whole for
                                            a sweep) or None while there is no estimate yet
    ("cell", Cell)                          one finished cell of a sweep
    ("result", Result, coords)              a run's result, without its feature matrices (see
                                            `portable`), and its 2-D projection if asked for
                                            (then the result has each variant's decision regions);
                                            for a preview, what the screen draws (see `preview`);
                                            for a security curve, the curve (`engine.security`)
    ("done",)                               the end of a run or sweep
    ("error", kind, message)                kind "input" (the config cannot run), "memory" or "crash"

If the child dies without a word (a signal, the kernel's out-of-memory killer), `events` ends
with an ("error", "crash", ...) of its own; after `cancel` or `stop` it ends with nothing.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import fields, replace
from typing import Any, Callable, Iterator

from poisontui.engine import processes
from poisontui.engine.errors import InputError, PoisonError

KINDS = ("run", "sweep", "preview", "security")
GRACE = 0.5  # seconds between SIGTERM and SIGKILL
PROGRESS_EVERY = 0.1  # at most this often, unless the step changes


class RunFailed(PoisonError):
    """The process running a run or sweep failed in a way no input explains."""


class Job:
    """One run or sweep in a child process.

    `start()` may wait while the fork server warms up, and `events()` blocks while it waits for
    the child, so a UI calls both from a thread; `cancel()` never blocks and may be called from
    any thread, before or after `start()`.
    """

    def __init__(self, kind: str, config: dict[str, Any], *, project: bool = False, quiet: bool = False,
                 start_method: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"a job is one of {', '.join(KINDS)}, not {kind!r}")
        self.kind, self.config = kind, config
        self.project = project  # send a run's 2-D projection and decision regions with its result
        self.quiet = quiet  # the child's stdout and stderr go to /dev/null (they would draw over a TUI)
        self.start_method = start_method
        self.process = None
        self.cancelled = False
        self.ended = False  # the child and its workers are gone (and reaped)
        self._receive = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self) -> None:
        if self.cancelled:
            return
        chosen = processes.context(self.start_method or processes.child_method())
        # A fork server's children are its own: only fork and spawn make the caller their parent.
        parent = None if chosen.get_start_method() == "forkserver" else os.getpid()
        receive, send = chosen.Pipe(duplex=False)
        self.process = chosen.Process(target=_child, name=f"poisontui {self.kind}",
                                      args=(send, self.kind, self.config, self.project, self.quiet, parent))
        self.process.start()
        send.close()
        self._receive = receive
        if self.cancelled:  # cancelled while starting: the signal may have found no process yet
            self.cancel()

    def events(self) -> Iterator[tuple]:
        """The child's messages as they arrive, until it ends, fails, or is cancelled."""
        if self.process is None or self._receive is None:
            return
        ended = False
        try:
            while not self.cancelled:
                if not self._receive.poll(0.1):
                    continue
                try:
                    message = self._receive.recv()
                except (EOFError, OSError):
                    break
                if self.cancelled:
                    break
                yield message
                if message[0] in ("done", "error"):
                    ended = True
                    break
        finally:
            self._receive.close()
            if ended and not self.cancelled:
                self.process.join(GRACE)  # the child has said its last word and is exiting
            self._halt(GRACE)
        if not ended and not self.cancelled:
            yield ("error", "crash", self._death())

    def cancel(self) -> None:
        """Ask the child and its workers to end (SIGTERM); `events` then ends, making sure of it."""
        self.cancelled = True
        # A process still starting has no pid yet: `start` sees `cancelled` once it has one, and signals it.
        if self.process is not None and self.process.pid is not None and not self.ended:
            processes.signal_group(self.process.pid, signal.SIGTERM)

    def stop(self, grace: float = GRACE) -> None:
        """End the child and its workers and wait for them: SIGTERM, then SIGKILL after `grace` s.
        Nothing more arrives from `events`."""
        if not self.ended:
            self.cancelled = True
        self._halt(grace)

    def _halt(self, grace: float) -> None:
        if self.process is None or self.ended:
            return
        if self.process.exitcode is None:
            processes.signal_group(self.process.pid, signal.SIGTERM)
            self.process.join(grace)
        if self.process.exitcode is None:
            processes.signal_group(self.process.pid, signal.SIGKILL)
            self.process.join()
        try:  # workers the child left behind, if any
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.ended = True

    def _death(self) -> str:
        code = self.process.exitcode if self.process is not None else None
        what = f"the {self.kind}'s process"
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            hint = " (out of memory?)" if -code == signal.SIGKILL else ""
            return f"{what} was killed by {name}{hint}"
        return f"{what} ended without a result (exit status {code})"


def error_of(event: tuple) -> BaseException:
    """The exception an ("error", kind, message) event stands for."""
    _, kind, message = event
    if kind == "input":
        return InputError(message)
    if kind == "memory":
        return MemoryError(message)
    return RunFailed(message)


def run_job(kind: str, config: dict[str, Any], progress: Callable[..., None] | None = None,
            on_cell: Callable[[Any], None] | None = None, quiet: bool = False) -> Any:
    """Run a job in a child process and wait for it; return a run's result.

    `progress(done, total, label, eta)` and `on_cell(cell)` are called as events arrive; an error
    is raised as `InputError`, `MemoryError` or `RunFailed`. However this ends (ctrl+c included),
    the child and its workers have ended before it returns or raises.
    """
    job = Job(kind, config, quiet=quiet)
    result = None
    try:
        job.start()
        for event in job.events():
            if event[0] == "progress" and progress is not None:
                progress(*event[1:])
            elif event[0] == "cell" and on_cell is not None:
                on_cell(event[1])
            elif event[0] == "result":
                result = event[1]
            elif event[0] == "error":
                raise error_of(event)
    finally:
        job.stop()
    return result


def preview(what: str, config: dict[str, Any]) -> Any:
    """What a screen shows before any training, computed in a child process, so that the app's own
    process never loads data or scikit-learn. Waits for it: call from a thread.

    "data": the data and its split (feature matrices left out) of `config`, which checks that it loads;
    "summary": the same and the training rows' 2-D projection, (data, split, coords, axes);
    "attack": the attack's preview (`engine.preview.AttackPreview`, feature matrices left out).
    """
    return run_job("preview", {"what": what, "config": config}, quiet=True)


def portable(result):
    """The result without its feature matrices, which are most of its size: what is shown, exported,
    pinned or compared needs only labels, masks, flags and scores (`X` fields are None)."""
    return replace(result, data=_no_features(result.data), split=_no_features(result.split),
                   poisoned=_no_features(result.poisoned))


def _no_features(part):
    """Data, a split or a poisoned set with its feature matrices (X, X_train, X_test) set to None."""
    return replace(part, **{f.name: None for f in fields(part) if f.name in ("X", "X_train", "X_test")})


def whole_estimate(kind: str, config: dict[str, Any]) -> bool:
    """Whether the time left is estimated for the whole job: a sweep, a curve or a run over several
    seeds, whose parts are alike. A run of one seed is estimated within its step: its steps differ
    too much in length to extrapolate across them."""
    return kind != "run" or int(config.get("seeds") or 1) > 1


def eta_text(eta: float | None, whole: bool) -> str:
    """'about 2 min left' (the whole job) or 'about 12 s left in this step'; '' with no estimate."""
    if eta is None:
        return ""
    amount = f"{eta:.0f} s" if eta < 90 else f"{eta / 60:.0f} min"
    return f"about {amount} left" + ("" if whole else " in this step")


class _Progress:
    """Passes progress to the caller a few times a second at most, with an estimate of the time left."""

    def __init__(self, send, whole: bool) -> None:
        self.send, self.whole = send, whole
        self.started = self.step_started = self.sent = time.monotonic()
        self.step = -1

    def __call__(self, done: float, total: int, label: str) -> None:
        now = time.monotonic()
        new_step = int(done) != self.step
        if new_step:
            self.step, self.step_started = int(done), now
        elif now - self.sent < PROGRESS_EVERY:
            return
        self.sent = now
        self.send.send(("progress", done, total, label, self.eta(done, total, now)))

    def eta(self, done: float, total: int, now: float) -> float | None:
        if self.whole:
            elapsed, part = now - self.started, done / max(total, 1)
        else:
            elapsed, part = now - self.step_started, done - int(done)
        if part < 0.02 or elapsed < 0.5:
            return None
        return elapsed * (1 - part) / part


def _child(send, kind: str, raw: dict[str, Any], project: bool, quiet: bool, parent: int | None) -> None:
    """The child's whole life: run the job, send what it makes, and end."""
    processes.die_with_parent(parent)
    os.setpgid(0, 0)  # a group of its own, with its workers, so one signal ends them all
    processes.quiet_signals()  # ctrl+c is the caller's to handle; SIGTERM ends this process as it is
    processes.at_niceness()  # the caller (a UI) comes first for the CPU; the work takes what is left
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    try:
        progress = _Progress(send, whole_estimate(kind, raw))
        if kind == "run":
            _run(send, raw, progress, project)
        elif kind == "sweep":
            _sweep(send, raw, progress)
        elif kind == "security":
            _security(send, raw, progress)
        else:
            _preview(send, raw)
        send.send(("done",))
    except (BrokenPipeError, ConnectionResetError):
        os._exit(0)  # the caller went away: nobody is listening
    except PoisonError as exc:
        _send_quietly(send, ("error", "input", str(exc)))
    except MemoryError:
        _send_quietly(send, ("error", "memory", "out of memory; try a smaller dataset or fewer rows"))
    except BaseException as exc:  # noqa: BLE001 - every failure reaches the caller as one sentence
        _send_quietly(send, ("error", "crash", f"unexpected error: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _send_quietly(send, message: tuple) -> None:
    try:
        send.send(message)
    except OSError:
        pass


def _run(send, raw: dict[str, Any], progress: _Progress, project: bool) -> None:
    from poisontui.engine.experiment import Config, run_experiment

    # The memory guard runs in here, before any data is made (Config.load_data).
    result = run_experiment(Config.from_dict(raw), progress, boundary=project)
    # The decision regions are drawn over the projection the app's 2-D views show.
    coords = (result.boundary.coords, result.boundary.axes) if project else None
    send.send(("result", portable(result), coords))


def _sweep(send, raw: dict[str, Any], progress: _Progress) -> None:
    from poisontui.engine.sweep import SweepConfig, run_sweep

    for cell in run_sweep(SweepConfig.from_dict(raw), progress):
        send.send(("cell", cell))


def _security(send, raw: dict[str, Any], progress: _Progress) -> None:
    from poisontui.engine.security import curve_from_job

    send.send(("result", curve_from_job(raw, progress), None))


def _preview(send, raw: dict[str, Any]) -> None:
    from poisontui.engine.cache import DataCache
    from poisontui.engine.experiment import Config

    config, what = Config.from_dict(raw["config"]), raw["what"]
    if what == "attack":
        from poisontui.engine.preview import preview_attack

        shown = preview_attack(config, DataCache(size=0))
        payload = replace(shown, data=_no_features(shown.data), split=_no_features(shown.split),
                          poisoned=_no_features(shown.poisoned))
    else:
        data, parts = DataCache(size=0).get(config)
        payload = (_no_features(data), _no_features(parts))
        if what == "summary":
            from poisontui.engine.projection import project_2d

            payload += project_2d(parts.X_train)
    send.send(("result", payload, None))
