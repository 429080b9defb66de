"""Generated inputs for the parameter grammar, the ratio grid and config files.

Each input must give a clean `InputError` (or the CLI's `UsageError`) or a valid result: never
another exception, and never a hang (each example has a deadline). Hypothesis prints the
failing example when one is found.
"""

import json
import math

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from poisontui.cli import UsageError, load_config_file, spec_from_text
from poisontui.engine.attacks import ATTACKS
from poisontui.engine.datasets import DATASETS
from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config, component
from poisontui.engine.mitigations import MITIGATIONS
from poisontui.engine.models import MODELS
from poisontui.engine.params import Component
from poisontui.engine.sweep import MAX_CELLS, SweepConfig, parse_ratios

REGISTRIES = {"dataset": DATASETS, "model": MODELS, "attack": ATTACKS, "mitigation": MITIGATIONS}
PARAM_NAMES = sorted({p.name for registry in REGISTRIES.values() for cls in registry.values() for p in cls.params})
FUZZ = settings(max_examples=2000, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(FUZZ, max_examples=1000)

# Numbers as people (and fuzzers) write them: ordinary, extreme, not numbers at all, or digits
# that str.isdigit() accepts and int() does not.
NUMBER_TEXT = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "0x10", "1_000",
                     "²", "١٢", "𝟙", "9" * 400, "", " ", "-", "+", "1e", ".", "0.5.5", "true", "yes"]),
)
VALUE_TEXT = st.one_of(NUMBER_TEXT, st.text(max_size=12), st.sampled_from(["stop", "yield", "0", "1", "malignant"]))


def check_component(built: Component) -> None:
    """Every value has its declared type and lies in its declared range or choices."""
    for p in built.params:
        value = built.values[p.name]
        assert type(value) is p.kind, (p.name, value)
        if p.kind in (int, float):
            assert math.isfinite(value)
            assert p.low is None or value >= p.low
            assert p.high is None or value <= p.high
        if p.choices is not None:
            assert value in p.choices


@st.composite
def spec_texts(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(sorted(REGISTRIES)))
    name = draw(st.one_of(st.sampled_from(sorted(REGISTRIES[kind])), st.text(max_size=10)))
    items = draw(st.lists(st.tuples(st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=6)), VALUE_TEXT),
                          max_size=4))
    separator = draw(st.sampled_from([",", ", ", ",,"]))
    body = separator.join(f"{k}={v}" for k, v in items)
    if draw(st.booleans()):
        body += draw(st.sampled_from(["", ",", "=", "k", ":x=1", "==", "a=b=c"]))
    return kind, f"{name}:{body}" if body or draw(st.booleans()) else name


@FUZZ
@given(spec_texts())
def test_parameter_grammar(case):
    kind, text = case
    note(f"--{kind} {text!r}")
    try:
        built = component(kind, REGISTRIES[kind], spec_from_text(text))
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    check_component(built)


ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-10**500, 10**500),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10), NUMBER_TEXT,
                      st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                            max_size=2))


@FUZZ_SLOW
@given(st.sampled_from(sorted(REGISTRIES)), st.data())
def test_parameter_values_of_any_type(kind, data):
    name = data.draw(st.sampled_from(sorted(REGISTRIES[kind])))
    cls = REGISTRIES[kind][name]
    names = [p.name for p in cls.params] or ["x"]
    values = data.draw(st.dictionaries(st.sampled_from(names), ANY_VALUE, max_size=len(names)))
    note(f"{kind} {name} {values!r}")
    try:
        built = component(kind, REGISTRIES[kind], {"name": name, "params": values})
    except InputError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    check_component(built)


GRID_NUMBERS = st.one_of(
    st.floats(min_value=-0.5, max_value=2.5).map(lambda x: f"{x:.3g}"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "1", "0.1", "1e-9", "1e-308", "5e-324", "1e308", "nan", "inf", "-inf", "", "x", "²"]),
)


