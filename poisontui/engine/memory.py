"""The memory guard: work whose estimated memory exceeds what this process can still take is refused
before anything is allocated, with the estimate and the limit in the message.

The limit is the smallest of the system's available memory (MemAvailable in /proc/meminfo, or
free pages from sysconf), the room left under a container's cgroup limit, and the room left
under an address-space limit (`ulimit -v`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from poisontui.engine.errors import InputError

# Measured peak resident memory of `poisontui run` (benchmarks/bench_memory.py): about 160 MiB with
# the libraries loaded, plus 2.7 to 2.9 times the feature matrix (the data, its split, the poisoned
# copy, a scaler's output). The estimate rounds both up; components declare their own extra copies.
BASE_BYTES = 200 * 2**20
RUN_COPIES = 3.0


@dataclass(frozen=True)
class Limit:
    bytes: int
    source: str


def estimate(rows: int, features: int, extra_copies: float = 0.0) -> int:
    """Peak memory of one run on `rows` x `features` data whose components hold `extra_copies` more
    copies of the data at once."""
    return BASE_BYTES + int(rows * features * 8 * (RUN_COPIES + extra_copies))


def available() -> Limit | None:
    """The memory this process can still take, and where that limit comes from; None if unknown."""
    limits = [limit for limit in (_system(), _cgroup(), _address_space()) if limit is not None]
    return min(limits, key=lambda limit: limit.bytes) if limits else None


def require(needed: int, what: str, advice: str = "use fewer rows or features") -> None:
    """Raise `InputError` if `needed` bytes are more than this process can still take."""
    limit = available()
    if limit is not None and needed > limit.bytes:
        raise InputError(f"{what} needs an estimated {size(needed)} of memory, more than the {size(limit.bytes)} "
                         f"{limit.source}; {advice}")


def size(n: int) -> str:
    """Bytes as people read them: 1.4 GiB, 230 MiB."""
    if n >= 2**30:
        return f"{n / 2**30:.1f} GiB"
    return f"{max(n, 0) / 2**20:.0f} MiB"


def _system() -> Limit | None:
    fields = _key_values("/proc/meminfo")
    if "MemAvailable" in fields:
        return Limit(fields["MemAvailable"] * 1024, "available on this machine (MemAvailable)")
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return Limit(pages, "free on this machine") if pages > 0 else None


def _cgroup() -> Limit | None:
    """Room under the memory limit of this process's control group (v2, else v1), if it has one."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            files, root = ("memory.max", "memory.current"), Path("/sys/fs/cgroup")
        elif "memory" in controllers.split(","):
            files, root = ("memory.limit_in_bytes", "memory.usage_in_bytes"), Path("/sys/fs/cgroup/memory")
        else:
            continue
        # Inside a container the group is often mounted as the root itself.
        for folder in (root / path.lstrip("/"), root):
            limit, usage = _number(folder / files[0]), _number(folder / files[1])
            if limit is not None and usage is not None and limit < 2**60:
                return Limit(max(limit - usage, 0), "left under this container's memory limit")
    return None


def _address_space() -> Limit | None:
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    used = _key_values("/proc/self/status").get("VmSize", 0) * 1024
    return Limit(max(soft - used, 0), "left under the address-space limit (ulimit -v)")


def _key_values(path: str) -> dict[str, int]:
    """`Key:   123 kB` lines as {Key: 123}."""
    out = {}
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                words = rest.split()
                if words and words[0].isdigit():
                    out[key] = int(words[0])
    except (OSError, UnicodeDecodeError):
        pass
    return out


def _number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
