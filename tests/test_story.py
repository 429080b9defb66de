"""The story line: its figures against a computation from scratch, and its words."""

from types import SimpleNamespace

import numpy as np
import pytest

from poisontui.engine.experiment import Config, run_experiment, run_once
from poisontui.engine.story import story
from poisontui.report import to_json, to_markdown, to_table


def fake_result(rows, best=None, seeds=None, attack="label-flip", preset=None):
    config = SimpleNamespace(attack={"name": attack}, preset=preset)
    return SimpleNamespace(rows=rows, best=best, seeds=seeds, config=config,
                           row=lambda name: next(r for r in rows if r["name"] == name))


def row(name, accuracy, attack_success=None, family=None):
    return {"name": name, "family": family, "accuracy": accuracy, "attack_success": attack_success}


def test_the_line_reads_as_the_story_of_the_run():
    result = fake_result([row("clean", 0.982), row("poisoned", 0.865), row("lof", 0.87, family="anomaly"),
                          row("label-issues", 0.906, family="anomaly")], best="label-issues")
    told = story(result)
    assert told.line() == "clean 0.982 -> poisoned 0.865 (-11.7 points) -> label-issues 0.906 (35% won back)"
    assert told.next_step is None and told.lines() == [told.line()]


def test_no_best_shows_the_closest_mitigation_and_a_loss_as_worse():
    result = fake_result([row("clean", 0.90), row("poisoned", 0.80), row("a", 0.75, family="x"),
                          row("b", 0.78, family="x")])
    assert story(result).line() == "clean 0.900 -> poisoned 0.800 (-10.0 points) -> b 0.780 (20% worse)"


def test_damage_under_a_point_on_one_seed_says_so_and_what_to_try():
    result = fake_result([row("clean", 0.850), row("poisoned", 0.847)], preset="article")
    told = story(result)
    assert told.within_noise and told.won_back is None
    assert told.line() == "clean 0.850 -> poisoned 0.847 (-0.3 points)"
    assert "try confidence-flip or the diagnosis preset" in told.advice()
    harsher = story(fake_result(result.rows, attack="confidence-flip", preset="diagnosis"))
    assert harsher.next_step == "raise the ratio"


@pytest.fixture(scope="module")
def over_seeds():
    config = Config.from_preset("diagnosis")
    config.seeds = 3
    config.mitigations = [{"name": "knn-sanitize", "params": {}}, {"name": "label-issues", "params": {}}]
    return config, run_experiment(config)


def test_the_story_of_seeds_matches_each_seed_run_alone(over_seeds):
    config, result = over_seeds
    told = story(result)
    singles = [run_once(Config.from_dict({**config.to_dict(), "seed": s, "seeds": 1})) for s in range(3)]

    def success(name):
        values = [next(r for r in single.rows if r["name"] == name)["attack_success"] for single in singles]
        return np.mean(values), np.std(values, ddof=1)

    assert told.measure == "attack success"  # a targeted flip moves its success rate
    clean, poisoned, best = success("clean"), success("poisoned"), success(result.best)
    assert told.clean.value == pytest.approx(clean[0]) and told.poisoned.value == pytest.approx(poisoned[0])
    assert told.mitigation.name == result.best and told.mitigation.value == pytest.approx(best[0])
    assert told.poisoned.sd == pytest.approx(poisoned[1])
    assert told.won_back == pytest.approx((best[0] - poisoned[0]) / (clean[0] - poisoned[0]))
    assert told.damage == pytest.approx(poisoned[0] - clean[0]) and not told.within_noise
    assert told.spread().startswith("over 3 seeds, sd: clean ")


def test_every_text_format_carries_the_story(over_seeds):
    _, result = over_seeds
    line = story(result).line()
    assert to_table(result).splitlines()[0] == line
    assert f"**{line}**" in to_markdown(result)
    import json

    assert json.loads(to_json(result))["story"]["line"] == line