@st.composite
def grid_texts(draw) -> str:
    if draw(st.booleans()):
        return ":".join(draw(st.lists(GRID_NUMBERS, min_size=1, max_size=4)))
    return ",".join(draw(st.lists(GRID_NUMBERS, min_size=0, max_size=8)))


@FUZZ
@given(grid_texts(), st.integers(1, 100))
def test_ratio_grid(text, seeds):
    note(f"--ratios {text!r} --seeds {seeds}")
    try:
        ratios = parse_ratios(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert ratios == sorted(set(ratios)) and 0 < len(ratios) <= MAX_CELLS
    assert all(math.isfinite(r) for r in ratios)
    sweep = SweepConfig(Config(), ratios, seeds=seeds)
    try:
        sweep.validate()
    except InputError:
        return
    assert sweep.cell_count <= MAX_CELLS and all(0.0 <= r <= 0.9 for r in sweep.ratios)


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                 st.dictionaries(st.text(max_size=6), inner,
                                                                                 max_size=3)), max_leaves=12)


@st.composite
def component_specs(draw, kind: str):
    registry = REGISTRIES[kind]
    name = draw(st.one_of(st.sampled_from(sorted(registry)), JSON_LEAVES))
    cls = registry.get(name) if isinstance(name, str) else None
    names = [p.name for p in cls.params] if cls else PARAM_NAMES
    params = draw(st.one_of(st.dictionaries(st.sampled_from(names or ["x"]), st.one_of(ANY_VALUE, JSON_VALUES),
                                            max_size=3), JSON_VALUES))
    return draw(st.one_of(st.just({"name": name, "params": params}), st.just({"name": name}), JSON_VALUES))


CONFIG_FIELDS = {
    "dataset": component_specs("dataset"),
    "model": component_specs("model"),
    "attack": component_specs("attack"),
    "mitigations": st.one_of(st.lists(component_specs("mitigation"), max_size=3), JSON_VALUES),
    "data": st.one_of(st.none(), JSON_LEAVES),
    "label": st.one_of(st.none(), JSON_LEAVES),
    "seed": st.one_of(ANY_VALUE, JSON_LEAVES),
    "data_seed": st.one_of(ANY_VALUE, JSON_LEAVES),
    "test_size": st.one_of(st.floats(0, 1), ANY_VALUE),
    "focus_class": JSON_LEAVES,
    "preset": JSON_LEAVES,
    "colour": JSON_LEAVES,
}


@st.composite
def config_files(draw) -> str:
    fields = draw(st.lists(st.sampled_from(sorted(CONFIG_FIELDS)), unique=True, max_size=6))
    config = {name: draw(CONFIG_FIELDS[name]) for name in fields}
    shape = draw(st.sampled_from(["bare", "result", "sweep", "noise"]))
    if shape == "result":
        config = {"config": config, "results": draw(JSON_VALUES)}
    elif shape == "sweep":
        config = {"config": {"experiment": config, "ratios": draw(st.one_of(
            st.lists(st.one_of(st.floats(0, 1), JSON_LEAVES), max_size=4), JSON_VALUES)),
            "seeds": draw(ANY_VALUE)}}
    elif shape == "noise":
        config = draw(JSON_VALUES)
    return json.dumps(config)


@pytest.fixture(scope="module")
def config_path(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "config.json"


@settings(FUZZ_SLOW, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(config_files(), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
def test_config_files(config_path, text):
    note(f"config file: {text!r}")
    config_path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        raw = load_config_file(str(config_path))
        config = Config.from_dict(raw)
        whole = json.loads(text)
        if isinstance(whole, dict) and isinstance(whole.get("config"), dict) and "experiment" in whole["config"]:
            SweepConfig.from_dict(whole["config"])
    except (InputError, UsageError) as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again.to_dict() == config.to_dict()
    for _, spec in (("model", config.model), ("attack", config.attack)):
        assert isinstance(spec["params"], dict)
