"""A user's data file as a `Data`: the label, each column's role, missing values and a sample.

Rows without a label are dropped and counted. Missing features are imputed, or their rows
dropped; the imputation and one-hot encoding are fitted by `split` on the training rows only,
so nothing about the test rows reaches the encoder. pandas is imported only when a file loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from poisontui.engine.datasets import Data
from poisontui.engine.errors import InputError
from poisontui.engine.params import Param, _suggestion

FILE_PARAMS = (
    Param("missing", str, "impute", "rows with missing feature values: impute them (median, most frequent; "
          "fitted on the training rows) or drop the rows", choices=("impute", "drop")),
    Param("sample", int, 0, "rows drawn from the file, stratified by class and seeded by the data seed "
          "(0: every row)", 0, 10**9, step=1000),
)
MIN_ROWS = 4


@dataclass
class FileReport:
    """What loading a file decided and counted, for the CLI, the dataset screen and JSON results."""

    name: str
    label: str
    rows: int
    """Rows in the file (blank lines aside)."""
    unlabelled: int = 0
    sampled: int | None = None
    dropped_missing: int = 0
    imputed_cells: int = 0
    imputed_rows: int = 0
    missing: str = "impute"
    roles: list = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    """The file's columns, in order."""
    inputs: int = 0
    """Model inputs after one-hot encoding, at most (the encoder, fitted later, may keep fewer)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "rows_in_file": self.rows, "rows_without_label": self.unlabelled,
            "sampled_rows": self.sampled, "missing": self.missing, "rows_dropped_missing": self.dropped_missing,
            "cells_imputed": self.imputed_cells, "columns": [r.to_dict() for r in self.roles],
        }

    def lines(self, class_counts: dict[str, int]) -> list[str]:
        """What was decided, in a few lines of plain text."""
        counts = [f"{self.rows:,} rows"]
        if self.unlabelled:
            counts.append(f"{self.unlabelled:,} without a label dropped")
        if self.sampled is not None:
            counts.append(f"a stratified sample of {self.sampled:,} drawn")
        if self.dropped_missing:
            counts.append(f"{self.dropped_missing:,} with missing values dropped")
        out = [f"{self.name}: {', '.join(counts)}; {sum(class_counts.values()):,} used"]
        classes = ", ".join(f"{name} {count:,}" for name, count in class_counts.items())
        out.append(f"  label     {self.label}: {len(class_counts)} classes ({classes})")
        for role, title in (("numeric", "numeric"), ("date", "date"), ("category", "one-hot"),
                            ("ignored", "ignored")):
            entries = [r for r in self.roles if r.role == role]
            if entries:
                text = ", ".join(f"{r.column} ({r.detail})" if r.detail else r.column for r in entries)
                out.append(f"  {title:<9} {text}")
        if self.imputed_cells:
            out.append(f"  missing   {self.imputed_cells:,} cells in {self.imputed_rows:,} rows imputed (median for "
                       f"numbers, most frequent for categories), learnt from the training rows")
        return out


def parse_columns(text: str | None) -> list[str] | None:
    """`a,b,c` as a list of column names; None for nothing."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    return names or None


def check_options(features: Any, ignore: Any, missing: Any, sample: Any) -> tuple[Any, ...]:
    """The file options of a config, checked and typed."""
    for what, names in (("features", features), ("ignore", ignore)):
        if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
            raise InputError(f"{what} must be a list of column names, not {names!r}")
    given = {"missing": missing, "sample": 0 if sample is None else sample}
    from poisontui.engine.params import check_params

    checked = check_params("data", FILE_PARAMS, given)
    return features or None, ignore or None, checked["missing"], checked["sample"]


def _resolve(source, names: list[str] | None, what: str) -> list[str]:
    if not names:
        return []
    unknown = [n for n in names if n not in source.columns]
    if unknown:
        raise InputError(f"{source.name}: {what} names no column {unknown[0]!r}"
                         f"{_suggestion(unknown[0], source.columns)}; columns are {', '.join(source.columns)}")
    return list(dict.fromkeys(names))


INDEX = re.compile(r"-?[0-9]+")


def label_column(source, label: str | None) -> str:
    """The label column, by name or 0-based index (negative from the end), else the last column."""
    columns = source.columns
    if label is None or label == "":
        return columns[-1]
    if label in columns:
        return label
    if INDEX.fullmatch(label.strip()):
        index = int(label)
        if -len(columns) <= index < len(columns):
            return columns[index]
    header = source.first_line > 1 or source.kind != "text"
    names = ", ".join(columns) if header else f"0..{len(columns) - 1} (the file has no header)"
    raise InputError(f"{source.name}: no label column {label!r}{_suggestion(label, columns) if header else ''}; "
                     f"columns are {names}")


