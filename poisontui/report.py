"""Results as text: JSON, CSV, Markdown and a Rich table that reads well at 80 columns."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from poisontui.engine.experiment import Result

CSV_COLUMNS = (
    "name", "family", "accuracy", "delta_accuracy", "macro_f1", "recovered", "detection_precision",
    "detection_recall", "detection_f1", "rows_dropped", "rows_relabelled", "attack_success", "focus_recall",
    "fit_seconds",
)


def fmt(value: Any, digits: int = 3, signed: bool = False) -> str:
    """A score for people: fixed decimals, a dash where there is nothing to report."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return str(value)


def to_json(result: Result) -> str:
    return json.dumps(result.to_dict(), indent=2)


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = result.data.class_names
    writer.writerow([*CSV_COLUMNS, *(f"recall[{n}]" for n in names)])
    for row in result.rows:
        writer.writerow([_csv_cell(row.get(c)) for c in CSV_COLUMNS] + [_csv_cell(row["recall"][n]) for n in names])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def headline(result: Result) -> list[str]:
    """Two or three lines that say what was run and what the attack did."""
    out = result.to_dict()
    ds = out["dataset"]
    config = result.config
    attack = config.attack["name"]
    params = ", ".join(f"{k}={v}" for k, v in (config.attack.get("params") or {}).items())
    kind = "SYNTHETIC data" if ds["synthetic"] else "real data"
    lines = [
        f"{ds['name']} ({kind}): {ds['train_rows']} training and {ds['test_rows']} test rows, "
        f"{len(ds['classes'])} classes, {ds['features']} features",
        f"model {config.model['name']}; attack {attack}" + (f" ({params})" if params else "")
        + f": {out['poisoned_count']} of {out['training_rows_after_attack']} training rows poisoned; "
        f"seed {config.seed}, data seed {config.data_seed}",
    ]
    if result.best:
        lines.append(f"best mitigation: {result.best}")
    return lines


def table_columns(result: Result, compact: bool = False) -> list[tuple[str, str, Any]]:
    """(header, justification, cell function) for the columns worth showing for this result.

    `compact` leaves out macro F1 so the table fits 80 columns; JSON and CSV always carry it.
    """
    rows = result.rows
    flags = any(r["family"] for r in rows)
    columns: list[tuple[str, str, Any]] = [
        ("variant", "left", lambda r: r["name"] + (" *" if r["name"] == result.best else "")),
        ("acc", "right", lambda r: fmt(r["accuracy"])),
        ("vs\nclean", "right", lambda r: fmt(r["delta_accuracy"], signed=True) if r["name"] != "clean" else ""),
    ]
    if not compact:
        columns.append(("F1", "right", lambda r: fmt(r["macro_f1"])))
    if result.focus_class:
        columns.append((f"{result.focus_class}\nrecall", "right", lambda r: fmt(r["focus_recall"])))
    if any(r["attack_success"] is not None for r in rows):
        columns.append(("ASR", "right", lambda r: fmt(r["attack_success"])))
    if flags:
        columns.append(("reco-\nvered", "right", lambda r: _percent(r["recovered"]) if r["family"] else ""))
    if result.flagged:
        columns.append(("detect\nP/R", "right", lambda r: _pair(r["detection_precision"], r["detection_recall"])
                        if r["name"] in result.flagged else ""))
    if flags:
        columns.append(("drop/\nrelab", "right", lambda r: f"{r['rows_dropped']}/{r['rows_relabelled']}"
                        if r["family"] else ""))
    columns.append(("sec", "right", lambda r: f"{r['fit_seconds']:.2f}"))
    return columns


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _pair(a: float | None, b: float | None) -> str:
    """Two shares as `.55/.64`, leading zeros dropped to save room."""
    return "/".join("-" if v is None else f"{v:.2f}".removeprefix("0") for v in (a, b))


LEGEND = ("* best mitigation. ASR: attack success rate. recovered: share of the poisoning damage recovered "
          "(shown when poisoning cost at least 1 point). detect P/R: precision/recall of the flagged rows "
          "against the truly poisoned ones.")


def to_markdown(result: Result) -> str:
    columns = table_columns(result)
    lines = ["# poisontui result", ""]
    lines += [f"- {line}" for line in headline(result)]
    lines += ["", "| " + " | ".join(h.replace("\n", " ") for h, _, _ in columns) + " |",
              "|" + "|".join("---:" if j == "right" else "---" for _, j, _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(r) for _, _, cell in columns) + " |" for r in result.rows]
    lines += ["", LEGEND, ""]
    return "\n".join(lines)


def rich_table(result: Result, compact: bool = False):
    """The comparison as a Rich table."""
    from rich import box
    from rich.table import Table

    columns = table_columns(result, compact)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, padding=(0, 1))
    for header, justify, _ in columns:
        table.add_column(header, justify=justify, no_wrap=True)
    for row in result.rows:
        style = "bold" if row["name"] == result.best else None
        table.add_row(*(cell(row) for _, _, cell in columns), style=style)
    return table


def to_table(result: Result, width: int = 100) -> str:
    """The headline, the table and the legend as plain text `width` columns wide."""
    import os

    from rich.console import Console

    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, file=sink, force_terminal=False)
        for line in headline(result):
            console.print(line, highlight=False)
        console.print(rich_table(result, compact=width < 100))
        console.print(LEGEND, highlight=False)
        return console.export_text()


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown, "table": to_table}
EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".txt": "table"}
