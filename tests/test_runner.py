"""Runs and sweeps in a child process: results, errors, and stopping that leaves nothing behind."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from procs import alive, descendants, in_group, kill_all, wait_until

from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config, run_experiment
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.runner import Job, RunFailed, error_of, eta_text, run_job, whole_estimate
from poisontui.engine.sweep import SweepConfig

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc")


def heavy_config() -> dict:
    """A run that takes long enough to be stopped in its mitigation step."""
    return Config.from_dict({
        "dataset": {"name": "synthetic", "params": {"n_samples": 60000, "n_features": 40}},
        "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}],
    }).to_dict()


def heavy_sweep() -> dict:
    experiment = Config.from_dict({
        "dataset": {"name": "synthetic", "params": {"n_samples": 30000, "n_features": 20}},
        "mitigations": [{"name": "knn-sanitize"}],
    })
    return SweepConfig(experiment, [0.1, 0.2, 0.3], seeds=4, jobs=2).to_dict()


def rows_without_timings(rows):
    return [{k: v for k, v in row.items() if k != "fit_seconds"} for row in rows]


def test_a_run_in_a_child_gives_the_same_numbers_as_in_process():
    config = Config.from_preset("diagnosis")
    config.mitigations = [{"name": "knn-sanitize", "params": {}}, {"name": "bagging", "params": {}}]
    expected = run_experiment(Config.from_dict(config.to_dict()))
    seen = []
    result = run_job("run", config.to_dict(), progress=lambda *event: seen.append(event))
    assert rows_without_timings(result.rows) == rows_without_timings(expected.rows)
    assert result.best == expected.best and result.poisoned.count == expected.poisoned.count
    assert np.array_equal(result.flagged["knn-sanitize"], expected.flagged["knn-sanitize"])
    assert np.array_equal(result.poisoned.mask, expected.poisoned.mask)
    # The feature matrices stay in the child; labels, masks and flags come back.
    assert result.data.X is None and result.poisoned.X is None and result.split.X_train is None
    assert result.data.class_names == expected.data.class_names
    assert [label for _, _, label, _ in seen][0] == "loading data" and seen[-1][:2] == (6, 6)


def test_the_projection_comes_with_the_result_when_asked():
    job = Job("run", Config.from_preset("article").to_dict(), project=True)
    job.start()
    events = list(job.events())
    assert [e[0] for e in events][-2:] == ["result", "done"]
    result, (coords, axes) = events[-2][1:]
    assert coords.shape == (len(result.poisoned.y), 2) and "principal components" in axes
    assert not alive(job.pid)


def test_a_sweep_in_a_child_sends_each_cell():
    experiment = Config.from_preset("diagnosis")
    sweep = SweepConfig(experiment, [0.1, 0.2], seeds=2, jobs=2)
    cells = []
    assert run_job("sweep", sweep.to_dict(), on_cell=cells.append) is None
    assert sorted((c.ratio, c.seed) for c in cells) == [(0.1, 0), (0.1, 1), (0.2, 0), (0.2, 1)]


def test_input_errors_come_back_as_input_errors():
    raw = Config.from_preset("article").to_dict()
    raw["dataset"] = {"name": "synthetic", "params": {"n_informative": 19, "n_redundant": 5}}
    with pytest.raises(InputError, match="must not exceed n_features"):
        run_job("run", raw)


def test_an_exception_in_the_child_is_one_clear_error(monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the partition table is corrupt")

    monkeypatch.setattr(MITIGATIONS["bagging"], "mitigate", broken)
    raw = Config.from_preset("article").to_dict()
    raw["mitigations"] = [{"name": "bagging", "params": {}}]
    job = Job("run", raw, start_method="fork")  # a forked child has the patched mitigation
    job.start()
    events = list(job.events())
    assert events[-1] == ("error", "crash", "unexpected error: RuntimeError: the partition table is corrupt")
    assert not alive(job.pid)


def started(job: Job, wanted: str):
    """Start `job`, read its events until a progress label contains `wanted`, and return the rest."""
    job.start()
    events = job.events()
    for event in events:
        if event[0] == "progress" and wanted in event[3]:
            return events
    raise AssertionError(f"the job ended before {wanted!r}")


def test_cancel_ends_the_child_and_nothing_more_arrives():
    job = Job("run", heavy_config())
    events = started(job, "mitigating: knn-sanitize")
    pid = job.pid
    job.cancel()
    assert list(events) == []
    assert job.ended and not alive(pid)
    assert wait_until(lambda: in_group(pid) == [])  # SIGKILLed workers take a moment to go


def test_sigterm_ends_the_child_even_where_the_caller_turns_it_into_an_interrupt():
    """The command line raises KeyboardInterrupt on SIGTERM; a forked child must not inherit that."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        job = Job("run", heavy_config(), start_method="fork")
        events = started(job, "mitigating")
    finally:
        signal.signal(signal.SIGTERM, previous)
    job.cancel()
    assert list(events) == [] and job.process.exitcode == -signal.SIGTERM


def test_stop_ends_a_sweeps_workers_too():
    job = Job("sweep", heavy_sweep())
    events = started(job, "ratio")  # the first cell ran in the child; the pool's workers are at the next ones
    pid = job.pid
    assert wait_until(lambda: len(in_group(pid)) == 3)  # the child and its two workers share its group
    job.stop()
    assert list(events) == []
    assert not alive(pid) and wait_until(lambda: in_group(pid) == [])


