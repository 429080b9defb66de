"""Generated data files: each one loads as a valid dataset or is refused with one InputError.

Never a traceback, a warning or a hang. Hypothesis prints the failing example, and `note`
adds the file's bytes and the options it was loaded with.
"""

import csv
import io
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from poisontui.engine.errors import InputError
from poisontui.engine.filedata import load_file
from poisontui.engine.splitting import split

FUZZ = settings(max_examples=1200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

AWKWARD = ["", " ", "NA", "NaN", "nan", "?", "null", "None", "True", "false", "0", "1", "1.0", "-0", "0.0",
           "2012-01-01", "2013-02-30", "01/02/2013", "12:30", "x", "Adelie", '"', '""', "a,b", "a;b", "\t",
           "1e308", "-1e308", "1e400", "1e-320", "inf", "-Infinity", "²", "١٢٣", "0x10", "1_000", "1,5",
           "9" * 30, "é", "\u2028", "=1+1", "{}", "[1]"]
cells = st.one_of(
    st.sampled_from(AWKWARD),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
)


numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(-1e6, 1e6).map(lambda v: f"{v:.4g}"))
dates = st.dates().map(lambda d: d.isoformat()) | st.dates().map(lambda d: d.strftime("%d/%m/%Y"))
words = st.sampled_from(["red", "green", "blue", "Adelie", "Gentoo", "yes", "no", "True", "False"])
KINDS = {"numbers": numbers, "dates": dates, "words": words, "anything": cells}
KIND_ODDS = ["numbers", "numbers", "numbers", "dates", "words", "words", "anything"]


@st.composite
def text_files(draw):
    """A delimited file: maybe a header, columns of one kind with stray cells, ragged rows, some encoding."""
    width = draw(st.sampled_from([3, 4, 2, 5, 6]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    kinds = [KINDS[draw(st.sampled_from(KIND_ODDS))] for _ in range(width)]
    classes = draw(st.lists(words | numbers | cells, min_size=2, max_size=3))
    rows = []
    if not draw(st.integers(0, 3)) == 0:
        rows.append([f"c{i}" if draw(st.integers(0, 9)) else draw(cells) for i in range(width)])
    for _ in range(draw(st.sampled_from([20, 8, 40, 3, 0]))):
        row = [draw(cells) if draw(st.integers(0, 40)) == 0 else draw(kind) for kind in kinds[:-1]]
        row.append(draw(st.sampled_from(classes)))
        if draw(st.integers(0, 30)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + [draw(cells) for _ in range(draw(st.integers(0, 2)))]
        rows.append(row)
    buffer = io.StringIO()
    if draw(st.booleans()):
        csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    else:
        buffer.write("".join(delimiter.join(row) + "\n" for row in rows))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    return buffer.getvalue().encode(encoding, errors="replace")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.sampled_from(AWKWARD),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@st.composite
def json_files(draw):
    keys = draw(st.lists(st.sampled_from(["a", "b", "c", "label", "", "0"]), min_size=1, max_size=4, unique=True))
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        record = {k: draw(json_values) for k in keys if draw(st.integers(0, 8))}
        line = json.dumps(record)
        if draw(st.integers(0, 40)) == 0:
            line = line[: draw(st.integers(0, len(line)))]
        lines.append(line)
    return "\n".join(lines).encode()


options = st.fixed_dictionaries({
    "label": st.sampled_from([None, None, None, None, "0", "-1", "1", "c0", "label", "²", "99"]),
    "missing": st.sampled_from(["impute", "drop"]),
    "sample": st.sampled_from([0, 0, 5, 12]),
})


def check(content: bytes, suffix: str, chosen: dict) -> None:
    note(f"file ({suffix}): {content!r}")
    note(f"options: {chosen}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                data = load_file(path, chosen["label"], missing=chosen["missing"], sample=chosen["sample"], seed=1)
            except InputError as exc:
                assert str(exc) and "\n" not in str(exc)
                event("refused: " + " ".join(str(exc).split(": ", 1)[-1].split()[:4]))
                return
            event("loaded")
            counts = np.bincount(data.y)
            assert len(data.y) >= 4 and data.n_classes >= 2 and counts.min() >= 2
            assert len(data.X) == len(data.y)
            try:
                parts = split(data, 0.3, 0)
            except InputError:
                return
            for X in (parts.X_train, parts.X_test):
                assert X.dtype == float and np.isfinite(X).all() and X.shape[1] == len(parts.feature_names)


@FUZZ
@given(text_files(), st.sampled_from([".csv", ".tsv", ".txt"]), options)
def test_generated_text_files(content, suffix, chosen):
    check(content, suffix, chosen)


@settings(FUZZ, max_examples=500)
@given(json_files(), options)
def test_generated_json_lines(content, chosen):
    check(content, ".jsonl", chosen)


@settings(FUZZ, max_examples=500)
@given(st.binary(max_size=300), st.sampled_from([".csv", ".parquet", ".gz", ".zip", ".jsonl"]), options)
def test_arbitrary_bytes(content, suffix, chosen):
    check(content, suffix, chosen)
