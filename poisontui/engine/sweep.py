"""Sweeps: one experiment over a grid of poison ratios and several seeds, the cells run in parallel.

A single run at one ratio and one seed can mislead; a sweep reports, for each ratio and
variant, the mean and spread over seeds. Each cell is a pure function of (config, ratio,
seed), so results are the same whatever the number of jobs or the backend.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from contextlib import contextmanager
from queue import Empty
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from poisontui.engine import processes
from poisontui.engine.cache import DataCache
from poisontui.engine.errors import Cancelled, InputError
from poisontui.engine.experiment import Config, Progress, run_experiment, train_clean
from poisontui.engine.params import Param, check_params, shown

MAX_CELLS = 2000
METRICS = ("accuracy", "attack_success", "focus_recall", "recovered", "success_recovered",
           "detection_precision", "detection_recall", "rows_dropped", "certified_accuracy_at_poisoned")
CELL_KEYS = ("name", "family", "accuracy", "delta_accuracy", "macro_f1", "attack_success", "focus_recall",
             "recovered", "success_recovered", "detection_precision", "detection_recall", "rows_dropped",
             "rows_relabelled", "certified_accuracy_at_poisoned", "fit_seconds")

SWEEP_PARAMS = (
    Param("seeds", int, 5, "seeds per ratio (the spread is taken over them)", 1, 100, step=1),
    Param("jobs", int, 0, "parallel jobs (0: all cores)", 0, 256, step=1),
    Param("backend", str, "local", "where cells run", choices=("local", "dask")),
)

# Workers keep their loaded data between cells.
_CACHE = DataCache()
# Where a cell's steps are reported in this process: straight to the sweep in its own process, or
# over a queue from a pool worker. Called with the cell's (ratio, seed), its share done, and what it does.
_cell_listener: Callable[[tuple[float, int], float, str], None] | None = None


def sweep_data(config: Config):
    """The data and split of a sweep's cells, loaded once per process (forked workers inherit it)."""
    return _CACHE.get(config)


def parse_ratios(text: str) -> list[float]:
    """`0,0.1,0.2` or `start:stop:step` (stop included) as a sorted list without repeats.

    A range is counted before it is built, so an absurd step is refused at once.
    """
    text = text.strip()
    if not text:
        raise InputError("the ratio grid is empty")
    is_range = ":" in text
    pieces = text.split(":" if is_range else ",")
    if len(pieces) > MAX_CELLS:
        raise InputError(f"the ratio grid lists {len(pieces)} ratios, more than the {MAX_CELLS} cells a sweep "
                         f"may have")
    try:
        parts = [float(p) for p in pieces if p.strip()]
    except ValueError:
        parts = []
    if not parts or (is_range and len(parts) != 3):
        raise InputError(f"ratios must be like 0,0.1,0.2 or 0:0.4:0.05, not {shown(text)}")
    if not all(math.isfinite(p) for p in parts):
        raise InputError(f"ratios must be finite numbers, not {shown(text)}")
    if not is_range:
        return sorted(set(parts))
    start, stop, step = parts
    if step <= 0 or stop < start:
        raise InputError(f"ratio range {shown(text)} needs start <= stop and a positive step")
    spans = (stop - start) / step
    if not spans < MAX_CELLS:  # also true of inf, from a step too small for a float to count
        raise InputError(f"ratio range {shown(text)} holds more than the {MAX_CELLS} ratios a sweep may have; "
                         f"use a larger step")
    count = math.floor(spans + 1e-9) + 1
    return sorted({round(start + i * step, 10) for i in range(count)})


