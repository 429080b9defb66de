"""Loading a user's CSV file: numeric features and a label column, checked row by row."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from poisontui.engine.datasets import Data
from poisontui.engine.errors import InputError
from poisontui.engine.params import shown, whole_number

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_csv(path: str | os.PathLike, label: str | None = None) -> Data:
    """Read `path`; the label is column `label` (a header name or 0-based index), else the last column."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise InputError(
            f"{path}: the file is {size / 2**20:.0f} MiB, more than the {MAX_BYTES // 2**20} MiB poisontui "
            f"loads; take a random subsample first, e.g. `(head -n1 F; tail -n+2 F | shuf -n 100000) > small.csv`"
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(64 * 1024)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            rows = [row for row in csv.reader(handle, dialect) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (it is not UTF-8)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a well-formed CSV file ({exc})") from None
    if not rows:
        raise InputError(f"{path}: the file has no rows")
    return _parse_rows(path.name, rows, label)


def _parse_rows(name: str, rows: list[list[str]], label: str | None) -> Data:
    width = len(rows[0])
    if width < 2:
        raise InputError(f"{name}: found 1 column; a CSV needs at least one feature column and a label column")
    header = _has_header(rows)
    columns = [c.strip() for c in rows[0]] if header else [f"column {i}" for i in range(width)]
    body = rows[1:] if header else rows
    first_line = 2 if header else 1
    if len(body) > MAX_ROWS:
        raise InputError(
            f"{name}: {len(body)} rows is more than the {MAX_ROWS} poisontui handles interactively; "
            f"take a random subsample first, e.g. with `shuf -n 100000`"
        )
    if len(body) < 4:
        raise InputError(f"{name}: only {len(body)} data rows; at least 4 are needed to train and test")
    for offset, row in enumerate(body):
        if len(row) != width:
            raise InputError(
                f"{name}: line {first_line + offset} has {len(row)} fields where the first row has {width}"
            )
    target = _label_index(name, columns, label, header)
    feature_idx = [i for i in range(width) if i != target]
    X = np.empty((len(body), len(feature_idx)))
    for r, row in enumerate(body):
        for c, i in enumerate(feature_idx):
            cell = row[i].strip()
            try:
                value = float(cell)
            except ValueError:
                shown = repr(cell) if cell else "an empty cell"
                raise InputError(
                    f"{name}: column {columns[i]!r}, line {first_line + r}: {shown} is not a number "
                    f"(features must be numeric)"
                ) from None
            if not math.isfinite(value):
                raise InputError(
                    f"{name}: column {columns[i]!r}, line {first_line + r}: {cell!r} is not a finite number; "
                    f"drop or fill missing and infinite values first"
                )
            X[r, c] = value
    raw_labels = [row[target].strip() for row in body]
    for r, value in enumerate(raw_labels):
        if not value:
            raise InputError(f"{name}: label column {columns[target]!r}, line {first_line + r} is empty")
    class_names, y = _encode_labels(raw_labels)
    if len(class_names) < 2:
        raise InputError(
            f"{name}: the label column {columns[target]!r} holds one class only ({class_names[0]!r}); "
            f"a classifier needs at least two"
        )
    counts = np.bincount(y)
    if counts.min() < 2:
        small = class_names[int(counts.argmin())]
        raise InputError(
            f"{name}: class {small!r} has only {counts.min()} row; every class needs at least 2 rows "
            f"to be split into training and test data"
        )
    if len(class_names) > 50:
        raise InputError(
            f"{name}: the label column {columns[target]!r} has {len(class_names)} distinct values; "
            f"is it really the label? Choose another with --label"
        )
    return Data(
        X=X, y=y, class_names=class_names, feature_names=[columns[i] for i in feature_idx],
        description=f"Loaded from {name}", synthetic=False,
    )


def _has_header(rows: list[list[str]]) -> bool:
    first = [cell.strip() for cell in rows[0]]
    if all(not _is_number(cell) for cell in first):
        return True
    if len(rows) < 2:
        return False
    second = rows[1]
    return any(
        not _is_number(a) and i < len(second) and _is_number(second[i].strip()) for i, a in enumerate(first)
    )


def _label_index(name: str, columns: list[str], label: str | None, header: bool) -> int:
    if label is None or label == "":
        return len(columns) - 1
    if label in columns:
        return columns.index(label)
    index = whole_number(label)
    if index is not None and -len(columns) <= index < len(columns):
        return index % len(columns)
    names = ", ".join(columns) if header else f"0..{len(columns) - 1} (the file has no header)"
    raise InputError(f"{name}: no label column {shown(label)}; columns are {names}")


def _encode_labels(values: list[str]) -> tuple[list[str], np.ndarray]:
    unique = sorted(set(values), key=lambda v: (not _is_number(v), float(v) if _is_number(v) else 0.0, v))
    codes = {v: i for i, v in enumerate(unique)}
    return unique, np.array([codes[v] for v in values], dtype=int)
