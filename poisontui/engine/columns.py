"""What each column of a table is for, decided from its values, and the encoder fitted on training rows.

Numbers are features as they are; text and true/false columns are one-hot encoded (the
MAX_CATEGORIES - 1 most frequent categories of the training rows, the rest grouped); dates
become numbers; columns that only identify rows, hold one value or hold nothing are left out.
Missing values are imputed by an encoder that `split` fits on the training rows only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from poisontui.engine.errors import InputError

MAX_CATEGORIES = 20
MAX_CLASSES = 50
# Fewer rows than this are too few to call a column an identifier because its values differ.
MIN_ROWS_FOR_IDENTIFIER = 20
# Features beyond this magnitude are refused: their squares, which standardising and distances
# sum over every row, would overflow a float.
MAX_MAGNITUDE = 1e100
# What a date in one of DATE_FORMATS starts with: 2012-01-31, 31/01/2012, 31.1.2012, Jan 31 2012, 31 Jan 2012.
DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|[A-Za-z]{3} \d{1,2} \d{4}|\d{1,2} [A-Za-z]{3} \d{4}")
DATE_FORMATS = ("ISO8601", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
                "%d.%m.%Y %H:%M", "%b %d %Y", "%d %b %Y")


@dataclass
class Role:
    """What one column of a file is used for: label, numeric, category, date, or ignored."""

    column: str
    role: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Columns:
    """The prepared feature table and what was decided about each column."""

    frame: Any  # a pandas DataFrame: numeric columns as floats, categories as text
    numeric: list[str]
    categories: list[str]
    roles: list[Role]


Where = Callable[[int], str]


def _pd():
    import pandas

    return pandas


def is_text(series) -> bool:
    pd = _pd()
    return not (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype)
                or pd.api.types.is_timedelta64_dtype(series.dtype))


def texts(series) -> np.ndarray:
    """The column as stripped strings, object dtype, with None where a cell is missing or blank."""
    pd = _pd()
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        stripped = series.str.strip()
        return stripped.where(stripped != "").to_numpy(dtype=object, na_value=None)
    values = series.to_numpy(dtype=object, na_value=None)
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and value != value):
            out[i] = None
        elif isinstance(value, (dict, list)):
            out[i] = value
        else:
            text = str(value).strip()
            out[i] = text if text else None
    return out


def number_name(value: float) -> str:
    """A class name for a number: 1 for 1.0, so 1 and 1.0 in a file are one class."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def label_names(series) -> np.ndarray:
    """Each row's class name (numbers compared as numbers), None where the label is missing."""
    pd = _pd()
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.where(series.to_numpy(), "True", "False").astype(object)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        unique, inverse = np.unique(values[~missing], return_inverse=True)
        names = np.empty(len(values), dtype=object)
        names[~missing] = np.array([number_name(v) for v in unique], dtype=object)[inverse]
        return names
    cells = texts(series)
    if any(isinstance(c, (dict, list)) for c in cells):
        raise InputError(f"the label column {series.name!r} holds nested values (lists or objects)")
    codes, unique = pd.factorize(cells, use_na_sentinel=True)
    numbers = pd.to_numeric(pd.Series(unique, dtype=object), errors="coerce").to_numpy(dtype=float)
    canonical = np.array([u if np.isnan(n) else number_name(n) for u, n in zip(unique, numbers)], dtype=object)
    names = np.full(len(cells), None, dtype=object)
    names[codes >= 0] = canonical[codes[codes >= 0]]
    return names


def class_order(names: list[str]) -> list[str]:
    """Numbers first, in numeric order, then text in alphabetical order."""
    def key(name: str):
        try:
            return (0, float(name), "")
        except ValueError:
            return (1, 0.0, name)

    return sorted(names, key=key)


