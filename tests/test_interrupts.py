"""Runs and sweeps stop at once when interrupted, headless or in the app, and leave no process or file behind."""

import json
import os
import pty
import signal
import subprocess
import sys
import threading
import time

import pytest
from procs import alive, descendants, kill_all, wait_until

from poisontui.cli import main
from poisontui.engine import processes
from poisontui.engine.mitigations import MITIGATIONS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc")

HEAVY = ["--dataset", "synthetic:n_samples=60000,n_features=40", "--mitigation", "knn-sanitize"]


def start_cli(*args: str) -> subprocess.Popen:
    """`poisontui ARGS` in a session of its own, as a shell would start it in a terminal."""
    return subprocess.Popen([sys.executable, "-m", "poisontui", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def working(cli: subprocess.Popen, count: int) -> list[int]:
    """Wait until the command has `count` processes below it, busy for a moment; return them."""
    assert wait_until(lambda: len(descendants(cli.pid)) >= count, limit=60)
    time.sleep(1.0)
    return descendants(cli.pid)


@pytest.mark.parametrize("command, processes", [(["run"], 1), (["sweep", "--seeds", "3", "--jobs", "2"], 3)])
def test_ctrl_c_exits_130_with_one_line_and_no_file(tmp_path, command, processes):
    out = tmp_path / "result.json"
    cli = start_cli(*command, *HEAVY, "--out", str(out))
    below = []
    try:
        below = working(cli, processes)
        os.killpg(cli.pid, signal.SIGINT)  # what the terminal does on ctrl+c: the whole foreground group
        _, err = cli.communicate(timeout=60)
        assert cli.returncode == 130 and err == "interrupted\n"
        assert list(tmp_path.iterdir()) == []
        assert wait_until(lambda: not any(alive(pid) for pid in below))
    finally:
        cli.kill()
        kill_all(below)


def test_sigterm_during_a_sweep_ends_its_process_and_workers_quietly():
    cli = start_cli("sweep", *HEAVY, "--ratios", "0.1,0.2,0.3", "--seeds", "3", "--jobs", "2")
    below = []
    try:
        below = working(cli, 3)  # the run's process and its two workers
        cli.terminate()
        _, err = cli.communicate(timeout=60)
        assert cli.returncode == 130 and err == "interrupted\n"  # as ctrl+c
        assert wait_until(lambda: not any(alive(pid) for pid in below))
    finally:
        cli.kill()
        kill_all(below)


def test_an_unexpected_failure_in_the_run_is_one_line(monkeypatch, capsys):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the partition table is corrupt")

    monkeypatch.setattr(MITIGATIONS["bagging"], "mitigate", broken)
    monkeypatch.setattr(processes, "child_method", lambda: "fork")  # a forked run inherits the broken mitigation
    assert main(["run", "--mitigation", "bagging"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: unexpected error: RuntimeError: the partition table is corrupt\n"
    assert captured.out == ""


def test_closing_the_terminal_during_a_run_leaves_no_process(tmp_path):
    """SIGHUP, as when the terminal or the SSH connection closes, ends the app, its run and everything below."""
    config = tmp_path / "heavy.json"
    config.write_text(json.dumps({"dataset": {"name": "synthetic", "params": {"n_samples": 60000, "n_features": 40}},
                                  "mitigations": [{"name": "knn-sanitize"}]}))
    app, terminal = pty.fork()
    if app == 0:
        os.execv(sys.executable, [sys.executable, "-m", "poisontui", "--load", str(config)])

    def drain():
        try:
            while os.read(terminal, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    below = []
    try:
        # --load reruns the file's config at once: the fork server, its resource tracker and the run's process.
        assert wait_until(lambda: len(descendants(app)) >= 3, limit=60)
        below = descendants(app)
        os.kill(app, signal.SIGHUP)
        os.waitpid(app, 0)
        assert wait_until(lambda: not any(alive(pid) for pid in below))
    finally:
        kill_all([app, *below])
        os.close(terminal)
