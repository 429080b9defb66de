"""Named starting points: the article's example and the scenarios it describes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    name: str
    summary: str
    config: dict[str, Any]


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "article",
            "the article's example: synthetic data, logistic regression, 10% of labels flipped; one mitigation "
            "from each of its four families, over 5 seeds",
            {"dataset": {"name": "synthetic"}, "model": {"name": "logreg"},
             "attack": {"name": "label-flip", "params": {"ratio": 0.1}},
             # One per family, in the article's order: robust data validation, anomaly detection,
             # differential privacy, model robustness.
             "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}, {"name": "dp-logreg"},
                             {"name": "trim"}],
             "seeds": 5},
        ),
        Preset(
            "stop-sign",
            "driving scenario (synthetic features): 40% of stop signs relabelled as yield",
            {"dataset": {"name": "road-signs"}, "model": {"name": "logreg"},
             "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "stop", "target": "yield"}},
             "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}, {"name": "isolation-forest"}],
             "focus_class": "stop"},
        ),
        Preset(
            "diagnosis",
            "healthcare scenario: breast-cancer biopsies, 40% of malignant relabelled benign",
            {"dataset": {"name": "breast-cancer"}, "model": {"name": "logreg"},
             "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "malignant",
                                                            "target": "benign"}},
             "mitigations": [{"name": "knn-sanitize"}, {"name": "label-issues"}, {"name": "lof"}],
             "focus_class": "malignant"},
        ),
        Preset(
            "backdoor",
            "handwritten digits with a corner trigger that steers any digit to 0",
            {"dataset": {"name": "digits"}, "model": {"name": "logreg"},
             "attack": {"name": "backdoor", "params": {"ratio": 0.05, "target": "0"}},
             "mitigations": [{"name": "zscore-filter"}, {"name": "isolation-forest"}, {"name": "bagging"}]},
        ),
    )
}