def encode_labels(names: np.ndarray, label: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 where missing) and the ordered class names, for per-row class names."""
    pd = _pd()
    codes, unique = pd.factorize(names, use_na_sentinel=True)
    if len(unique) > MAX_CLASSES:
        raise InputError(f"the label column {label!r} has {len(unique)} distinct values; is it really the label? "
                         f"Choose another with --label")
    ordered = class_order([str(u) for u in unique])
    remap = np.array([ordered.index(str(u)) for u in unique] + [-1], dtype=np.int64)
    return remap[codes], ordered


def decide(frame, label: str, chosen: list[str] | None, where: Where, name: str) -> Columns:
    """Decide each column's role and prepare it; `chosen` (from --features) are used whatever they hold.

    Errors name the column and the line (or row) of the first bad cell.
    """
    pd = _pd()
    positions = np.asarray(frame.index, dtype=np.int64)
    prepared: dict[str, np.ndarray] = {}
    numeric: list[str] = []
    categories: list[str] = []
    roles = [Role(label, "label")]
    for column in frame.columns:
        if column == label:
            continue
        series = frame[column]
        forced = chosen is not None and column in chosen
        kind, values, detail = _column(series, column, positions, where, name, forced)
        if kind == "date":
            for suffix, numbers in values.items():
                prepared[f"{column} ({suffix})"] = numbers
                numeric.append(f"{column} ({suffix})")
        elif kind == "numeric":
            prepared[column] = values
            numeric.append(column)
        elif kind == "category":
            prepared[column] = values
            categories.append(column)
        roles.append(Role(column, kind, detail))
    if not numeric and not categories:
        raise InputError(f"{name}: no feature columns left: "
                         + "; ".join(f"{r.column} {r.detail}" for r in roles if r.role == "ignored")
                         + " (choose columns with --features)")
    # Categories stay Python objects (pandas would make them its string type, which imputers mishandle).
    table = pd.DataFrame({c: pd.Series(v, index=frame.index, dtype=object if c in categories else float)
                          for c, v in prepared.items()}, index=frame.index)
    return Columns(table, numeric, categories, roles)


def _column(series, column: str, positions: np.ndarray, where: Where, name: str, forced: bool):
    """(role, prepared values, detail) for one column."""
    pd = _pd()
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_bool_dtype(series.dtype):
        return _category(np.where(series.to_numpy(), "True", "False").astype(object), forced, "true/false")
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _date(series, forced)
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        series = series.dt.total_seconds()
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _numeric(series.to_numpy(dtype=float, na_value=np.nan), column, positions, where, name, forced)
    cells = texts(series)
    present = np.flatnonzero(cells != None)  # noqa: E711 - elementwise on an object array
    if len(present) == 0:
        return "ignored", None, "empty: no values"
    nested = next((i for i in present if isinstance(cells[i], (dict, list))), None)
    if nested is not None:
        raise InputError(f"{name}: column {column!r}, {where(positions[nested])}: nested values (lists or objects) "
                         f"cannot be features; flatten the column or leave it out with --ignore")
    if all(isinstance(cells[i], bool) for i in present[:1000]) and all(isinstance(c, bool) for c in cells[present]):
        return _category(np.array([None if c is None else str(c) for c in cells], dtype=object), forced,
                         "true/false")
    numbers = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(dtype=float)
    parsed = ~np.isnan(numbers[present])
    if parsed.sum() * 2 >= len(present):
        bad = present[~parsed]
        if len(bad):
            first = bad[0]
            others = f"; {len(bad)} cells are not" if len(bad) > 1 else ""
            raise InputError(
                f"{name}: column {column!r}, {where(positions[first])}: {cells[first]!r} is not a number, though "
                f"{int(parsed.sum())} of the column's {len(present)} values are{others}; correct the cell, or leave "
                f"the column out with --ignore")
        return _numeric(numbers, column, positions, where, name, forced)
    dates = _parse_dates(cells, present)
    if dates is not None:
        parsed_dates, fmt = dates
        bad = present[pd.isna(parsed_dates.to_numpy()[present])]
        if len(bad):
            first = bad[0]
            raise InputError(
                f"{name}: column {column!r}, {where(positions[first])}: {cells[first]!r} is not a date like the "
                f"column's others ({fmt}); correct the cell or leave the column out with --ignore")
        return _date(parsed_dates, forced)
    return _category(cells, forced, "text")


def _numeric(values: np.ndarray, column: str, positions: np.ndarray, where: Where, name: str, forced: bool):
    present = ~np.isnan(values)
    if not present.any():
        return "ignored", None, "empty: no values"
    with np.errstate(invalid="ignore"):
        huge = np.flatnonzero(present & ~(np.abs(values) <= MAX_MAGNITUDE))
    if len(huge):
        first = huge[0]
        what = "is not a finite number" if not np.isfinite(values[first]) else \
            f"is too large to compute with (features must lie within ±{MAX_MAGNITUDE:g}); rescale the column"
        raise InputError(f"{name}: column {column!r}, {where(positions[first])}: {values[first]:g} {what}, "
                         f"or leave it out with --ignore")
    if not forced:
        kept = values[present]
        low, high = kept.min(), kept.max()
        if low == high:
            return "ignored", None, "constant: one value"
        if (present.all() and len(values) >= MIN_ROWS_FOR_IDENTIFIER and high - low == len(values) - 1 and np.all(kept == np.round(kept))
                and len(np.unique(kept)) == len(kept)):
            return "ignored", None, "identifier: numbers the rows"
    missing = int((~present).sum())
    return "numeric", values, f"{missing} missing" if missing else ""


def _category(cells: np.ndarray, forced: bool, kind: str):
    pd = _pd()
    codes, unique = pd.factorize(cells, use_na_sentinel=True)
    present = int((codes >= 0).sum())
    if not forced:
        if len(unique) == 0:
            return "ignored", None, "empty: no values"
        if len(unique) == 1:
            return "ignored", None, "constant: one value"
        if kind == "text" and len(unique) == present >= MIN_ROWS_FOR_IDENTIFIER:
            return "ignored", None, "identifier: unique per row"
    missing = len(cells) - present
    grouped = f", the {MAX_CATEGORIES - 1} most frequent kept, the rest grouped" if len(unique) > MAX_CATEGORIES else ""
    detail = f"{len(unique)} {'values' if kind == 'true/false' else 'categories'}{grouped}"
    values = np.array(cells, dtype=object)
    values[codes < 0] = np.nan
    return "category", values, detail + (f"; {missing} missing" if missing else "")


def _parse_dates(cells: np.ndarray, present: np.ndarray):
    """(the parsed column, its format) if the column's values are dates in one format, else None."""
    pd = _pd()
    sample = pd.unique(cells[present[:2000]])[:200]
    if not all(isinstance(v, str) and DATE_LIKE.match(v) for v in sample):
        return None
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in DATE_FORMATS:
            try:
                trial = pd.to_datetime(pd.Series(sample, dtype=object), format=fmt, errors="coerce")
            except (ValueError, TypeError, OverflowError):
                continue
            if not trial.isna().any():
                parsed = pd.to_datetime(pd.Series(cells, dtype=object), format=fmt, errors="coerce")
                return parsed, ("ISO 8601" if fmt == "ISO8601" else fmt)
    return None


