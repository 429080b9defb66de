"""The security curve: what a defence is worth against the attack budget, under an attack that ignores it
and under one adapted to it (Koh, Steinhardt & Liang 2018: a defence must be judged against an attacker
who knows it). Both curves come from the sweep engine, on the same grid of ratios and seeds.
"""

from __future__ import annotations

from typing import Any, Callable

from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config, Progress
from poisontui.engine.params import Param, lookup
from poisontui.engine.sweep import SWEEP_PARAMS

# Each defence with an attack adapted to it: (the plain attack, the adapted one). The adapted attack is
# given the defence's own parameters where it declares them (it knows the defence).
ADAPTED = {"sphere-slab": ("gradient-injection", "adaptive-injection"),
           "zscore-filter": ("gradient-injection", "adaptive-zscore-injection")}

FIGURES = ("accuracy", "detection_recall", "attack_success")


# The app's form for a curve (seeds and jobs as a sweep's); the ratio grid has its own field.
SECURITY_PARAMS = (Param("defence", str, "sphere-slab", "the defence judged; the adapted attack is told its "
                         "parameters", choices=tuple(ADAPTED)),) + SWEEP_PARAMS[:2]
ROLES = ("plain", "adapted")


def security_sweeps(config: Config, defence: dict[str, Any], ratios: list[float], seeds: int = 5,
                    jobs: int = 0):
    """The two sweeps a security curve is drawn from, (role, SweepConfig) for the plain and adapted attacks,
    validated (names, parameters and the ratio grid) before anything runs."""
    from poisontui.engine.attacks import ATTACKS
    from poisontui.engine.sweep import SweepConfig

    if not isinstance(defence, dict) or not isinstance(defence.get("name"), str):
        raise InputError("the defence must be given as {'name': ..., 'params': {...}}")
    name = defence["name"]
    plain, adapted = lookup("defence with an adapted attack", name, ADAPTED)
    params = defence.get("params") or {}
    adapted_params = {k: v for k, v in params.items() if any(p.name == k for p in ATTACKS[adapted].params)}
    sweeps = []
    for role, attack, attack_params in zip(ROLES, (plain, adapted), ({}, adapted_params)):
        raw = {**config.to_dict(), "attack": {"name": attack, "params": attack_params},
               "mitigations": [{"name": name, "params": params}], "seeds": 1, "preset": None}
        sweep = SweepConfig(Config.from_dict(raw), list(ratios), seeds=seeds, jobs=jobs)
        sweep.validate()
        sweeps.append((role, sweep))
    return sweeps


def job_config(config: Config, defence: dict[str, Any], ratios: list[float], seeds: int, jobs: int) -> dict[str, Any]:
    """A curve's settings as plain data, for a child process (`engine.runner`, kind "security")."""
    return {"experiment": config.to_dict(), "defence": defence, "ratios": list(ratios), "seeds": seeds, "jobs": jobs}


def curve_from_job(raw: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """The curve `job_config` describes."""
    return security_curve(Config.from_dict(raw["experiment"]), raw["defence"], raw["ratios"], raw["seeds"],
                          raw["jobs"], progress=progress)


def security_curve(config: Config, defence: dict[str, Any], ratios: list[float], seeds: int = 5,
                   jobs: int = 0, progress: Progress | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Per ratio and attack (plain, adapted): the poisoned and defended accuracy and the defence's
    detection recall (and attack success where the attack has one), mean and sd over `seeds` seeds."""
    from poisontui.engine.sweep import run_sweep, summarise

    sweeps = security_sweeps(config, defence, ratios, seeds, jobs)
    name = sweeps[0][1].experiment.mitigations[0]["name"]
    steps = [sweep.seeds + sweep.cell_count for _, sweep in sweeps]
    points = []
    for i, (role, sweep) in enumerate(sweeps):
        offset = sum(steps[:i])
        attack = sweep.experiment.attack["name"]

        def step(done: int, total: int, label: str, offset=offset, attack=attack) -> None:
            if progress is not None:
                progress(offset + done, sum(steps), f"{attack}: {label}")

        summary = summarise(list(run_sweep(sweep, progress=step, is_cancelled=is_cancelled)))
        by_key = {(entry["ratio"], entry["name"]): entry for entry in summary}
        for ratio in sorted({entry["ratio"] for entry in summary}):
            poisoned, defended = by_key[(ratio, "poisoned")], by_key[(ratio, name)]
            point: dict[str, Any] = {"ratio": ratio, "attack": role, "attack_name": attack, "n": defended["n"]}
            point["poisoned_accuracy_mean"] = poisoned["accuracy_mean"]
            point["poisoned_accuracy_std"] = poisoned["accuracy_std"]
            for figure in FIGURES:
                if f"{figure}_mean" in defended:
                    point[f"{figure}_mean"] = defended[f"{figure}_mean"]
                    point[f"{figure}_std"] = defended[f"{figure}_std"]
            points.append(point)
    if not points:
        raise InputError("the security curve has no points: the ratio grid is empty")
    plain, adapted = (sweep.experiment.attack["name"] for _, sweep in sweeps)
    defence = sweeps[0][1].experiment.mitigations[0]
    # `config` has a sweep config's shape, so that `--config` reads a curve file as it reads a sweep file.
    return {"config": {"experiment": config.to_dict(), "ratios": sweeps[0][1].ratios, "seeds": seeds},
            "defence": defence, "plain": plain, "adapted": adapted, "seeds": seeds,
            "points": points}
