"""Reading a data file into a pandas table: its format, compression, encoding, delimiter and header.

Everything is decided from the first 64 KiB, in time linear in that sample (the standard
library's CSV sniffer is quadratic on crafted input), and the memory a read will take is
estimated and checked before the read starts. pandas and pyarrow are imported here, lazily:
only loading a user's file needs them.
"""

from __future__ import annotations

import bz2
import csv
import io
import json
import lzma
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from poisontui.engine import memory
from poisontui.engine.errors import InputError

SAMPLE_BYTES = 64 * 1024
CHUNK_ROWS = 100_000
DELIMITERS = (",", ";", "\t", "|")
# Cells read as missing, besides pandas's own list ("", "NA", "N/A", "NaN", "null", "None", ...).
MISSING_MARKERS = ["?"]
# How much more memory a run takes than the table it reads: the table, its split, the encoded
# features, and the copies models and attacks make of them.
RUN_OVERHEAD = 4

MAGIC = {b"\x1f\x8b": "gzip", b"PK\x03\x04": "zip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"PAR1": "parquet"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
TAB_SUFFIXES = {".tsv", ".tab"}


def fits_in_memory(needed: int) -> bool:
    limit = memory.available()
    return limit is None or needed <= limit.bytes


def require_memory(needed: int, what: str, hint: str) -> None:
    """Refuse, before anything is read, a read whose estimated memory is more than this process can take."""
    memory.require(needed, what, advice=hint)


def _pandas():
    import pandas

    return pandas


@dataclass
class Source:
    """A data file as found: how to read it, its columns, and how many rows it probably holds."""

    path: Path
    kind: str  # "text", "json" or "parquet"
    columns: list[str]
    compression: str | None = None
    encoding: str = "utf-8"
    options: dict[str, Any] = field(default_factory=dict)
    first_line: int = 1
    """The line of the first data row (2 after a header); for Parquet, the first row's number."""
    estimated_rows: int = 0
    bytes_per_row: float = 8.0

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def unit(self) -> str:
        return "row" if self.kind == "parquet" else "line"

    def where(self, position: int) -> str:
        """The line (or row) of data row `position`, counted from 0."""
        return f"{self.unit} {self.first_line + position}"

    def estimate(self, rows: int, share: float = 1.0) -> int:
        """Bytes a run over `rows` rows of `share` of the columns will need."""
        return memory.BASE_BYTES + int(rows * self.bytes_per_row * share * RUN_OVERHEAD)

    def read(self, usecols: list[str]):
        """The whole file's `usecols` as a DataFrame."""
        require_memory(self.estimate(self.estimated_rows, len(usecols) / max(len(self.columns), 1)),
                       f"{self.name} ({self.estimated_rows:,} rows x {len(usecols)} columns, estimated)",
                       "draw a sample with --sample N")
        with self._errors():
            if self.kind == "parquet":
                return _pandas().read_parquet(self.path, columns=usecols, engine="pyarrow")
            if self.kind == "json":
                return self._json_frame(usecols)
            return _pandas().read_csv(self.path, usecols=self._subset(usecols), **self._csv_options())

    def chunks(self, usecols: list[str]) -> Iterator[Any]:
        """`usecols` in DataFrames of at most CHUNK_ROWS rows, in file order, numbered from 0."""
        with self._errors():
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                start = 0
                for batch in pq.ParquetFile(self.path).iter_batches(CHUNK_ROWS, columns=usecols):
                    frame = batch.to_pandas()
                    frame.index = range(start, start + len(frame))
                    start += len(frame)
                    yield frame
            elif self.kind == "json" and not self.options.get("lines", True):
                yield self._json_frame(usecols)  # a JSON array is parsed whole
            elif self.kind == "json":
                start = 0
                reader = _pandas().read_json(self.path, chunksize=CHUNK_ROWS, **self._json_options())
                with reader:
                    for frame in reader:
                        frame = frame.reindex(columns=usecols)
                        frame.index = range(start, start + len(frame))
                        start += len(frame)
                        yield frame
            else:
                with _pandas().read_csv(self.path, usecols=self._subset(usecols), chunksize=CHUNK_ROWS,
                                        **self._csv_options()) as reader:
                    yield from reader

    def _subset(self, usecols: list[str]) -> list[str] | None:
        """`usecols` for pandas, or None for every column (selecting columns slows its parser)."""
        return None if usecols == self.columns else usecols

    def _csv_options(self) -> dict[str, Any]:
        # Chosen for speed: pandas parses in chunks (a column's type may differ between them, which the
        # roles handle), and skips spaces after delimiters only in files written with them.
        return {"compression": self.compression, "encoding": self.encoding, "skip_blank_lines": False,
                "index_col": False, "na_values": MISSING_MARKERS, "engine": "c",
                **self.options}

    def _json_options(self) -> dict[str, Any]:
        return {"lines": self.options.get("lines", True), "compression": self.compression, "encoding": self.encoding,
                "dtype": False, "convert_dates": False, "keep_default_dates": False, "precise_float": True}

    def _json_frame(self, usecols: list[str]):
        frame = _pandas().read_json(self.path, **self._json_options())
        if not isinstance(frame, _pandas().DataFrame):
            raise InputError(f"{self.name}: expected JSON objects, one per line, with a key per column")
        return frame.reindex(columns=usecols)

    def _errors(self) -> "_ReadErrors":
        return _ReadErrors(self)


class _ReadErrors:
    """Turns what pandas and pyarrow raise on a bad file into one InputError naming the place."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._warnings = warnings.catch_warnings()

    def __enter__(self) -> None:
        self._warnings.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, kind, exc, tb) -> bool:
        self._warnings.__exit__(kind, exc, tb)
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, (InputError, MemoryError)):
            return False
        raise _read_error(self.source, exc) from None


def _read_error(source: Source, exc: BaseException) -> InputError:
    name, text = source.name, " ".join(str(exc).split())
    if isinstance(exc, UnicodeDecodeError):
        return InputError(f"{name}: not valid {exc.encoding} text (byte {exc.start:,} of the "
                          f"{'uncompressed ' if source.compression else ''}file); save it as UTF-8")
    if source.kind == "json":
        return InputError(_json_problem(source) or f"{name}: not valid JSON lines ({text[:200]})")
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        want, line, saw = fields.groups()
        return InputError(f"{name}: line {line} has {saw} fields where the first row has {want}")
    quote = re.search(r"EOF inside string starting at row (\d+)", text)
    if quote:
        return InputError(f"{name}: the quote opened on line {int(quote.group(1)) + 1} is never closed")
    if isinstance(exc, OSError) and not isinstance(exc, (zipfile.BadZipFile, EOFError)) and exc.strerror:
        return InputError(f"{name}: cannot be read ({exc.strerror})")
    what = "a Parquet file" if source.kind == "parquet" else "a well-formed CSV file"
    return InputError(f"{name}: not {what} ({text[:200] or type(exc).__name__})")


def _json_problem(source: Source) -> str | None:
    """The first line of a JSON-lines file that is not a JSON object, found by reading it line by line."""
    if not source.options.get("lines", True):
        return None
    try:
        with _open_text(source) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    return f"{source.name}: line {number} is not valid JSON ({exc.msg}, column {exc.colno})"
                if not isinstance(value, dict):
                    return f"{source.name}: line {number} is not a JSON object with a key per column"
    except (OSError, UnicodeError, EOFError, zlib.error, lzma.LZMAError):
        return None
    return None


def _open_text(source: Source):
    raw = _open_raw(source.path, source.compression)
    return io.TextIOWrapper(raw, encoding=source.encoding, errors="strict", newline="")


def _open_raw(path: Path, compression: str | None):
    if compression == "gzip":
        import gzip

        return gzip.open(path, "rb")
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members[:5]) or "nothing"
            raise InputError(f"{path.name}: a zip file must hold exactly one data file; it holds {names}")
        return archive.open(members[0])
    return path.open("rb")


def open_source(path) -> Source:
    """Look at the start of `path` and decide how to read it; nothing beyond 64 KiB is read."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a data file")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    kind = next((k for magic, k in MAGIC.items() if head.startswith(magic)), None)
    if kind == "parquet" or path.suffix.lower() in PARQUET_SUFFIXES:
        return _parquet_source(path)
    compression = kind
    inner = Path(path.stem) if compression else path
    try:
        sample, total = _sample(path, compression, size)
    except InputError:
        raise
    except (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
        raise InputError(f"{name}: cannot be read as {compression or 'text'} ({exc})") from None
    if not sample.strip():
        raise InputError(f"{path}: the file is empty")
    encoding = _encoding(name, sample)
    text = _decode_sample(name, sample, encoding, complete=len(sample) >= total)
    chars_per_byte = len(text) / max(len(sample), 1)
    if inner.suffix.lower() in JSON_SUFFIXES or text.lstrip()[:1] in ("{", "["):
        return _json_source(path, compression, encoding, text, total)
    return _text_source(path, compression, encoding, text, total * chars_per_byte,
                        tab=inner.suffix.lower() in TAB_SUFFIXES)


def _sample(path: Path, compression: str | None, size: int) -> tuple[bytes, int]:
    """The first SAMPLE_BYTES of the (uncompressed) content, and its total size, estimated if compressed."""
    if compression is None:
        with path.open("rb") as handle:
            return handle.read(SAMPLE_BYTES), size
    if compression == "zip":
        with _open_raw(path, "zip") as member:
            info = zipfile.ZipFile(path).infolist()
            total = sum(m.file_size for m in info if not m.is_dir())
            return member.read(SAMPLE_BYTES), total
    # Stream the start through a decompressor, counting what it consumed, for the ratio.
    decompressor = {"gzip": lambda: zlib.decompressobj(wbits=47), "bz2": bz2.BZ2Decompressor,
                    "xz": lzma.LZMADecompressor}[compression]()
    out, used = b"", 0
    with path.open("rb") as handle:
        while len(out) < SAMPLE_BYTES:
            block = handle.read(16 * 1024)
            if not block:
                break
            used += len(block)
            out += decompressor.decompress(block, SAMPLE_BYTES - len(out))
            if getattr(decompressor, "eof", False):
                break
    if len(out) < SAMPLE_BYTES and used >= size:
        return out, len(out)
    return out[:SAMPLE_BYTES], int(size * len(out) / max(used, 1))


BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _encoding(name: str, sample: bytes) -> str:
    """UTF-8 (with or without a byte order mark), UTF-16 with one, else Windows-1252 or Latin-1."""
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        # A multi-byte character may be cut at the sample's end: decode incrementally.
        import codecs

        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in sample:
        raise InputError(f"{name}: not a text file (it holds binary data); expected CSV, TSV, JSON lines or Parquet")
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_sample(name: str, sample: bytes, encoding: str, complete: bool) -> str:
    import codecs

    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text file (it is not valid {encoding})") from None
    controls = sum(1 for ch in text[:4096] if ch < " " and ch not in "\t\n\r\f\v")
    if controls > 4 or "\x00" in text:
        raise InputError(f"{name}: not a text file (it holds binary data); expected CSV, TSV, JSON lines or Parquet")
    return text


def _whole_lines(text: str) -> list[tuple[int, str]]:
    """The sample's complete lines (the last may be cut) with their numbers, without blank ones."""
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]
    return [(number, line) for number, line in enumerate(lines, 1) if line.strip()]


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the lines into the most consistent number of fields, in linear time.

    Each candidate is counted outside double quotes, line by line; the winner is the one
    whose most common non-zero count covers the most lines, then the one with more fields.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts: dict[int, int] = {}
        for line in lines[:200]:
            n, quoted = 0, False
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                elif ch == delimiter and not quoted:
                    n += 1
            counts[n] = counts.get(n, 0) + 1
        nonzero = [(lines_with, n) for n, lines_with in counts.items() if n > 0]
        if nonzero:
            score = max(nonzero)
            if score > best_score:
                best, best_score = delimiter, score
    return best


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() != "" and text.isascii()


