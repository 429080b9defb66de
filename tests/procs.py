"""Helpers for tests about processes: who is alive, and in which process group (Linux /proc)."""

import os
import signal
import time
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may hold spaces: fields follow the last ")".
    return text[text.rindex(")") + 2:].split()


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def in_group(pgid: int) -> list[int]:
    """Live processes whose process group is `pgid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
                found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    """Live processes below `pid` (children, their children, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[0] != "Z":
                parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_until(condition, limit: float = 60.0) -> bool:
    """Poll `condition` until it holds or `limit` seconds pass (a liveness bound, not a timing check)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def kill_all(pids) -> None:
    """SIGKILL whichever of `pids` still live: a failed test leaves nothing running."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