def test_a_child_killed_from_outside_is_reported_as_such():
    job = Job("run", heavy_config())
    events = started(job, "mitigating")
    os.kill(job.pid, signal.SIGKILL)
    message = "the run's process was killed by SIGKILL (out of memory?)"
    assert list(events) == [("error", "crash", message)]
    assert isinstance(error_of(("error", "crash", message)), RunFailed)


def test_a_worker_dies_with_its_parent():
    script = textwrap.dedent("""
        import os, time
        from poisontui.engine.processes import die_with_parent
        parent = os.getpid()
        if os.fork() == 0:
            die_with_parent(parent)
            print(os.getpid(), flush=True)
            time.sleep(600)
            os._exit(0)
        time.sleep(600)
    """)
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(caller.stdout.readline())
    try:
        caller.kill()
        caller.wait()
        assert wait_until(lambda: not alive(worker))
    finally:
        kill_all([worker])


def test_the_child_and_its_workers_die_with_the_caller():
    """However the caller ends (here SIGKILL, which it cannot catch), no process is left behind."""
    script = textwrap.dedent(f"""
        import sys, threading
        from poisontui.engine.runner import Job
        # As in the app, another thread runs, so the child comes from a fork server.
        threading.Thread(target=threading.Event().wait, daemon=True).start()
        job = Job("sweep", {heavy_sweep()!r})
        job.start()
        events = job.events()
        for event in events:
            if event[0] == "progress" and "ratio" in event[3]:
                print(job.pid, flush=True)
                break
        threading.Event().wait()
    """)
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    below = []
    try:
        child = int(caller.stdout.readline())
        assert wait_until(lambda: len(in_group(child)) == 3)
        below = descendants(caller.pid)  # the fork server and the resource tracker too
        assert child in below
        caller.kill()
        caller.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in below))
    finally:
        caller.kill()
        kill_all(below)


def test_a_caller_that_has_used_openmp_threads_still_gets_its_result():
    """A child forked from a process whose OpenMP threads ran hangs in its first OpenMP region;
    such a caller gets a fork server instead."""
    script = textwrap.dedent("""
        import numpy as np
        from sklearn.neighbors import NearestNeighbors
        from poisontui.engine.runner import run_job
        X = np.random.default_rng(0).normal(size=(5000, 30))
        NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X)  # OpenMP threads now run in this process
        raw = {"model": {"name": "knn"}, "mitigations": [{"name": "isolation-forest"}]}
        print(run_job("run", raw).row("clean")["accuracy"] > 0.5)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True"], out.stderr


def test_eta_wording():
    assert eta_text(None, False) == ""
    assert eta_text(12.4, False) == "about 12 s left in this step"
    assert eta_text(150, True) == "about 2 min left"


def test_a_run_over_several_seeds_is_estimated_as_a_whole_and_a_run_of_one_within_its_step(monkeypatch):
    import poisontui.engine.runner as runner

    assert not whole_estimate("run", {"seeds": 1}) and not whole_estimate("run", {})
    assert whole_estimate("run", {"seeds": 3}) and whole_estimate("sweep", {}) and whole_estimate("security", {})

    now = [100.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])

    class Sent(list):
        send = list.append

    # 1.5 of 8 steps done 7 s after the start; half of the second step done 2 s after it began.
    for whole, expected in ((True, 7 * (1 - 1.5 / 8) / (1.5 / 8)), (False, 2 * 0.5 / 0.5)):
        now[0] = 100.0
        sent = Sent()
        progress = runner._Progress(sent, whole)
        now[0] = 105.0
        progress(1, 8, "step two begins")
        now[0] = 107.0
        progress(1.5, 8, "half of step two")
        assert sent[-1] == ("progress", 1.5, 8, "half of step two", pytest.approx(expected))


def test_cancel_while_the_process_is_starting_waits_for_its_pid():
    """Escape pressed as a run's process is being started (a process object with no pid yet) must not fail;
    `start` signals the process once it has one."""
    import multiprocessing

    job = Job("run", Config().to_dict())
    job.process = multiprocessing.get_context("fork").Process(target=print)  # made, not yet started
    job.cancel()
    assert job.cancelled and job.process.pid is None


def _niceness_of(pid: int) -> int:
    from pathlib import Path

    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2:].split()[16])


def test_the_fork_server_and_a_runs_process_run_below_their_caller():
    """The fork server imports scikit-learn beside an app drawing its first screens: it starts at
    the work's priority, and a run's process stays there (never lower for being the server's child)."""
    from pathlib import Path

    from poisontui.engine import processes

    expected = max(os.nice(0), processes.NICENESS)
    processes.context("forkserver")
    servers = [pid for pid in descendants(os.getpid())
               if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert servers and all(_niceness_of(pid) == expected for pid in servers)

    job = Job("run", {"dataset": {"name": "synthetic", "params": {"n_samples": 200000}}}, start_method="forkserver")
    job.start()
    try:
        assert wait_until(lambda: alive(job.pid), limit=30)
        assert wait_until(lambda: _niceness_of(job.pid) == expected, limit=30)
    finally:
        job.stop()
