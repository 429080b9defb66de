"""Thousands of random keys, as a cat on the keyboard would press them: the app never fails.

The keys are drawn from the app's bindings, letters, digits, tab, enter, space, escape, the arrows
and ctrl+p, so runs, sweeps, pins, exports, the palette and every screen are all reached. The seed
is fixed so a failure replays; POISONTUI_KEYS_SEED=N tries another one. A failure prints the seed
and the keys pressed up to it.
"""

import asyncio
import os
import random
import string

import pytest
from pilot import settle

import poisontui.engine.presets as presets_module
import poisontui.screens.dataset as dataset_screen
from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config
from poisontui.engine.presets import Preset
from poisontui.screens.mitigations import MitigationsScreen
from poisontui.screens.sweep import SweepScreen

SEED = int(os.environ.get("POISONTUI_KEYS_SEED", "9"))
KEYS_PER_SIZE = 1200
QUIT_KEYS = {"q", "ctrl+q", "ctrl+c"}  # would end the session the keys are pressed into


def key_pool() -> list[str]:
    """Keys to draw from, the app's own bindings most often."""
    bindings = {key.strip() for cls in (PoisonApp, MitigationsScreen, SweepScreen) for binding in cls.BINDINGS
                for key in binding.key.split(",")} - QUIT_KEYS
    letters = [c for c in string.ascii_lowercase if c not in QUIT_KEYS]
    moving = ["tab", "shift+tab", "enter", "space", "escape", "up", "down", "left", "right", "ctrl+p", "plus",
              "minus"]
    return sorted(bindings) * 6 + letters + list(string.digits) + moving * 4


TINY = {"name": "synthetic", "params": {"n_samples": 120, "n_features": 4, "n_informative": 2,
                                       "n_redundant": 0}}


@pytest.fixture
def small_world(monkeypatch, tmp_path):
    use_small_world(monkeypatch, tmp_path)


def use_small_world(monkeypatch, tmp_path):
    """Tiny data everywhere the keys can reach, so thousands of keys (and the runs they start) stay quick."""
    monkeypatch.chdir(tmp_path)  # exports land here
    tiny_presets = {
        "article": {"dataset": TINY, "attack": {"name": "label-flip", "params": {"ratio": 0.1}}},
        "stop-sign": {"dataset": {"name": "road-signs", "params": {"n_samples": 120}},
                      "attack": {"name": "targeted-flip",
                                 "params": {"ratio": 0.4, "source": "stop", "target": "yield"}},
                      "mitigations": [{"name": "knn-sanitize"}], "focus_class": "stop"},
        "diagnosis": {"dataset": {"name": "iris"},
                      "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "setosa",
                                                                     "target": "versicolor"}},
                      "mitigations": [{"name": "lof"}]},
        "backdoor": {"dataset": TINY, "attack": {"name": "backdoor", "params": {"ratio": 0.05, "target": "class 0"}},
                     "mitigations": [{"name": "zscore-filter"}]},
    }
    patched = {name: Preset(name, preset.summary, tiny_presets[name]) for name, preset in
               presets_module.PRESETS.items()}
    for module in ("poisontui.engine.presets", "poisontui.app", "poisontui.engine.experiment",
                   "poisontui.screens.dataset"):
        monkeypatch.setattr(f"{module}.PRESETS", patched)
    light = {name: cls for name, cls in dataset_screen.DATASETS.items() if name not in ("digits", "breast-cancer")}
    monkeypatch.setattr(dataset_screen, "DATASETS", light)
    # The palette's own Quit and Screenshot (written to the home folder) are Textual's, not the app's.
    original = PoisonApp.get_system_commands
    monkeypatch.setattr(PoisonApp, "get_system_commands", lambda self, screen: (
        c for c in original(self, screen) if c.title not in ("Quit", "Screenshot")))

    # Pilot waits for the whole process to fall idle after every key (up to a second while a run
    # trains in its thread); a key here waits only until the screen has handled the one before,
    # like a fast typist.
    async def handled():
        await asyncio.sleep(0)

    monkeypatch.setattr("textual.app.wait_for_idle", lambda *args, **kwargs: handled())


def failure(seed, size, pressed, why):
    return (f"{why}\nReplay: POISONTUI_KEYS_SEED={seed} at {size[0]}x{size[1]}, after {len(pressed)} keys:\n"
            f"{pressed!r}")


async def press_all(keys: list[str], size: tuple[int, int], seed) -> None:
    """Press `keys` one by one into a fresh app; fail, naming the keys so far, at the first error."""
    app = PoisonApp(Config.from_dict({"dataset": TINY}))
    app.sweep_settings.update(ratios="0,0.2", seeds=1, jobs=1)
    pressed: list[str] = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            pressed.append(key)
            assert app.is_running and app._exception is None, failure(seed, size, pressed, "the app stopped")
            assert not app.unexpected_errors, failure(seed, size, pressed, app.unexpected_errors[0])
        if app.running:
            app.action_cancel()
        await settle(pilot)
        assert not app.unexpected_errors, failure(seed, size, pressed, app.unexpected_errors[0])


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_random_keys_never_fail_the_app(size, small_world):
    rng = random.Random(f"{SEED}-{size}")
    pool = key_pool()
    await press_all([rng.choice(pool) for _ in range(KEYS_PER_SIZE)], size, SEED)


# Sequences other seeds found, kept so they stay fixed.
FOUND = {
    # Enter in the palette, then escape before the choice was handled: the palette closed twice.
    "palette closed twice": ['1', 'question_mark', 'd', 'a', '1', 'f5', 'ctrl+p', '5', 's', 'f1', 'a', 'minus', 'f5',
                             'shift+tab', 's', 'f1', 'minus', 'plus', 'question_mark', 's', '5', 'left', 's', 'escape',
                             'f1', 'j', 'question_mark', '1', '9', 'h', 'y', 'down', '1', 'space', 'e', 'up', 'f5', 'u',
                             'r', 'p', 'j', 'c', 'question_mark', '3', '4', 'tab', 'ctrl+p', 's', 'r', 'up', 'plus',
                             'r', 'ctrl+p', 'enter', 'escape', 'y'],
}


@pytest.mark.parametrize("name", FOUND)
async def test_key_sequences_found_before_still_pass(name, small_world):
    await press_all(FOUND[name], (80, 24), name)
