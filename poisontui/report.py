"""Results as text: JSON, CSV, Markdown and a Rich table that reads well at 80 columns."""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

from poisontui.engine.experiment import Result
from poisontui.engine.story import story

# Markers for charts: series differ by shape as well as colour, so they read in monochrome.
# One per class, or per line of a chart: a sweep draws up to 14 (clean, poisoned, every mitigation).
MARKERS = ("o", "x", "+", "*", "#", "%", "@", "=", "~", "$", "&", "^", "v", "!")
# Poisoned rows: a solid block, unlike any class's marker (an X beside class 1's x was hard to tell apart).
POISONED_MARKER = "█"

CSV_COLUMNS = (
    "name", "family", "accuracy", "delta_accuracy", "macro_f1", "recovered", "success_recovered",
    "detection_precision",
    "detection_recall", "detection_f1", "rows_dropped", "rows_relabelled", "attack_success", "focus_recall",
    "certified_accuracy_at_poisoned", "fit_seconds",
    "accuracy_mean", "accuracy_std", "accuracy_min", "accuracy_max",
    "attack_success_mean", "attack_success_std", "attack_success_min", "attack_success_max",
)


def fmt(value: Any, digits: int = 3, signed: bool = False) -> str:
    """A score for people: fixed decimals, a dash where there is nothing to report."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return str(value)


def to_json(result: Result) -> str:
    return json.dumps({**result.to_dict(), "story": story(result).to_dict()}, indent=2)


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


def seconds(value: float) -> str:
    """A duration in four characters at most, so the time column keeps its width: 0.47, 18.2, 312."""
    return f"{value:.2f}" if value < 9.995 else f"{value:.1f}" if value < 99.95 else f"{value:.0f}"


def attack_params(config) -> dict[str, Any]:
    """The attack's parameters as run: those given, and the defaults of the others that have a value."""
    from poisontui.engine.attacks import ATTACKS

    given = config.attack.get("params") or {}
    declared = ATTACKS[config.attack["name"]].params
    shown = {p.name: given.get(p.name, p.default) for p in declared}
    return {k: v for k, v in shown.items() if k in given or v not in ("", None)}


def headline(result: Result) -> list[str]:
    """Two or three lines that say what was run and what the attack did."""
    out = result.to_dict()
    ds = out["dataset"]
    config = result.config
    attack = config.attack["name"]
    params = ", ".join(f"{k}={v}" for k, v in attack_params(config).items())
    kind = "SYNTHETIC data" if ds["synthetic"] else "real data"
    lines = [
        f"{ds['name']} ({kind}): {ds['train_rows']} training and {ds['test_rows']} test rows, "
        f"{len(ds['classes'])} classes, {ds['features']} feature{'' if ds['features'] == 1 else 's'}",
        f"model {config.model['name']}; attack {attack}" + (f" ({params})" if params else "")
        + f": {out['poisoned_count']} of {out['training_rows_after_attack']} training rows poisoned; "
        f"seed {config.seed}, data seed {config.data_seed}",
    ]
    if result.seeds and len(result.seeds) > 1:
        lines.append(f"over {len(result.seeds)} seeds ({result.seeds[0]}..{result.seeds[-1]}): acc (± sd), its change, "
                     f"recall, ASR (± sd) and the share recovered are means; F1, detection and drops are seed "
                     f"{result.seeds[0]}'s")
    return lines


