"""Worker processes that start warm and never outlive their parent.

Used by the runner (a run or sweep in a child process) and by a sweep's pool of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from typing import Callable

# The scheduling priority of the work's processes, below their caller's: a UI comes first for the CPU.
NICENESS = 10
# What runs and sweep cells import; a fork server loads it once, and the processes it forks start warm.
WARM_MODULES = ["poisontui.engine.runner", "poisontui.engine.sweep", "sklearn.datasets", "sklearn.linear_model",
                "sklearn.neighbors", "sklearn.ensemble", "sklearn.model_selection", "sklearn.neural_network",
                "sklearn.svm", "sklearn.preprocessing", "sklearn.decomposition", "cleanlab.filter", "scipy.optimize"]


def context(start_method: str | None = None):
    """The multiprocessing context to start workers with.

    Workers must start warm: scikit-learn's import alone costs seconds here, more than a whole
    small run. A single-threaded process (the command line, a run's child process) forks
    itself. With other threads running (the app), forking is unsafe, so a fork server preloads
    the modules once per session and forks workers from itself. Elsewhere, spawn.
    """
    methods = multiprocessing.get_all_start_methods()
    if start_method is None:
        if threading.active_count() == 1 and "fork" in methods:
            start_method = "fork"
        elif "forkserver" in methods:
            start_method = "forkserver"
        else:
            start_method = "spawn"
    chosen = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        chosen.set_forkserver_preload(WARM_MODULES)
    if start_method != "fork":  # a forked child needs no helper process
        start_helpers(chosen)
    return chosen


def child_method() -> str | None:
    """How to start a run's child process from here: as `context` chooses, except that a process
    that has loaded scikit-learn may have OpenMP threads, and a forked child hangs in its first
    OpenMP region; such a caller (a test, a library user) gets a fork server. The command line
    forks before it loads scikit-learn. (A sweep's pool workers compute on one thread each, which
    is safe after a fork.)"""
    return "forkserver" if "sklearn" in sys.modules and "forkserver" in multiprocessing.get_all_start_methods() \
        else None


def start_helpers(chosen) -> None:
    """Start multiprocessing's helper processes with a real stderr.

    A terminal app replaces sys.stderr with an object that has no file descriptor, and the
    resource tracker hands its stderr's descriptor to the child it starts.
    """
    from multiprocessing import forkserver, resource_tracker

    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    saved = sys.stderr
    if not usable and sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
        if chosen.get_start_method() == "forkserver":
            _below_caller(forkserver.ensure_running)
    finally:
        sys.stderr = saved


def _below_caller(start: Callable[[], None]) -> None:
    """Run `start` (which starts a process) so that the process runs at NICENESS.

    The fork server spends its first seconds importing scikit-learn, beside an app that is drawing
    its first screens. On Linux a priority belongs to a thread, and a process started from a thread
    takes that thread's: start it from a thread of its own, lowered first. Elsewhere it starts as is.
    """
    if not sys.platform.startswith("linux"):
        start()
        return
    failure: list[BaseException] = []

    def lowered() -> None:
        try:
            at_niceness()
            start()
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=lowered, name="poisontui fork server start")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def at_niceness(niceness: int = NICENESS) -> None:
    """Lower this process to `niceness` (from whatever it was started at; never raised)."""
    os.nice(max(0, niceness - os.nice(0)))


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process as soon as its parent ends (Linux's PR_SET_PDEATHSIG).

    Whichever way the parent ends (quit, a crash, SIGKILL, the SIGHUP of a closed terminal),
    its workers go with it. `parent` is the pid this process expects as its parent: if that one
    ended before the request was made, this process ends now.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def worker_init(parent: int | None) -> None:
    """Set up a pool worker: it dies with its parent and leaves interrupts to it."""
    die_with_parent(parent)
    quiet_signals()


def quiet_signals() -> None:
    """Leave interrupts to the parent, and let SIGTERM end this process at once, as by default (a
    forked process inherits its parent's Python handlers, such as one that turns SIGTERM into an
    interrupt and would print a traceback here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def signal_group(pid: int, sig: int) -> None:
    """Send `sig` to the process group that `pid` leads (itself and its workers), or to `pid` alone
    if it has not made its group yet. A process already gone is not an error."""
    try:
        os.killpg(pid, sig)
        return
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
