"""The result in one sentence: clean -> poisoned -> the best mitigation, with what was won back.

The app's story line and the CLI's table and Markdown print the same figures, computed here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Poisoning that moves the measure by less than a point is shown as no damage to win back,
# as the results table's "recovered" column does.
MIN_DAMAGE = 0.01


@dataclass
class Step:
    name: str
    value: float  # the mean over seeds where the run had several
    sd: float | None  # its spread over seeds, None for one seed


@dataclass
class Story:
    """What the attack did to the measure it moves, and what the best mitigation won back."""

    measure: str  # "accuracy" or "attack success"
    clean: Step
    poisoned: Step
    mitigation: Step | None
    helped: bool  # the mitigation is the run's best (False: the closest any mitigation came)
    damage: float  # poisoned - clean, in the measure's units (negative for accuracy lost)
    won_back: float | None  # share of the damage the mitigation undid; None where damage < MIN_DAMAGE
    seeds: int
    within_noise: bool  # the damage is no larger than the spread over seeds (or under a point on one seed)
    next_step: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "line": self.line()}

    def line(self, arrow: str = "->") -> str:
        """`clean 0.982 -> poisoned 0.865 (-11.7 points) -> label-issues 0.906 (35% won back)`."""
        parts = [f"clean {self.clean.value:.3f}",
                 f"poisoned {self.poisoned.value:.3f} ({points(self.damage)})"]
        if self.mitigation is not None:
            parts.append(f"{self.mitigation.name} {self.mitigation.value:.3f} ({self.recovery()})")
        prefix = "attack success: " if self.measure == "attack success" else ""
        return prefix + f" {arrow} ".join(parts)

    def recovery(self) -> str:
        """What the mitigation did, in words: a share won back, or its change where there was no damage."""
        assert self.mitigation is not None
        if self.won_back is None:
            return f"{points(self.mitigation.value - self.poisoned.value)} on poisoned"
        if self.won_back < 0:
            return f"{-self.won_back:.0%} worse"
        return f"{self.won_back:.0%} won back"

    def spread(self) -> str | None:
        """`over 5 seeds, sd: clean 0.000, poisoned 0.006, knn-sanitize 0.009`, for runs over several seeds."""
        if self.seeds < 2:
            return None
        steps = [s for s in (self.clean, self.poisoned, self.mitigation) if s is not None]
        return f"over {self.seeds} seeds, sd: " + ", ".join(f"{s.name} {s.sd or 0.0:.3f}" for s in steps)

    def lines(self, arrow: str = "->") -> list[str]:
        """The story, then its spread and next step where it has them."""
        return [self.line(arrow), *(s for s in (self.spread(), self.advice()) if s)]

    def advice(self) -> str | None:
        if self.next_step is None:
            return None
        if self.seeds > 1:
            return f"within seed noise: {self.next_step}"
        return f"under a point on one seed, which can mislead: set seeds to 5 for the spread, or {self.next_step}"


def points(change: float) -> str:
    """A change of a share in percentage points: -0.117 -> `-11.7 points`."""
    return f"{change * 100:+.1f} points"


def _mean(row: dict[str, Any], metric: str) -> float | None:
    return row.get(f"{metric}_mean", row.get(metric))


def _step(row: dict[str, Any], metric: str) -> Step:
    return Step(row["name"], float(_mean(row, metric)), row.get(f"{metric}_std"))


def next_step(config: Any) -> str:
    """Where to go when the attack's effect is lost in the noise: a harsher attack, or a scenario that bites."""
    attack = config.attack["name"]
    tries = [] if attack in ("confidence-flip", "optimal-flip") else ["confidence-flip"]
    if config.preset != "diagnosis":
        tries.append("the diagnosis preset")
    if not tries:
        return "raise the ratio"
    return "try " + " or ".join(tries)


def story(result: Any) -> Story:
    """The story of `result` (an engine `Result`): measured on the means where it ran over several seeds."""
    rows = result.rows
    clean_row, poisoned_row = rows[0], rows[1]
    success = poisoned_row.get("attack_success") is not None
    measure, metric = ("attack success", "attack_success") if success else ("accuracy", "accuracy")
    clean, poisoned = _step(clean_row, metric), _step(poisoned_row, metric)
    damage = poisoned.value - clean.value
    mitigation, helped = None, False
    candidates = [r for r in rows[2:] if _mean(r, metric) is not None]
    if candidates:
        if result.best is not None:
            chosen, helped = result.row(result.best), True
        else:
            # No mitigation beat the poisoned model on the best rule's terms: show the closest one.
            sign = 1 if success else -1
            chosen = min(candidates, key=lambda r: sign * _mean(r, metric))
        mitigation = _step(chosen, metric)
    won_back = None
    if mitigation is not None and abs(damage) >= MIN_DAMAGE:
        won_back = (mitigation.value - poisoned.value) / (clean.value - poisoned.value)
    seeds = len(result.seeds) if result.seeds else 1
    if seeds > 1:
        noise = max(clean.sd or 0.0, poisoned.sd or 0.0)
        within = abs(damage) <= noise
    else:
        within = abs(damage) < MIN_DAMAGE
    return Story(measure, clean, poisoned, mitigation, helped, damage, won_back, seeds, within,
                 next_step(result.config) if within else None)