def table_columns(result: Result, compact: bool = False) -> list[tuple[str, str, Any]]:
    """(header, justification, cell function) for the columns worth showing for this result.

    `compact` leaves out macro F1 so the table fits 80 columns; JSON and CSV always carry it.
    """
    rows = result.rows
    flags = any(r["family"] for r in rows)
    columns: list[tuple[str, str, Any]] = [
        ("variant", "left", lambda r: r["name"] + (" *" if r["name"] == result.best else "")),
        ("acc", "right", lambda r: mean_sd(r, "accuracy")),
        ("vs\nclean", "right", lambda r: fmt(mean_of(r, "accuracy") - mean_of(rows[0], "accuracy"), signed=True)
         if r["name"] != "clean" else ""),
    ]
    if not compact:
        columns.append(("F1", "right", lambda r: fmt(r["macro_f1"])))
    if result.focus_class:
        columns.append((f"{result.focus_class}\nrecall", "right", lambda r: fmt(mean_of(r, "focus_recall"))))
    if any(r["attack_success"] is not None for r in rows):
        columns.append(("ASR", "right", lambda r: mean_sd(r, "attack_success")))
    if flags:
        mitigated = [r for r in rows if r["family"]]
        if all(r["recovered"] is None for r in mitigated) and any(r["success_recovered"] is not None
                                                                   for r in mitigated):
            # Accuracy barely moved (a backdoor's point): the damage to undo is the attack's success.
            columns.append(("ASR\nundone", "right",
                            lambda r: percent(mean_of(r, "success_recovered")) if r["family"] else ""))
        else:
            columns.append(("reco-\nvered", "right", lambda r: percent(mean_of(r, "recovered")) if r["family"] else ""))
    if result.flagged:
        columns.append(("detect\nP/R", "right", lambda r: pair(r["detection_precision"], r["detection_recall"])
                        if r["name"] in result.flagged else ""))
    if flags:
        columns.append(("drop/\nrelab", "right", lambda r: f"{r['rows_dropped']}/{r['rows_relabelled']}"
                        if r["family"] else ""))
    columns.append(("sec", "right", lambda r: seconds(r["fit_seconds"])))
    return columns


# Columns a narrow table gives up first: seconds, then F1, then how many rows a mitigation changed.
GIVEN_UP_FIRST = ("sec", "F1", "drop/\nrelab", "detect\nP/R")


def fit_columns(result: Result, width: int) -> tuple[list[tuple[str, str, Any]], list[tuple[str, str, Any]]]:
    """The table's columns that fit in `width` cells, in their order, and the ones left for a detail pane.

    Each column takes its widest header line or cell plus one cell of padding on either side;
    the variant and accuracy are always shown.
    """
    columns = table_columns(result)

    def need(column) -> int:
        header, _, cell = column
        return max([len(line) for line in header.split("\n")] + [len(cell(r)) for r in result.rows]) + 2

    shown = list(range(len(columns)))
    # Give up columns, least telling first, until the rest fit.
    order = [i for h in GIVEN_UP_FIRST for i, c in enumerate(columns) if c[0] == h]
    order += [i for i in range(len(columns) - 1, 1, -1) if i not in order]
    while sum(need(columns[i]) for i in shown) > width and order:
        shown.remove(order.pop(0))
    return [columns[i] for i in shown], [c for i, c in enumerate(columns) if i not in shown]


def mean_of(row: dict[str, Any], metric: str) -> Any:
    """The figure's mean over seeds where the run had several, else the figure."""
    return row.get(f"{metric}_mean", row.get(metric))


def mean_sd(row: dict[str, Any], metric: str) -> str:
    """A figure, or its mean +- sd where the run had several seeds."""
    if row.get(f"{metric}_std") is not None and row.get(f"{metric}_mean") is not None:
        return f"{row[f'{metric}_mean']:.3f}±{row[f'{metric}_std']:.3f}"
    return fmt(row[metric])


def notes(result: Result) -> list[str]:
    """Lines under the table: why the best is best, certificates, and the spread of noisy mechanisms."""
    lines = [f"best: {result.best} ({result.best_reason})" if result.best else f"best: {result.best_reason}"]
    for row in result.rows:
        curve = row.get("certified_accuracy")
        if curve is not None:
            points = ", ".join(f"r={r} {curve[r]:.2f}" for r in range(min(len(curve), 8)))
            lines.append(f"{row['name']}: certified accuracy {points}"
                         + (", ..." if len(curve) > 8 else "")
                         + f"; at r={result.changes} (this attack's changes) {row['certified_accuracy_at_poisoned']:.2f}")
        noise = row.get("accuracy_over_noise")
        if noise is not None:
            lines.append(f"{row['name']}: accuracy over {noise['draws']} noise draws {noise['mean']:.3f} ± "
                         f"{noise['sd']:.3f} ({noise['min']:.3f}..{noise['max']:.3f}); one run is one draw")
    return lines