@dataclass
class SweepConfig:
    """An experiment config, a ratio grid and how many seeds, jobs and where to run. JSON both ways."""

    experiment: Config
    ratios: list[float]
    seeds: int = 5
    jobs: int = 0
    backend: str = "local"
    scheduler: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"experiment": self.experiment.to_dict(), "ratios": list(self.ratios), "seeds": self.seeds,
                "jobs": self.jobs, "backend": self.backend, "scheduler": self.scheduler}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "SweepConfig":
        if not isinstance(raw, dict) or not isinstance(raw.get("experiment"), dict):
            raise InputError("a sweep config needs an 'experiment' object")
        unknown = sorted(set(raw) - {"experiment", "ratios", "seeds", "jobs", "backend", "scheduler"})
        if unknown:
            raise InputError(f"sweep config has unknown keys: {', '.join(map(shown, unknown[:5]))}")
        sweep = cls(Config.from_dict(raw["experiment"]), raw.get("ratios", []),
                    **{k: raw[k] for k in ("seeds", "jobs", "backend", "scheduler") if k in raw})
        sweep.validate()
        return sweep

    def validate(self) -> None:
        checked = check_params("sweep", SWEEP_PARAMS,
                               {"seeds": self.seeds, "jobs": self.jobs, "backend": self.backend})
        self.seeds, self.jobs, self.backend = checked["seeds"], checked["jobs"], checked["backend"]
        if not isinstance(self.ratios, (list, tuple)):
            raise InputError(f"ratios must be a list of numbers, not {shown(self.ratios)}")
        if not self.ratios:
            raise InputError("the ratio grid is empty")
        if len(self.ratios) > MAX_CELLS:
            raise InputError(f"the ratio grid lists {len(self.ratios)} ratios, more than the {MAX_CELLS} cells a "
                             f"sweep may have")
        _, _, attack, _ = self.experiment.components()
        ratio = type(attack).param("ratio")
        self.ratios = sorted({ratio.coerce(r) for r in self.ratios})
        if self.cell_count > MAX_CELLS:
            raise InputError(f"{len(self.ratios)} ratios x {self.seeds} seeds is {self.cell_count} cells, more "
                             f"than {MAX_CELLS}; use a coarser grid or fewer seeds")
        if self.scheduler is not None and not isinstance(self.scheduler, str):
            raise InputError(f"the scheduler must be an address like tcp://HOST:8786, not {shown(self.scheduler)}")
        if self.backend == "dask" and not self.scheduler:
            raise InputError("the dask backend needs a scheduler address (--scheduler tcp://HOST:8786)")

    @property
    def cell_count(self) -> int:
        return len(self.ratios) * self.seeds

    @property
    def seed_values(self) -> list[int]:
        return [self.experiment.seed + i for i in range(self.seeds)]

    def cell_config(self, ratio: float | None, seed: int) -> Config:
        raw = self.experiment.to_dict()
        raw["seed"], raw["seeds"] = seed, 1
        if ratio is not None:
            raw["attack"] = {"name": raw["attack"]["name"], "params": {**raw["attack"]["params"], "ratio": ratio}}
        return Config.from_dict(raw)


@dataclass
class Cell:
    """The variants' scores at one ratio and one seed."""

    ratio: float
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    poisoned_count: int = 0

    def records(self) -> list[dict[str, Any]]:
        return [{"ratio": self.ratio, "seed": self.seed, "poisoned_count": self.poisoned_count,
                 **{k: row.get(k) for k in CELL_KEYS}} for row in self.rows]


def _one_thread():
    """One BLAS/OpenMP thread per task: the parallelism is across cells, and nested threads on
    small matrices cost more than they give (measured: 10.6 s against 7.5 s for one job)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def clean_task(raw: dict[str, Any], seed: int) -> tuple[int, Any]:
    with _one_thread():
        config = Config.from_dict({**raw, "seed": seed, "seeds": 1})
        return seed, train_clean(config, _CACHE)


def cell_task(raw: dict[str, Any], ratio: float, seed: int, clean: Any) -> Cell:
    with _one_thread():
        config = Config.from_dict({**raw, "seeds": 1})
        config.seed = seed
        config.attack = {"name": config.attack["name"], "params": {**config.attack["params"], "ratio": ratio}}
        result = run_experiment(config, progress=_cell_progress(ratio, seed), cache=_CACHE, clean_model=clean)
        return Cell(ratio, seed, result.rows, result.poisoned.count)


def _cell_progress(ratio: float, seed: int) -> Progress | None:
    listener = _cell_listener
    if listener is None:
        return None

    def progress(done: float, total: int, label: str) -> None:
        listener((ratio, seed), done / max(total, 1), label)

    return progress


def _worker_init(parent: int | None, queue: Any, niceness: int) -> None:
    processes.worker_init(parent)
    # A fork server's workers start at its priority, not the sweep's: take the sweep's, below a UI's.
    processes.at_niceness(niceness)
    global _cell_listener
    _cell_listener = None if queue is None else _queued(queue)


def _queued(queue: Any) -> Callable[[tuple[float, int], float, str], None]:
    """A pool worker's listener: a cell's first report, then at most ten a second, go to the sweep's process."""
    last, last_key = 0.0, None

    def listen(key: tuple[float, int], share: float, label: str) -> None:
        nonlocal last, last_key
        now = time.monotonic()
        if key != last_key or now - last >= 0.1:
            last, last_key = now, key
            queue.put((key, share, label))

    return listen