def has_header(rows: list[list[str]]) -> bool:
    """A header is a first row of names: all text, or text above a column of numbers."""
    first = [cell.strip() for cell in rows[0]]
    if all(cell and not _is_number(cell) for cell in first):
        return True
    below = rows[1:20]
    for i, cell in enumerate(first):
        if cell and not _is_number(cell):
            column = [row[i].strip() for row in below if i < len(row) and row[i].strip()]
            if column and all(_is_number(v) for v in column):
                return True
    return False


DECIMAL_COMMA = re.compile(r"(?:^|;)\s*-?\d+,\d+\s*(?=;|$)")


def _text_source(path: Path, compression: str | None, encoding: str, text: str, total_chars: float,
                 tab: bool) -> Source:
    name = path.name
    numbered = _whole_lines(text)
    lines = [line for _, line in numbered]
    delimiter = "\t" if tab else sniff_delimiter(lines)
    # A semicolon file whose numbers are written 1,5 uses the decimal comma.
    decimal = "," if delimiter == ";" and sum(bool(DECIMAL_COMMA.search(l)) for l in lines[:50]) > len(lines[:50]) / 2 \
        else "."
    try:
        rows = list(csv.reader(lines[:50], delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{name}: not a well-formed CSV file ({exc})") from None
    if not rows:
        raise InputError(f"{name}: the file has no rows")
    header = has_header(rows)
    # pandas would take extra fields in the first data row for an index; say so instead.
    if len(rows) > 1 and len(rows[1]) > len(rows[0]):
        raise InputError(f"{name}: line {numbered[1][0]} has {len(rows[1])} fields where the first row has "
                         f"{len(rows[0])}")
    spaced = sum(line.count(delimiter + " ") for line in lines[:50]) > sum(line.count(delimiter) for line in lines[:50]) / 2
    options: dict[str, Any] = {"sep": delimiter, "decimal": decimal, "quotechar": '"', "skipinitialspace": spaced}
    leading = numbered[0][0] - 1  # blank lines before the first row, which pandas must skip too
    if leading:
        options["skiprows"] = leading
    if header:
        options["header"] = 0
    else:
        options.update(header=None, names=[f"column {i}" for i in range(len(rows[0]))])
    source = Source(path, "text", [], compression, encoding, options, first_line=leading + (2 if header else 1))
    pd = _pandas()
    cut = text[: text.rfind("\n") + 1] if "\n" in text and len(text) >= SAMPLE_BYTES // 2 else text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            head = pd.read_csv(io.StringIO(cut), **{**source._csv_options(), "compression": None,
                                                   "encoding": None})
    except Exception as exc:  # noqa: BLE001 - any parse failure of the sample is a bad file
        raise _read_error(source, exc) from None
    source.columns = [str(c) for c in head.columns]
    if len(source.columns) < 2:
        raise InputError(f"{name}: found 1 column; a data file needs at least one feature column and a "
                         f"label column (is the delimiter one of , ; tab |?)")
    rows_in_sample = max(len(head), 1)
    chars_per_row = len(cut) / (rows_in_sample + (1 if header else 0))
    source.estimated_rows = max(int(total_chars / max(chars_per_row, 1.0)), len(head))
    source.bytes_per_row = max(float(head.memory_usage(deep=True, index=False).sum()) / rows_in_sample,
                               8.0 * len(source.columns))
    return source