def one_line(header: str) -> str:
    """A two-line column header on one line: "reco-\\nvered" -> "recovered", "drop/\\nrelab" -> "drop/relab"."""
    return header.replace("-\n", "").replace("/\n", "/").replace("\n", " ")


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def pair(a: float | None, b: float | None) -> str:
    """Two shares as `.55/.64`, leading zeros dropped to save room."""
    return "/".join("-" if v is None else f"{v:.2f}".removeprefix("0") for v in (a, b))


LEGEND = ("* best mitigation. ASR: attack success rate. recovered: share of the accuracy lost to poisoning that "
          "the mitigation wins back (shown when poisoning cost at least 1 point); ASR undone, in its place when "
          "accuracy barely moved: the same share of the attack's success. detect P/R: precision/recall of the "
          "flagged rows against the truly poisoned ones.")


def to_markdown(result: Result) -> str:
    """A readable report: the config, the comparison table and the accuracy chart drawn as text."""
    columns = table_columns(result)
    lines = ["# poisontui result", ""]
    told = story(result).lines()
    lines += [f"**{told[0]}**", *(f"{line}" for line in told[1:]), ""]
    lines += [f"- {line}" for line in headline(result)]
    lines += ["", "| " + " | ".join(one_line(h) for h, _, _ in columns) + " |",
              "|" + "|".join("---:" if j == "right" else "---" for _, j, _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(r) for _, _, cell in columns) + " |" for r in result.rows]
    for line in notes(result):
        lines += ["", line]
    lines += ["", LEGEND, "", "## Accuracy per variant", "", "```",
              text_bars([r["name"] for r in result.rows], [r["accuracy"] for r in result.rows]), "```", ""]
    for row in result.rows:
        if row.get("certified_accuracy") is not None:
            curve = row["certified_accuracy"]
            lines += [f"## Certified accuracy of {row['name']} against poisoned rows r", "", "```",
                      text_bars([f"r={r}" for r in range(len(curve))], curve), "```", ""]
    lines += ["## Config", "", "```json", json.dumps(result.config.to_dict(), indent=2), "```", ""]
    return "\n".join(lines)


def text_bars(names: list[str], values: list[float], width: int = 40) -> str:
    """Horizontal bars in plain characters, for reports that must read anywhere."""
    pad = max(len(n) for n in names)
    return "\n".join(f"{name:<{pad}}  {'#' * round(value * width):<{width}}  {value:.3f}"
                     for name, value in zip(names, values))