def check_grid(sweep: SweepConfig, cache: DataCache | None = None) -> dict[float, int]:
    """Poisoned-row counts per ratio; refuses a grid finer than the data (two ratios, one count)."""
    config = sweep.experiment
    data, parts = (cache or _CACHE).get(config)
    _, _, attack, _ = config.components()
    counts: dict[float, int] = {}
    for ratio in sweep.ratios:
        at_ratio = type(attack)(**{**attack.values, "ratio": ratio})
        counts[ratio] = at_ratio.poison(parts.X_train, parts.y_train, seed=config.seed,
                                      class_names=data.class_names).count
    seen: dict[int, float] = {}
    for ratio, count in counts.items():
        if ratio > 0 and count == 0:
            raise InputError(f"ratio {ratio:g} poisons no rows of this data; start the grid higher")
        if count in seen:
            raise InputError(f"ratios {seen[count]:g} and {ratio:g} both poison {count} rows of this data; "
                             f"use a coarser grid")
        seen[count] = ratio
    return counts


def _local_map(jobs: int, func: Callable, calls: list[tuple],
               listener: Callable[[tuple[float, int], float, str], None] | None = None) -> Iterator[Any]:
    """Run calls across `jobs` local processes, yielding results as they complete; the cells'
    steps go to `listener` as they happen.

    Workers start warm (see `processes.context`) and die with the process that started them.
    """
    if jobs == 1 or len(calls) <= 1:
        with _listening(listener):
            for args in calls:
                yield func(*args)
        return
    context = processes.context()
    queue = context.Queue() if listener is not None else None
    # A fork server's workers are its children, not ours; they die with it, and it with the app.
    parent = None if context.get_start_method() == "forkserver" else os.getpid()
    with context.Pool(min(jobs, len(calls)), initializer=_worker_init,
                      initargs=(parent, queue, os.nice(0))) as pool:
        results = pool.imap_unordered(_star, [(func, args) for args in calls])
        while True:
            try:
                result = results.next(timeout=0.1)
            except multiprocessing.TimeoutError:
                _drain(queue, listener)
                continue
            except StopIteration:
                return
            _drain(queue, listener)
            yield result


def _drain(queue: Any, listener: Callable | None) -> None:
    if queue is None or listener is None:
        return
    while True:
        try:
            report = queue.get_nowait()
        except Empty:
            return
        listener(*report)


@contextmanager
def _listening(listener: Callable | None) -> Iterator[None]:
    """Send this process's cells' steps to `listener` for the duration of the block."""
    global _cell_listener
    before, _cell_listener = _cell_listener, listener
    try:
        yield
    finally:
        _cell_listener = before


def _star(item: tuple[Callable, tuple]) -> Any:
    func, args = item
    return func(*args)


class _DaskMap:
    """Submits calls to a Dask scheduler and yields results as they complete."""

    def __init__(self, address: str) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError("the dask backend needs the dask extra: pip install 'poisontui[dask]'") from None
        try:
            self.client = Client(address, timeout="5s", set_as_default=False)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.futures: list = []

    def __call__(self, func: Callable, calls: list[tuple]) -> Iterator[Any]:
        from dask.distributed import as_completed

        futures = [self.client.submit(func, *args, pure=False) for args in calls]
        self.futures = futures
        for future in as_completed(futures, loop=self.client.loop):
            yield future.result()

    def close(self) -> None:
        if self.futures:
            self.client.cancel(self.futures)
        self.client.close()


