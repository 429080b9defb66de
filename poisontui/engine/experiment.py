"""One experiment: a JSON-serialisable config in, a result with a row per variant out."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

import numpy as np

from poisontui.engine import memory
from poisontui.engine.attacks import ATTACKS, Attack, Poisoned, resolve_class
from poisontui.engine.cache import DataCache
from poisontui.engine.datasets import DATASETS, Data, Dataset
from poisontui.engine.errors import Cancelled, InputError
from poisontui.engine.metrics import classification_scores, detection_scores, recovered_share
from poisontui.engine.mitigations import MITIGATIONS, Mitigation
from poisontui.engine.models import MODELS, Model
from poisontui.engine.params import Component, Param, check_params, lookup, shown
from poisontui.engine.presets import PRESETS
from poisontui.engine.progress import reporting, within
from poisontui.engine.splitting import Split

Progress = Callable[[float, int, str], None]


def component(kind: str, registry: dict[str, type], spec: dict[str, Any]) -> Component:
    """Build a component from `{"name": ..., "params": {...}}`, validating both."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise InputError(f"{kind} must be given as {{'name': ..., 'params': {{...}}}}, not {shown(spec)}")
    params = spec.get("params") or {}
    if not isinstance(params, dict):
        raise InputError(f"{kind} {shown(spec['name'])}: params must be a mapping, not {shown(params)}")
    return lookup(kind, spec["name"], registry)(**params)


RUN_PARAMS = (
    Param("seed", int, 0, "seed of the attack and randomised mitigations", 0, 2**32 - 1, step=1),
    Param("seeds", int, 1, "seeds the run is repeated over (seed, seed+1, ...): each figure is then a mean, "
          "with its sd, min and max", 1, 50, step=1),
    Param("data_seed", int, 42, "seed of data generation and the train/test split", 0, 2**32 - 1, step=1),
    Param("test_size", float, 0.3, "share of rows held out for testing", 0.05, 0.9, step=0.05),
)


TEXT_FIELDS = {
    "data": "the path of a data file",
    "label": 'a column name or index, as text ("5")',
    "focus_class": "a class name",
    "preset": "a preset name",
}


def _typed(spec: dict[str, Any], registry: dict[str, type], kind: str) -> dict[str, Any]:
    """The spec with its given parameters converted to their declared types ("7" -> 7)."""
    built = component(kind, registry, spec)
    return {"name": spec["name"], "params": {k: built.values[k] for k in spec.get("params") or {}}}


