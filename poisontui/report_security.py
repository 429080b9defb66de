"""A security curve as text: JSON, CSV, Markdown and a table (the curve itself is `engine.security`'s)."""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

from poisontui.report import MARKERS, _csv_cell

CSV_COLUMNS = ("ratio", "attack", "attack_name", "n", "poisoned_accuracy_mean", "poisoned_accuracy_std",
               "accuracy_mean", "accuracy_std", "detection_recall_mean", "detection_recall_std",
               "attack_success_mean", "attack_success_std")


def title(curve: dict[str, Any]) -> str:
    experiment = curve["config"]["experiment"]
    return (f"security of {curve['defence']['name']}: {experiment['data'] or experiment['dataset']['name']}, "
            f"model {experiment['model']['name']}; plain {curve['plain']}, adapted {curve['adapted']}; "
            f"{len(curve['config']['ratios'])} ratios x {curve['seeds']} seeds")


def spread(point: dict[str, Any], figure: str) -> str:
    if f"{figure}_mean" not in point:
        return "-"
    return f"{point[f'{figure}_mean']:.3f} ± {point[f'{figure}_std']:.3f}"


def to_json(curve: dict[str, Any]) -> str:
    return json.dumps(curve, indent=2) + "\n"


def to_csv(curve: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for point in curve["points"]:
        writer.writerow([_csv_cell(point.get(c)) for c in CSV_COLUMNS])
    return buffer.getvalue()


HEADERS = ("ratio", "attack", "no defence", "defended", "recall")


def rows(curve: dict[str, Any], names: bool = True) -> list[tuple[str, ...]]:
    """One row per ratio and attack: accuracy without and behind the defence, and its detection recall.
    Without `names` the attack is its role alone (plain, adapted), for a narrow table beside a legend."""
    return [(f"{p['ratio']:g}", f"{p['attack']} ({p['attack_name']})" if names else p["attack"],
             spread(p, "poisoned_accuracy"), spread(p, "accuracy"), spread(p, "detection_recall"))
            for p in curve["points"]]


def to_markdown(curve: dict[str, Any]) -> str:
    lines = ["# poisontui security curve", "", f"- {title(curve)}", "",
             "accuracy and detection recall: mean ± sd over seeds", "",
             "| " + " | ".join(HEADERS) + " |", "|---:|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(curve)]
    lines += ["", "## Config", "", "```json", json.dumps(curve["config"], indent=2), "```", ""]
    return "\n".join(lines)


def to_table(curve: dict[str, Any], width: int = 100) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, padding=(0, 1))
    for header in HEADERS:
        table.add_column(header, justify="left" if header == "attack" else "right", no_wrap=header != "attack")
    for row in rows(curve):
        table.add_row(*row)
    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, file=sink, force_terminal=False)
        console.print(title(curve), highlight=False, markup=False)
        console.print("accuracy and detection recall: mean ± sd over seeds", highlight=False)
        console.print(table)
        return console.export_text()


def series(curve: dict[str, Any], figure: str = "accuracy") -> dict[str, tuple[list[float], list[float]]]:
    """Per attack role, the ratios and the mean of `figure` behind the defence: what a chart draws."""
    out: dict[str, tuple[list[float], list[float]]] = {}
    for point in curve["points"]:
        if f"{figure}_mean" in point:
            xs, ys = out.setdefault(f"{point['attack']} ({point['attack_name']})", ([], []))
            xs.append(point["ratio"])
            ys.append(point[f"{figure}_mean"])
    return out


def chart(curve: dict[str, Any], width: int = 80, height: int = 20) -> str:
    """Accuracy behind the defence against the attack budget, plain and adapted, as plotext text."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    for i, (label, (xs, ys)) in enumerate(series(curve).items()):
        plt.plot(xs, ys, marker=MARKERS[i % len(MARKERS)], label=label)
    plt.title(f"accuracy behind {curve['defence']['name']} against poison ratio")
    plt.xlabel("ratio")
    return plt.build() + "\n"


FORMATS = {"json": to_json, "csv": to_csv, "markdown": to_markdown, "table": to_table}