def _date(series, forced: bool):
    pd = _pd()
    stamps = pd.Series(series).reset_index(drop=True)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert(None)
    if stamps.notna().sum() == 0:
        return "ignored", None, "empty: no values"
    day = stamps.dt.day_of_year.to_numpy(dtype=float, na_value=np.nan)
    seconds = (stamps - stamps.dt.normalize()).dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)
    length = np.where(stamps.dt.is_leap_year.to_numpy(dtype=bool, na_value=False), 366.0, 365.0)
    years = stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
    values = {"year": years + (day - 1 + seconds / 86400) / length, "day of year": day}
    detail = "as year and day of year"
    if np.nanmax(seconds, initial=0.0) > 0:
        values["hour"] = seconds / 3600
        detail = "as year, day of year and hour"
    return "date", values, detail


def _one_hot_name(feature: str, category: Any) -> str:
    return f"{feature}=(other)" if category == "infrequent_sklearn" else f"{feature}={category}"


def build_encoder(columns: Columns):
    """An unfitted transformer: impute (median, most frequent) and one-hot encode, to be fitted on training rows."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = columns.frame
    gaps = {c for c in columns.numeric + columns.categories if frame[c].isna().any()}
    parts = []
    whole = [c for c in columns.numeric if c not in gaps]
    if whole:
        parts.append(("numbers", "passthrough", whole))
    imputed = [c for c in columns.numeric if c in gaps]
    if imputed:
        parts.append(("imputed", SimpleImputer(strategy="median"), imputed))
    if columns.categories:
        one_hot = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES,
                                sparse_output=False, feature_name_combiner=_one_hot_name)
        steps = ([SimpleImputer(strategy="most_frequent")] if any(c in gaps for c in columns.categories) else [])
        parts.append(("categories", make_pipeline(*steps, one_hot), columns.categories))
    return ColumnTransformer(parts, sparse_threshold=0.0, verbose_feature_names_out=False)