@dataclass
class Config:
    """Everything a run depends on. `to_dict`/`from_dict` round-trip through JSON."""

    dataset: dict[str, Any] = field(default_factory=lambda: {"name": "synthetic", "params": {}})
    model: dict[str, Any] = field(default_factory=lambda: {"name": "logreg", "params": {}})
    attack: dict[str, Any] = field(default_factory=lambda: {"name": "label-flip", "params": {}})
    mitigations: list[dict[str, Any]] = field(default_factory=list)
    data: str | None = None
    label: str | None = None
    features: list[str] | None = None
    ignore: list[str] | None = None
    missing: str = "impute"
    sample: int = 0
    seed: int = 0
    seeds: int = 1
    data_seed: int = 42
    test_size: float = 0.3
    focus_class: str | None = None
    preset: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Config":
        if not isinstance(raw, dict):
            raise InputError("a config must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputError(f"config has unknown keys: {', '.join(map(shown, unknown[:5]))}")
        config = cls(**raw)
        config.validate()
        return config

    @classmethod
    def from_preset(cls, name: str) -> "Config":
        preset = lookup("preset", name, PRESETS)
        return cls.from_dict({**preset.config, "preset": name})

    def validate(self) -> None:
        """Check every name and parameter now, before any data is loaded or model trained."""
        for name, what in TEXT_FIELDS.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InputError(f"{name} must be {what} or null, not {shown(value)}")
        given = {p.name: getattr(self, p.name) for p in RUN_PARAMS}
        for name, value in check_params("config", RUN_PARAMS, given).items():
            setattr(self, name, value)
        if not isinstance(self.mitigations, list):
            raise InputError("mitigations must be a list")
        self.model, self.attack = _typed(self.model, MODELS, "model"), _typed(self.attack, ATTACKS, "attack")
        self.mitigations = [_typed(m, MITIGATIONS, "mitigation") for m in self.mitigations]
        if not self.data:
            self.dataset = _typed(self.dataset, DATASETS, "dataset")
        from poisontui.engine.filedata import check_options

        self.features, self.ignore, self.missing, self.sample = check_options(
            self.features, self.ignore, self.missing, self.sample)

    def components(self) -> tuple[Dataset | None, Model, Attack, list[Mitigation]]:
        dataset = None if self.data else component("dataset", DATASETS, self.dataset)
        return (
            dataset,
            component("model", MODELS, self.model),
            component("attack", ATTACKS, self.attack),
            [component("mitigation", MITIGATIONS, m) for m in self.mitigations],
        )

    def load_data(self) -> Data:
        """The data, once the memory guard has found room for a run on it."""
        if self.data:
            from poisontui.engine.filedata import load_file

            data = load_file(self.data, self.label, features=self.features, ignore=self.ignore,
                             missing=self.missing, sample=self.sample, seed=self.data_seed)
            self.check_memory(len(data.y), data.report.inputs)
            return data
        dataset = component("dataset", DATASETS, self.dataset)
        self.check_memory(*dataset.shape())
        return dataset.load(self.data_seed)

    def memory_estimate(self, rows: int, features: int) -> int:
        """Peak bytes of a run of this config on data of this shape."""
        _, model, attack, mitigations = self.components()
        extra = model.memory_copies + attack.memory_copies + max((m.memory_copies for m in mitigations), default=0)
        return memory.estimate(rows, features, extra)

    def check_memory(self, rows: int, features: int, jobs: int = 1) -> None:
        """Refuse a run (or `jobs` at once) that would not fit in the memory this process can take."""
        shape = f"{rows:,} rows x {features:,} features"
        if jobs > 1:
            memory.require(jobs * self.memory_estimate(rows, features),
                           f"a sweep of {jobs} parallel jobs on {shape}", advice="use fewer jobs")
        else:
            memory.require(self.memory_estimate(rows, features), f"this run on {shape}")


@dataclass
class Result:
    """Rows of scores (JSON-ready) plus the arrays the app draws from."""

    config: Config
    data: Data
    split: Split
    poisoned: Poisoned
    rows: list[dict[str, Any]]
    flagged: dict[str, np.ndarray]
    focus_class: str | None
    best: str | None
    best_reason: str
    changes: int
    seconds: float
    seeds: list[int] | None = None
    boundary: Any = None  # engine.boundary.Boundary: each variant's decision regions, when asked for

    def row(self, name: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["name"] == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "dataset": {
                "name": self.config.data or self.config.dataset["name"],
                "description": self.data.description,
                "synthetic": self.data.synthetic,
                "classes": self.data.class_names,
                "features": len(self.split.feature_names),
                "train_rows": int(len(self.split.y_train)),
                "test_rows": int(len(self.split.y_test)),
                **(self.data.report.to_dict() if self.data.report is not None else {}),
            },
            "poisoned_count": self.poisoned.count,
            "poisoned_changes": self.changes,
            "training_rows_after_attack": int(len(self.poisoned.y)),
            "focus_class": self.focus_class,
            "best": self.best,
            "best_reason": self.best_reason,
            "seconds": round(self.seconds, 4),
            "seeds": self.seeds or [self.config.seed],
            "results": self.rows,
        }


def _variant_names(mitigations: list[Mitigation]) -> list[str]:
    """Each mitigation's name, with its parameters where two share a name."""
    names = [m.name for m in mitigations]
    out = []
    for m in mitigations:
        if names.count(m.name) > 1:
            params = ",".join(f"{k}={v}" for k, v in m.spec()["params"].items())
            out.append(f"{m.name}:{params}" if params else m.name)
        else:
            out.append(m.name)
    if len(set(out)) != len(out):
        raise InputError("the same mitigation is listed twice with the same parameters")
    return out


def run_experiment(
    config: Config,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    cache: DataCache | None = None,
    clean_model: tuple[Any, float] | None = None,
    boundary: bool = False,
) -> Result:
    """Run `config` once, or over `config.seeds` seeds with each row's spread (see `run_over_seeds`)."""
    if config.seeds > 1:
        return run_over_seeds(config, progress, is_cancelled, cache, boundary)
    return run_once(config, progress, is_cancelled, cache, clean_model, boundary)


def run_once(
    config: Config,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    cache: DataCache | None = None,
    clean_model: tuple[Any, float] | None = None,
    boundary: bool = False,
) -> Result:
    """Load, split, poison, and train the clean, poisoned and mitigated models; score them all.

    `progress(done, total, label)` is called before each step, and within long steps with a
    fractional `done` (5.4 of 12: kNN search 40% done); `is_cancelled()` is
    checked between steps and raises `Cancelled` when it returns true. A `cache`
    keeps loaded data between runs; `clean_model` (a fitted model and its fit
    seconds, from `train_clean`) spares retraining the clean model, as sweeps do.
    With `boundary`, each model's decision regions over the 2-D view of the poisoned training
    rows are kept in `Result.boundary` (see `engine.boundary`).
    """
    started = time.perf_counter()
    _, model, attack, mitigations = config.components()
    names = _variant_names(mitigations)
    total = 4 + len(mitigations)
    step = 0

    def advance(label: str) -> None:
        nonlocal step
        if is_cancelled is not None and is_cancelled():
            raise Cancelled("run cancelled")
        if progress is not None:
            progress(step, total, label)
        step += 1

    advance("loading data")
    data, parts = (cache or DataCache(size=0)).get(config)
    advance(f"poisoning ({attack.name})")
    poisoned = attack.poison(parts.X_train, parts.y_train, seed=config.seed, class_names=data.class_names)
    if len(np.unique(poisoned.y)) < 2:
        raise InputError(f"{attack.name} leaves one class only in the training data; lower the ratio")

    # What scikit-learn would refuse mid-run is refused now, before any training.
    model.check_rows(len(parts.y_train), "the training split")
    model.check_rows(len(poisoned.y), "the poisoned training set")
    for mitigation in mitigations:
        mitigation.check_fit(poisoned.X, poisoned.y, model, config.seed)

    focus = config.focus_class
    if focus is None:
        index = attack.focus_class(data.class_names)
        focus = None if index is None else data.class_names[index]
    else:
        focus = data.class_names[resolve_class(focus, data.class_names, "focus class", None)]

    plane = None
    if boundary:
        from poisontui.engine.boundary import Plane

        plane = Plane(poisoned.X)

    def score(name: str, family: str | None, fitted, seconds: float) -> dict[str, Any]:
        if plane is not None:
            plane.add(name, fitted)  # while the model is at hand: results keep no fitted models
        predicted = fitted.predict(parts.X_test)
        row: dict[str, Any] = {"name": name, "family": family}
        row.update(classification_scores(parts.y_test, predicted, data.class_names))
        row["focus_recall"] = row["recall"][focus] if focus else None
        cases = attack.success_cases(fitted, parts.X_test, parts.y_test, poisoned)
        row["attack_success"] = None if cases is None else cases[0] / cases[1]
        row["fit_seconds"] = round(seconds, 4)
        # Counts behind the shares, so comparisons between variants are exact.
        row["_correct"], row["_cases"] = int(np.trace(np.asarray(row["confusion"]))), cases
        return row

    advance("training on clean data")
    clean = clean_model or timed_fit(model, config.seed, data, parts.X_train, parts.y_train)
    rows = [score("clean", None, *clean)]
    advance("training on poisoned data")
    rows.append(score("poisoned", None, *timed_fit(model, config.seed, data, poisoned.X, poisoned.y)))
    clean_acc, n_test = rows[0]["accuracy"], len(parts.y_test)
    changes = poisoned.changes(parts.X_train)

    flagged: dict[str, np.ndarray] = {}
    for name, mitigation in zip(names, mitigations):
        advance(f"mitigating: {name}")
        t0 = time.perf_counter()
        with reporting(within(progress, step - 1, total, f"mitigating: {name}")):
            outcome = mitigation.mitigate(
                poisoned.X, poisoned.y, model=model, seed=config.seed, standardized=data.standardized
            )
        row = score(name, mitigation.family, outcome.model, time.perf_counter() - t0)
        row["rows_dropped"] = int((~outcome.kept).sum())
        row["rows_relabelled"] = int((outcome.relabelled & outcome.kept).sum())
        if outcome.flagged is not None:
            flagged[name] = outcome.flagged
            row.update(detection_scores(outcome.flagged, poisoned.mask))
        row["recovered"] = recovered_share(rows[0]["_correct"], rows[1]["_correct"], row["_correct"], n_test)
        if row["_cases"] is not None and rows[1]["_cases"] is not None:
            # The same share for the attack's own damage, counting the attacker's cases the model resisted.
            resisted = [r["_cases"][1] - r["_cases"][0] for r in (rows[0], rows[1], row)]
            row["success_recovered"] = recovered_share(*resisted, row["_cases"][1])
        row.update(outcome.extras)
        row.update(mitigation.evaluate_extras(outcome, parts.X_test, parts.y_test))
        if "certified_accuracy" in row:
            curve = row["certified_accuracy"]
            row["certified_accuracy_at_poisoned"] = curve[changes] if changes < len(curve) else 0.0
        rows.append(row)

    advance("done")
    for row in rows:
        del row["_correct"], row["_cases"]
        row["delta_accuracy"] = row["accuracy"] - clean_acc
        for key in ("rows_dropped", "rows_relabelled", "detection_precision", "detection_recall",
                    "detection_f1", "recovered", "success_recovered"):
            row.setdefault(key, None)
    best, reason = best_variant(rows, len(poisoned.y))
    return Result(
        config=config, data=data, split=parts, poisoned=poisoned, rows=rows, flagged=flagged,
        focus_class=focus, best=best, best_reason=reason, changes=changes, seconds=time.perf_counter() - started,
        boundary=None if plane is None else plane.boundary,
    )


def run_over_seeds(
    config: Config,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    cache: DataCache | None = None,
    boundary: bool = False,
) -> Result:
    """The run at `config.seed`, then at each further seed as sweep cells; every row gains its spread.

    Rows keep the first seed's figures (its confusion matrix and flagged rows are what the
    app draws) and gain `METRIC_mean`, `_std`, `_min` and `_max` over all seeds; the best
    mitigation is chosen on the means.
    """
    from poisontui.engine.sweep import SweepConfig, run_sweep, summarise, Cell

    started = time.perf_counter()
    seeds = config.seeds
    first = run_once(config, progress=_scaled(progress, 0, seeds), is_cancelled=is_cancelled, cache=cache,
                     boundary=boundary)
    rest = Config.from_dict({**config.to_dict(), "seed": config.seed + 1, "seeds": 1})
    ratio = rest.attack["params"].get("ratio", rest.components()[2].values["ratio"])
    sweep = SweepConfig(rest, [ratio], seeds=seeds - 1)
    cells = [Cell(ratio, config.seed, first.rows, first.poisoned.count)]
    cells += list(run_sweep(sweep, progress=_scaled(progress, 1, seeds), is_cancelled=is_cancelled))
    spread = {entry["name"]: entry for entry in summarise(cells)}
    for row in first.rows:
        row.update({k: v for k, v in spread[row["name"]].items() if k not in ("ratio", "name")})
    means = [{**row, **{k: row.get(f"{k}_mean", row[k]) for k in ("accuracy", "attack_success", "rows_dropped")}}
             for row in first.rows]
    first.best, first.best_reason = best_variant(means, len(first.poisoned.y))
    first.best_reason += f"; on means over {seeds} seeds"
    first.seeds = [config.seed + i for i in range(seeds)]
    first.seconds = time.perf_counter() - started  # all the seeds, not the first one's alone
    return first


def _scaled(progress: Progress | None, part: int, parts: int) -> Progress | None:
    """Progress of one part of a job split in `parts`, reported on a 0..1000 scale for the whole."""
    if progress is None:
        return None
    share = (1, parts - 1)[min(part, 1)] / parts

    def report(done: int, total: int, label: str) -> None:
        start = 0.0 if part == 0 else 1 / parts
        progress(round(1000 * (start + share * done / max(total, 1))), 1000, label)

    return report


def timed_fit(model: Model, seed: int, data: Data, X: np.ndarray, y: np.ndarray) -> tuple[Any, float]:
    """A freshly built model fitted on (X, y), and the seconds the fit took."""
    t0 = time.perf_counter()
    fitted = model.fit(X, y, seed=seed, standardized=data.standardized, where="the training split")
    return fitted, time.perf_counter() - t0


def train_clean(config: Config, cache: DataCache | None = None) -> tuple[Any, float]:
    """The clean model of `config` (it depends on the data, split, model and seed, never the attack)."""
    data, parts = (cache or DataCache(size=0)).get(config)
    return timed_fit(component("model", MODELS, config.model), config.seed, data, parts.X_train, parts.y_train)


MAX_DROPPED = 0.5
MAX_ACCURACY_LOSS = 0.05


def best_variant(rows: list[dict[str, Any]], n_train: int) -> tuple[str | None, str]:
    """The best mitigation and the rule that chose it, in a sentence.

    Where the attack has a success rate (targeted flips, backdoors) that is what it moves,
    so the best mitigation lowers it most, among those whose accuracy stays within five points
    of the lower of clean and poisoned accuracy (no success bought with collateral damage);
    otherwise the best raises accuracy most. Either way a candidate must beat the
    poisoned model and keep at least half the training rows; ties go to fewer rows dropped,
    then to the order the mitigations were listed in.
    """
    clean, poisoned = rows[0], rows[1]
    kept = [r for r in rows[2:] if (r.get("rows_dropped") or 0) <= MAX_DROPPED * n_train]
    if poisoned["attack_success"] is not None:
        measure = "attack success"
        floor = min(clean["accuracy"], poisoned["accuracy"]) - MAX_ACCURACY_LOSS
        eligible = [r for r in kept if r["attack_success"] is not None
                    and r["attack_success"] < poisoned["attack_success"]
                    and r["accuracy"] >= floor]
        rule = ("lowest attack success among mitigations that beat the poisoned model, keep at least half "
                "the training rows and lose at most 5 points of accuracy")
        key = lambda r: (r["attack_success"], r.get("rows_dropped") or 0)  # noqa: E731
    else:
        measure = "accuracy"
        eligible = [r for r in kept if r["accuracy"] > poisoned["accuracy"]]
        rule = "highest accuracy among mitigations that beat the poisoned model and keep at least half the training rows"
        key = lambda r: (-r["accuracy"], r.get("rows_dropped") or 0)  # noqa: E731
    if not rows[2:]:
        return None, "no mitigation was run"
    if not eligible:
        return None, f"none: no mitigation beat the poisoned model's {measure} on those terms ({rule})"
    return min(eligible, key=key)["name"], rule