def rich_table(result: Result, compact: bool = False):
    """The comparison as a Rich table."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    columns = table_columns(result, compact)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, padding=(0, 1))
    # Class and file names are the user's: cells are text, never markup.
    for header, justify, _ in columns:
        table.add_column(Text(header), justify=justify, no_wrap=True)
    for row in result.rows:
        style = "bold" if row["name"] == result.best else None
        table.add_row(*(Text(cell(row)) for _, _, cell in columns), style=style)
    return table


def to_table(result: Result, width: int | None = None) -> str:
    """The headline, the table and the legend as plain text for a terminal `width` columns wide, or
    (no width) for a file: sentences unbroken, no trailing spaces."""
    from rich.console import Console

    with open(os.devnull, "w") as sink:
        console = Console(width=width or 200, record=True, file=sink, force_terminal=False)
        for line in [*story(result).lines(), *headline(result), None, *notes(result), LEGEND]:
            if line is None:
                console.print(rich_table(result, compact=(width or 100) < 100))
            else:
                console.print(line, highlight=False, markup=False, soft_wrap=width is None)
        return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown, "table": to_table}
EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".txt": "table"}


# Sweeps

SWEEP_CSV_COLUMNS = ("ratio", "seed", "poisoned_count", "name", "family", "accuracy", "delta_accuracy", "macro_f1",
                     "attack_success", "focus_recall", "recovered", "detection_precision", "detection_recall",
                     "rows_dropped", "rows_relabelled", "fit_seconds")


def sweep_dict(sweep, cells) -> dict[str, Any]:
    from poisontui.engine.sweep import sort_cells, summarise

    ordered = sort_cells(cells)
    return {
        "config": sweep.to_dict(),
        "cells": [record for cell in ordered for record in cell.records()],
        "summary": summarise(ordered),
    }


def sweep_to_json(sweep, cells) -> str:
    return json.dumps(sweep_dict(sweep, cells), indent=2)


def sweep_to_csv(sweep, cells) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SWEEP_CSV_COLUMNS)
    for record in sweep_dict(sweep, cells)["cells"]:
        writer.writerow([_csv_cell(record.get(c)) for c in SWEEP_CSV_COLUMNS])
    return buffer.getvalue()


def _spread(entry: dict[str, Any], metric: str) -> str:
    if f"{metric}_mean" not in entry:
        return ""
    return f"{entry[f'{metric}_mean']:.3f} ± {entry[f'{metric}_std']:.3f}"


def _range(entry: dict[str, Any], metric: str) -> str:
    if f"{metric}_min" not in entry:
        return ""
    return f"{entry[f'{metric}_min']:.3f}..{entry[f'{metric}_max']:.3f}"


def sweep_to_markdown(sweep, cells) -> str:
    summary = sweep_dict(sweep, cells)["summary"]
    config = sweep.experiment
    lines = ["# poisontui sweep", "",
             f"- {config.data or config.dataset['name']}, model {config.model['name']}, attack "
             f"{config.attack['name']}; {len(sweep.ratios)} ratios x {sweep.seeds} seeds", "",
             "| ratio | variant | accuracy mean | std | min | max | n |", "|---:|---|---:|---:|---:|---:|---:|"]
    for e in summary:
        lines.append(f"| {e['ratio']:g} | {e['name']} | {e['accuracy_mean']:.3f} | {e['accuracy_std']:.3f} | "
                     f"{e['accuracy_min']:.3f} | {e['accuracy_max']:.3f} | {e['n']} |")
    lines += ["", "## Mean accuracy at the highest ratio", "", "```",
              text_bars([e["name"] for e in summary if e["ratio"] == sweep.ratios[-1]],
                        [e["accuracy_mean"] for e in summary if e["ratio"] == sweep.ratios[-1]]), "```", "",
              "## Config", "", "```json", json.dumps(sweep.to_dict(), indent=2), "```", ""]
    return "\n".join(lines)


def sweep_to_table(sweep, cells, width: int = 100) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    summary = sweep_dict(sweep, cells)["summary"]
    success = any("attack_success_mean" in e for e in summary)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, padding=(0, 1))
    for header in ("ratio", "variant", "accuracy mean ± std", "min..max"):
        table.add_column(header, justify="left" if header == "variant" else "right", no_wrap=True)
    if success:
        table.add_column("ASR mean ± std", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    previous = None
    for entry in summary:
        ratio = f"{entry['ratio']:g}" if entry["ratio"] != previous else ""
        previous = entry["ratio"]
        cells_ = [ratio, entry["name"], _spread(entry, "accuracy"), _range(entry, "accuracy")]
        if success:
            cells_.append(_spread(entry, "attack_success"))
        table.add_row(*(Text(c) for c in cells_), str(entry["n"]))
    config = sweep.experiment
    lines = [f"sweep: {config.data or config.dataset['name']}, model {config.model['name']}, attack "
             f"{config.attack['name']}; {len(sweep.ratios)} ratios x {sweep.seeds} seeds "
             f"(seeds {sweep.seed_values[0]}..{sweep.seed_values[-1]})"]
    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, file=sink, force_terminal=False)
        for line in lines:
            console.print(line, highlight=False, markup=False)
        console.print(table)
        return console.export_text()


def sweep_chart(sweep, cells, width: int = 80, height: int = 20) -> str:
    """Mean accuracy against poison ratio, one line per variant, as plotext text."""
    import plotext as plt

    summary = sweep_dict(sweep, cells)["summary"]
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    names = list(dict.fromkeys(e["name"] for e in summary))
    for i, name in enumerate(names):
        points = [e for e in summary if e["name"] == name]
        plt.plot([e["ratio"] for e in points], [e["accuracy_mean"] for e in points],
                 marker=MARKERS[i % len(MARKERS)], label=name)
    plt.title("mean accuracy against poison ratio")
    plt.xlabel("ratio")
    return plt.build() + "\n"


SWEEP_FORMATS = {"json": sweep_to_json, "csv": sweep_to_csv, "markdown": sweep_to_markdown,
                 "table": sweep_to_table}
