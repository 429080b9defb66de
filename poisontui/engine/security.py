"""The security curve: what a defence is worth against the attack budget, under an attack that ignores it
and under one adapted to it (Koh, Steinhardt & Liang 2018: a defence must be judged against an attacker
who knows it). Both curves come from the sweep engine, on the same grid of ratios and seeds.
"""

from __future__ import annotations

from typing import Any

from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config
from poisontui.engine.params import lookup

# Each defence with an attack adapted to it: (the plain attack, the adapted one). The adapted attack is
# given the defence's own parameters where it declares them (it knows the defence).
ADAPTED = {"sphere-slab": ("gradient-injection", "adaptive-injection")}

FIGURES = ("accuracy", "detection_recall", "attack_success")


def security_curve(config: Config, defence: dict[str, Any], ratios: list[float], seeds: int = 5,
                   jobs: int = 0) -> dict[str, Any]:
    """Per ratio and attack (plain, adapted): the poisoned and defended accuracy and the defence's
    detection recall (and attack success where the attack has one), mean and sd over `seeds` seeds."""
    from poisontui.engine.attacks import ATTACKS
    from poisontui.engine.sweep import SweepConfig, run_sweep, summarise

    name = defence.get("name")
    plain, adapted = lookup("defence with an adapted attack", name, ADAPTED)
    params = defence.get("params") or {}
    adapted_params = {k: v for k, v in params.items() if any(p.name == k for p in ATTACKS[adapted].params)}
    points = []
    for role, attack, attack_params in (("plain", plain, {}), ("adapted", adapted, adapted_params)):
        raw = {**config.to_dict(), "attack": {"name": attack, "params": attack_params},
               "mitigations": [{"name": name, "params": params}], "seeds": 1, "preset": None}
        summary = summarise(list(run_sweep(SweepConfig(Config.from_dict(raw), list(ratios), seeds=seeds,
                                                       jobs=jobs))))
        by_key = {(entry["ratio"], entry["name"]): entry for entry in summary}
        for ratio in sorted({entry["ratio"] for entry in summary}):
            poisoned, defended = by_key[(ratio, "poisoned")], by_key[(ratio, name)]
            point: dict[str, Any] = {"ratio": ratio, "attack": role, "attack_name": attack}
            point["poisoned_accuracy_mean"] = poisoned["accuracy_mean"]
            point["poisoned_accuracy_std"] = poisoned["accuracy_std"]
            for figure in FIGURES:
                if f"{figure}_mean" in defended:
                    point[f"{figure}_mean"] = defended[f"{figure}_mean"]
                    point[f"{figure}_std"] = defended[f"{figure}_std"]
            points.append(point)
    if not points:
        raise InputError("the security curve has no points: the ratio grid is empty")
    return {"defence": {"name": name, "params": params}, "plain": plain, "adapted": adapted, "seeds": seeds,
            "points": points}