def stratified(codes: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted positions of `n` rows drawn without replacement, each class in proportion (at least 2 rows)."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(codes, return_counts=True)
    exact = n * counts / counts.sum()
    take = np.floor(exact).astype(int)
    order = np.argsort(-(exact - take), kind="stable")
    take[order[: n - int(take.sum())]] += 1
    take = np.maximum(take, np.minimum(counts, 2))
    while take.sum() > n and take.max() > 2:
        take[np.argmax(take)] -= 1
    chosen = [rng.choice(np.flatnonzero(codes == c), k, replace=False) for c, k in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def _blank(frame) -> np.ndarray:
    return frame.isna().all(axis=1).to_numpy()


def _eligible(source, target: str, usecols: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Read the file chunk by chunk: positions and class names of the labelled rows, and the row count."""
    from poisontui.engine.columns import label_names

    positions, names, rows = [], [], 0
    for chunk in source.chunks(usecols):
        chunk = chunk.loc[~_blank(chunk)]
        rows += len(chunk)
        chunk_names = label_names(chunk[target])
        labelled = chunk_names != None  # noqa: E711 - elementwise on an object array
        positions.append(np.asarray(chunk.index, dtype=np.int64)[labelled])
        names.append(chunk_names[labelled])
    if not positions:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object), 0
    return np.concatenate(positions), np.concatenate(names), rows


def _rows_at(source, usecols: list[str], wanted: np.ndarray):
    """The rows at sorted positions `wanted`, read chunk by chunk."""
    import pandas as pd

    parts = []
    for chunk in source.chunks(usecols):
        index = np.asarray(chunk.index, dtype=np.int64)
        parts.append(chunk.loc[np.isin(index, wanted, assume_unique=True)])
    return pd.concat(parts) if parts else None


def load_file(path, label: str | None = None, *, features: list[str] | None = None,
              ignore: list[str] | None = None, missing: str = "impute", sample: int = 0, seed: int = 42) -> Data:
    """Read `path` (CSV, TSV, JSON lines or Parquet, compressed or not) as a dataset.

    The label is column `label` (a name or 0-based index), else the last column; `features`
    keeps only those columns, `ignore` leaves some out; `sample` draws that many rows,
    stratified by class, seeded by `seed`.
    """
    from poisontui.engine.columns import MAX_CATEGORIES, build_encoder, decide, encode_labels, label_names
    from poisontui.engine.reading import fits_in_memory, open_source, require_memory

    source = open_source(path)
    name = source.name
    target = label_column(source, label)
    chosen = _resolve(source, features, "--features")
    left_out = _resolve(source, ignore, "--ignore")
    if target in chosen or target in left_out:
        raise InputError(f"{name}: {target!r} is the label column; it cannot also be listed in "
                         f"{'--features' if target in chosen else '--ignore'}")
    overlap = set(chosen) & set(left_out)
    if overlap:
        raise InputError(f"{name}: column {sorted(overlap)[0]!r} is listed in both --features and --ignore")
    usecols = [c for c in source.columns
               if c == target or (c not in left_out and (not chosen or c in chosen))]
    share = len(usecols) / len(source.columns)
    sampled = None
    if sample and not fits_in_memory(source.estimate(source.estimated_rows, share)):
        # Too large to hold whole: one pass for the labels, a second for the sampled rows.
        positions, names, rows = _eligible(source, target, usecols)
        codes, _ = encode_labels(names, target)
        if 0 < sample < len(positions):
            require_memory(source.estimate(sample, share), f"a sample of {sample:,} rows of {name}",
                           "draw a smaller sample with --sample N")
            positions = positions[stratified(codes, sample, seed)]
            sampled = len(positions)
        unlabelled = rows - len(names)
        frame = _rows_at(source, usecols, positions)
        names = label_names(frame[target]) if frame is not None else names
    else:
        frame = source.read(usecols)
        frame = frame.loc[~_blank(frame)]
        rows = len(frame)
        names = label_names(frame[target])
        labelled = names != None  # noqa: E711
        unlabelled = int((~labelled).sum())
        frame, names = frame.loc[labelled], names[labelled]
        if sample and sample < len(frame):
            codes, _ = encode_labels(names, target)
            keep = stratified(codes, sample, seed)
            frame, names = frame.iloc[keep], names[keep]
            sampled = len(frame)

    if frame is None or len(frame) == 0:
        raise InputError(f"{name}: no rows with a label in column {target!r}")
    columns = decide(frame, target, chosen or None, source.where, name)
    table = columns.frame
    gaps = table.isna().to_numpy()
    gap_rows = gaps.any(axis=1)
    dropped = 0
    if missing == "drop" and gap_rows.any():
        dropped = int(gap_rows.sum())
        table, names = table.loc[~gap_rows], names[~gap_rows]
        columns.frame = table
        gaps = gaps[~gap_rows]
    y, class_names = encode_labels(names, target)
    _check_rows(name, target, y, class_names)
    report = FileReport(
        name=name, label=target, rows=rows, unlabelled=unlabelled, sampled=sampled, dropped_missing=dropped,
        imputed_cells=int(gaps.sum()), imputed_rows=int(gaps.any(axis=1).sum()), missing=missing,
        roles=columns.roles + [_left_out(c, chosen) for c in source.columns if c not in usecols],
        columns=list(source.columns),
        inputs=len(columns.numeric) + sum(min(int(table[c].nunique()), MAX_CATEGORIES) for c in columns.categories),
    )
    if columns.categories or gaps.any():
        X, encoder = table, build_encoder(columns)
    else:
        X, encoder = table.to_numpy(dtype=float), None  # nothing to learn from the training rows
    return Data(
        X=X, y=y, class_names=class_names, feature_names=list(table.columns),
        description=f"Loaded from {name}", synthetic=False, encoder=encoder, report=report,
    )


def _left_out(column: str, chosen: list[str]):
    from poisontui.engine.columns import Role

    return Role(column, "ignored", "not in --features" if chosen else "by --ignore")


def _check_rows(name: str, label: str, y: np.ndarray, class_names: list[str]) -> None:
    if len(y) < MIN_ROWS:
        raise InputError(f"{name}: only {len(y)} rows with a label and features; at least {MIN_ROWS} are needed "
                         f"to train and test")
    if len(class_names) < 2:
        raise InputError(f"{name}: the label column {label!r} holds one class only ({class_names[0]!r}); "
                         f"a classifier needs at least two")
    counts = np.bincount(y, minlength=len(class_names))
    if counts.min() < 2:
        small = class_names[int(counts.argmin())]
        raise InputError(f"{name}: class {small!r} has only {counts.min()} row; every class needs at least 2 rows "
                         f"to be split into training and test data")
