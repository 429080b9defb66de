"""Everything a user can choose by name, described from the components' own declarations."""

from __future__ import annotations

from typing import Any

from poisontui.engine.attacks import ATTACKS
from poisontui.engine.datasets import DATASETS
from poisontui.engine.mitigations import FAMILIES, MITIGATIONS
from poisontui.engine.models import MODELS
from poisontui.engine.presets import PRESETS

KINDS = {"datasets": DATASETS, "models": MODELS, "attacks": ATTACKS, "mitigations": MITIGATIONS}


def describe() -> dict[str, Any]:
    """The catalogue as `poisontui list --format json` prints it."""
    out: dict[str, Any] = {}
    for kind, registry in KINDS.items():
        entries = []
        for name, cls in registry.items():
            entry: dict[str, Any] = {"name": name, "summary": cls.summary}
            if kind == "mitigations":
                entry["family"] = cls.family
                entry["family_title"] = FAMILIES[cls.family]
            entry["params"] = [p.describe() for p in cls.params]
            entries.append(entry)
        out[kind] = entries
    from poisontui.engine.filedata import FILE_PARAMS

    out["data_file"] = {"summary": "your own data with --data: CSV, TSV, JSON lines or Parquet",
                        "params": [p.describe() for p in FILE_PARAMS]}
    out["presets"] = [{"name": p.name, "summary": p.summary, "config": p.config} for p in PRESETS.values()]
    return out
