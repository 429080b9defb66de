"""Comparing results side by side: what differs between two configs, and per-variant deltas."""

from __future__ import annotations

import json
from typing import Any

from poisontui.engine.experiment import Config

COMPARED = ("accuracy", "recovered", "detection_precision", "detection_recall")


def _spec_text(spec: dict[str, Any]) -> str:
    params = ",".join(f"{k}={v}" for k, v in (spec.get("params") or {}).items())
    return f"{spec['name']}:{params}" if params else spec["name"]


def config_diff(pinned: Config, current: Config) -> list[str]:
    """Short phrases for each setting that differs, pinned value first: "attack label-flip:ratio=0.2 -> ...".

    The same phrases label pins, so "kNN sanitisation vs isolation forest" reads as such.
    """
    a, b = pinned.to_dict(), current.to_dict()
    out = []
    source_a = a["data"] or _spec_text(a["dataset"])
    source_b = b["data"] or _spec_text(b["dataset"])
    if source_a != source_b:
        out.append(f"data {source_a} -> {source_b}")
    for key in ("model", "attack"):
        if a[key] != b[key]:
            out.append(f"{key} {_spec_text(a[key])} -> {_spec_text(b[key])}")
    before = [_spec_text(m) for m in a["mitigations"]]
    after = [_spec_text(m) for m in b["mitigations"]]
    if sorted(before) != sorted(after):
        changes = [f"-{m}" for m in before if m not in after] + [f"+{m}" for m in after if m not in before]
        out.append("mitigations " + " ".join(changes))
    for key in ("seed", "data_seed", "test_size", "label", "focus_class"):
        if a[key] != b[key]:
            out.append(f"{key} {a[key]} -> {b[key]}")
    return out


def compare_rows(pinned_rows: list[dict[str, Any]], current_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per variant in either result: both values of each compared metric, and their difference."""
    pinned = {r["name"]: r for r in pinned_rows}
    current = {r["name"]: r for r in current_rows}
    names = list(dict.fromkeys([*pinned, *current]))
    out = []
    for name in names:
        entry: dict[str, Any] = {"name": name}
        for metric in COMPARED:
            before = pinned.get(name, {}).get(metric)
            after = current.get(name, {}).get(metric)
            entry[f"{metric}_pinned"] = before
            entry[f"{metric}_current"] = after
            entry[f"{metric}_change"] = after - before if before is not None and after is not None else None
        out.append(entry)
    return out


def reproduces(saved_rows: Any, rows: list[dict[str, Any]]) -> bool | None:
    """Whether a rerun's rows give every number of a saved result's rows (timings aside); None when the
    file holds no rows to compare with."""
    if not isinstance(saved_rows, list) or not saved_rows:
        return None

    def numbers(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != "fit_seconds"}

    fresh = json.loads(json.dumps(rows))  # as a file holds them: tuples as lists, keys as text
    return [numbers(r) for r in saved_rows] == [numbers(r) for r in fresh]