def run_sweep(
    sweep: SweepConfig,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Iterator[Cell]:
    """Yield each finished cell as it completes; raises `Cancelled` when `is_cancelled()` turns true."""
    sweep.validate()
    total = sweep.seeds + sweep.cell_count
    done = 0
    running: dict[tuple[float, int], float] = {}  # the share done of each cell in progress
    finished: set[tuple[float, int]] = set()

    def mapped(func: Callable, calls: list[tuple]) -> Iterator[Any]:
        return dask(func, calls) if dask is not None else _local_map(jobs, func, calls, within_cell)

    def tick(label: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise Cancelled("sweep cancelled")
        if progress is not None:
            progress(done + sum(running.values()), total, label)

    def within_cell(key: tuple[float, int], share: float, label: str) -> None:
        if key not in finished:  # a report can arrive after its cell's result
            running[key] = min(share, 0.999)
            tick(f"ratio {key[0]:g}, seed {key[1]}: {label}")

    def end_cell(cell: Cell) -> None:
        nonlocal done
        key = (cell.ratio, cell.seed)
        finished.add(key)
        running.pop(key, None)
        done += 1
        tick(f"ratio {cell.ratio:g}, seed {cell.seed}")

    tick("loading the data and checking the grid")
    check_grid(sweep)
    jobs = sweep.jobs or os.cpu_count() or 1
    if sweep.backend == "local" and min(jobs, sweep.cell_count) > 1:
        data, parts = _CACHE.get(sweep.experiment)
        sweep.experiment.check_memory(len(data.y), len(parts.feature_names), jobs=min(jobs, sweep.cell_count))
    raw = sweep.experiment.to_dict()
    dask = _DaskMap(sweep.scheduler) if sweep.backend == "dask" else None
    try:
        tick("training the clean models")
        clean: dict[int, Any] = {}
        # Locally the clean models are few and quick: fitting them here beats starting workers.
        clean_calls = [(raw, seed) for seed in sweep.seed_values]
        stream = mapped(clean_task, clean_calls) if dask is not None else map(lambda a: clean_task(*a), clean_calls)
        try:
            for seed, model in stream:
                clean[seed] = model
                done += 1
                tick(f"clean model for seed {seed}")
        finally:
            _close(stream)
        calls = [(raw, ratio, seed, clean[seed]) for seed in sweep.seed_values for ratio in sweep.ratios]
        if dask is None:
            # The first cell runs here: it imports every module the cells need before any fork.
            with _listening(within_cell):
                first = cell_task(*calls.pop(0))
            end_cell(first)
            yield first
        stream = mapped(cell_task, calls)
        try:
            for cell in stream:
                end_cell(cell)
                yield cell
        finally:
            _close(stream)
    finally:
        if dask is not None:
            dask.close()


def _close(stream: Iterator[Any]) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()


def sort_cells(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: (c.seed, c.ratio))


def summarise(cells: list[Cell]) -> list[dict[str, Any]]:
    """Per ratio and variant: n, and mean, std (sample, 0 for one seed), min and max of each metric."""
    groups: dict[tuple[float, str], list[dict[str, Any]]] = {}
    for cell in sort_cells(cells):
        for row in cell.rows:
            groups.setdefault((cell.ratio, row["name"]), []).append(row)
    order = {name: i for i, name in enumerate(r["name"] for r in (cells[0].rows if cells else []))}
    out = []
    for (ratio, name), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99))):
        entry: dict[str, Any] = {"ratio": ratio, "name": name, "n": len(rows)}
        for metric in METRICS:
            values = np.array([r[metric] for r in rows if r.get(metric) is not None], dtype=float)
            if len(values) == 0:
                continue
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            entry[f"{metric}_min"] = float(values.min())
            entry[f"{metric}_max"] = float(values.max())
        out.append(entry)
    return out
