"""The app's side of a run or sweep in a child process: its events, posted to the app as messages.

A daemon thread starts the child (which may wait while the fork server warms up) and reads its
pipe; the app handles `JobEvent` and `JobEnded` on its event loop. Being a daemon, the thread
never holds up quitting, and the child cannot outlive the app (`engine.processes`).
"""

from __future__ import annotations

import gc
import threading

from textual.message import Message


class JobEvent(Message):
    """One event from a job's child process (see `engine.runner` for the kinds)."""

    def __init__(self, job, event: tuple) -> None:
        super().__init__()
        self.job = job
        self.event = event


class JobEnded(Message):
    """The job's child process and its workers are gone (it finished, failed, or was cancelled)."""

    def __init__(self, job) -> None:
        super().__init__()
        self.job = job


def host(app, job) -> threading.Thread:
    """Start `job` and post its events to `app`, from a daemon thread."""

    def post(message: Message) -> None:
        try:
            app.post_message(message)
        except RuntimeError:  # the app's event loop is closed: it has quit
            pass

    def read() -> None:
        try:
            job.start()
            for event in job.events():
                post(JobEvent(job, event))
        except Exception as exc:  # noqa: BLE001 - the child could not be started: say so, in one sentence
            post(JobEvent(job, ("error", "crash", f"could not start the {job.kind}'s process: {exc}")))
        finally:
            job.stop()
            post(JobEnded(job))

    thread = threading.Thread(target=read, name=f"poisontui {job.kind}", daemon=True)
    thread.start()
    return thread


# Modules the other screens import when first shown; loaded ahead so that a first visit does not wait.
SCREEN_MODULES = ["poisontui.screens.attack", "poisontui.screens.mitigations", "poisontui.screens.results",
                  "poisontui.screens.sweep", "poisontui.screens.help", "poisontui.screens.export"]


def warm(start_method: str | None = None) -> None:
    """In the background: start the fork server, so that the first run does not wait for it, and
    import the other screens' modules, so that their first visit does not."""

    def start() -> None:
        import importlib

        from poisontui.engine import processes

        try:
            processes.context(start_method)
        except Exception:  # noqa: BLE001 - the first run will meet the same failure and report it
            pass
        for module in SCREEN_MODULES:
            importlib.import_module(module)
        # What is loaded by now (the libraries, above all) lives as long as the app: keeping it out of
        # the collector's full passes shortens them from about 170 ms to a few ms on a 2-core machine.
        gc.freeze()

    threading.Thread(target=start, name="poisontui warm-up", daemon=True).start()