def _json_source(path: Path, compression: str | None, encoding: str, text: str, total_chars: float) -> Source:
    lines = text.lstrip()[:1] != "["
    source = Source(path, "json", [], compression, encoding, {"lines": lines})
    keys: dict[str, None] = {}
    records = 0
    if lines:
        for _, line in _whole_lines(text)[:200]:
            try:
                value = json.loads(line)
            except ValueError:
                break
            if isinstance(value, dict):
                keys.update(dict.fromkeys(map(str, value)))
                records += 1
    if not lines or not keys:
        # A JSON array, or lines the sample cannot show: read it whole to see its columns.
        require_memory(int(total_chars * 20), f"{path.name} (read whole as JSON)", "write it as JSON lines or CSV")
        with source._errors():
            frame = _pandas().read_json(path, **source._json_options())
        if not isinstance(frame, _pandas().DataFrame):
            raise InputError(f"{path.name}: expected JSON objects with a key per column")
        keys = dict.fromkeys(map(str, frame.columns))
        records = max(len(frame), 1)
        source.estimated_rows = len(frame)
    else:
        source.estimated_rows = int(total_chars / max(len(text) / records, 1.0))
    source.columns = list(keys)
    if len(source.columns) < 2:
        raise InputError(f"{path.name}: found {len(source.columns)} column(s); a data file needs at least one "
                         f"feature column and a label column")
    # Python objects per cell: about 60 bytes each while pandas builds the table.
    source.bytes_per_row = 60.0 * len(source.columns)
    return source


def _parquet_source(path: Path) -> Source:
    import pyarrow
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        schema = pq.read_schema(path)
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{path.name}: not a Parquet file ({' '.join(str(exc).split())[:200]})") from None
    columns = [str(c) for c in schema.names if not str(c).startswith("__index_level_")]
    if len(columns) < 2:
        raise InputError(f"{path.name}: found {len(columns)} column(s); a data file needs at least one feature "
                         f"column and a label column")
    rows = meta.num_rows
    uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    per_row = max(uncompressed / max(rows, 1), 8.0 * len(columns))
    return Source(path, "parquet", columns, first_line=1, estimated_rows=rows, bytes_per_row=per_row)

