import pytest

from poisontui.engine.compare import compare_rows, config_diff
from poisontui.engine.experiment import Config


def test_config_diff_names_what_changed():
    a = Config.from_dict({"mitigations": [{"name": "knn-sanitize"}]})
    b = Config.from_dict({"mitigations": [{"name": "isolation-forest"}], "seed": 3})
    assert config_diff(a, b) == ["mitigations -knn-sanitize +isolation-forest", "seed 0 -> 3"]
    reordered = Config.from_dict({"mitigations": [{"name": "lof"}, {"name": "knn-sanitize"}]})
    assert config_diff(reordered, Config.from_dict({"mitigations": [{"name": "knn-sanitize"}, {"name": "lof"}]})) == []
    c = Config.from_dict({"attack": {"name": "targeted-flip", "params": {"ratio": 0.3}}})
    assert config_diff(Config(), c) == ["attack label-flip -> targeted-flip:ratio=0.3"]
    assert config_diff(Config(), Config()) == []


def test_compare_rows_pairs_variants_and_differences():
    pinned = [{"name": "clean", "accuracy": 0.9}, {"name": "knn-sanitize", "accuracy": 0.8, "recovered": 0.5,
                                                   "detection_precision": 0.6, "detection_recall": 0.7}]
    current = [{"name": "clean", "accuracy": 0.9}, {"name": "lof", "accuracy": 0.85}]
    rows = {r["name"]: r for r in compare_rows(pinned, current)}
    assert list(rows) == ["clean", "knn-sanitize", "lof"]
    assert rows["clean"]["accuracy_change"] == pytest.approx(0.0)
    assert rows["knn-sanitize"]["accuracy_current"] is None and rows["knn-sanitize"]["accuracy_change"] is None
    assert rows["lof"]["accuracy_pinned"] is None and rows["lof"]["accuracy_current"] == 0.85
