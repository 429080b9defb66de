"""The engine stays UI-free and the package import stays light."""

import subprocess
import sys

import pytest


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", [
    "poisontui.engine.experiment", "poisontui.engine.catalog", "poisontui.engine.filedata", "poisontui.engine.reading",
    "poisontui.engine.columns", "poisontui.report",
])
def test_engine_never_imports_textual(module):
    loaded = modules_after(f"import {module}")
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)
    if module.startswith("poisontui.engine"):
        assert not any(m == "rich" or m.startswith("rich.") for m in loaded)


def test_engine_runs_without_textual_or_rich_installed():
    code = (
        "import sys; sys.modules['textual'] = None; sys.modules['rich'] = None\n"
        "from poisontui.engine.experiment import Config, run_experiment\n"
        "print(run_experiment(Config()).row('clean')['accuracy'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0.85"


@pytest.mark.parametrize("statement", [
    "import poisontui", "import poisontui.cli", "import poisontui.engine.experiment",
    "import poisontui.engine.catalog", "import poisontui.app",
])
def test_light_imports_do_not_load_scikit_learn(statement):
    assert "sklearn" not in modules_after(statement)


@pytest.mark.parametrize("statement", [
    "import poisontui.cli", "import poisontui.engine.experiment", "import poisontui.engine.filedata",
    "import poisontui.engine.reading", "import poisontui.app",
])
def test_pandas_and_pyarrow_wait_for_a_data_file(statement):
    loaded = modules_after(statement)
    assert "pandas" not in loaded and "pyarrow" not in loaded


@pytest.mark.parametrize("statement", ["import poisontui.app", "import poisontui.engine.datasets",
                                       "import poisontui.engine.runner"])
def test_the_app_and_its_first_screen_do_not_load_numpy(statement):
    assert "numpy" not in modules_after(statement)


def test_first_paint_happens_before_numpy_or_scikit_learn_is_imported():
    """When the first frame of the dataset screen reaches the terminal, neither numpy nor scikit-learn is
    imported; the screen then fills in from the engine."""
    code = (
        "import sys\n"
        "from poisontui.app import PoisonApp\n"
        "class Probe(PoisonApp):\n"
        "    first = None\n"
        "    def _display(self, screen, renderable):\n"
        "        if self.first is None and renderable is not None and screen.id != '_default':\n"
        "            self.first = ('numpy' in sys.modules, 'sklearn' in sys.modules, type(screen).__name__)\n"
        "            self.set_timer(1.0, self.exit)\n"
        "        super()._display(screen, renderable)\n"
        "app = Probe()\n"
        "app.run(headless=True, size=(80, 24))\n"
        "print(*app.first, 'numpy' in sys.modules, app.config.preset)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False", "DatasetScreen", "True", "article"], out.stderr


def test_the_apps_own_process_never_imports_scikit_learn():
    """Previews, runs and sweeps compute in child processes; the app's process only draws."""
    code = (
        "import asyncio, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from pilot import settle\n"
        "from poisontui.app import PoisonApp\n"
        "async def main():\n"
        "    app = PoisonApp()\n"
        "    app.sweep_settings.update(ratios='0.1,0.2', seeds=1, jobs=1)\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        for keys in (['2'], ['3'], ['r'], ['5', 's'], ['1']):\n"
        "            await pilot.press(*keys)\n"
        "            await settle(pilot)\n"
        "        print(app.result is not None, len(app.sweep_cells), 'sklearn' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["True", "2", "False"], out.stderr


def test_the_installed_package_carries_its_stylesheet(tmp_path):
    """Run away from the source tree, so the installed copy is the one imported."""
    code = "import pathlib, poisontui; print(pathlib.Path(poisontui.__file__).with_name('app.tcss').is_file())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert out.stdout.strip() == "True"
