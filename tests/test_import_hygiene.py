"""The engine stays UI-free and the package import stays light."""

import subprocess
import sys

import pytest


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", [
    "poisontui.engine.experiment", "poisontui.engine.catalog", "poisontui.engine.csvdata", "poisontui.report",
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


def test_first_paint_happens_before_scikit_learn_is_imported():
    """The app paints its first screen while scikit-learn is still unimported."""
    code = (
        "import sys\n"
        "from poisontui.app import PoisonApp\n"
        "class Probe(PoisonApp):\n"
        "    def on_mount(self):\n"
        "        super().on_mount()\n"
        "        self.call_after_refresh(self.seen)\n"
        "    def seen(self):\n"
        "        print('sklearn' in sys.modules, self.screen.query_one('#dataset-list') is not None)\n"
        "        self.exit()\n"
        "Probe().run(headless=True, size=(80, 24))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "True"], out.stderr
