"""Command line: `poisontui` opens the app; `poisontui run` and `poisontui list` work headless."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from poisontui import __version__

FORMATS = ("table", "json", "csv", "markdown")


class Parser(argparse.ArgumentParser):
    """Argument errors in one line, as every other input error, with where to read the options."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (`{self.prog} --help` lists the options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="poisontui",
        description="See what data poisoning does to a model and what each defence buys back. "
        "With no command, opens the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"poisontui {__version__}")
    parser.add_argument("--preset", help="open the app on this preset (default: article)")
    parser.add_argument("--load", metavar="FILE", help="open the app on a JSON result (or sweep) written by poisontui; "
                        "it is rerun, and the app says whether the numbers match")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run one experiment headless and print the comparison",
        description="Train on clean and poisoned data (and with each mitigation) and compare. "
        "With no options this reproduces the article's example.",
    )
    add_experiment_options(run)
    output = run.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, help="output format (default: table, or by --out's extension)")
    add_out_options(output)

    sweep = commands.add_parser(
        "sweep", help="run an experiment over a grid of poison ratios and seeds, in parallel",
        description="For each ratio on the grid and each of several seeds, train the poisoned model and "
        "each mitigation; report mean, std, min and max per ratio and variant.",
    )
    add_experiment_options(sweep)
    grid = sweep.add_argument_group("grid and execution")
    grid.add_argument("--ratios", metavar="GRID",
                      help="ratios as 0,0.1,0.2 or start:stop:step, stop included (default 0:0.4:0.1, or the "
                      "grid of a sweep file given with --config)")
    grid.add_argument("--seeds", metavar="N", help="seeds per ratio (default 5, or the sweep file's)")
    grid.add_argument("--jobs", metavar="N", default="0", help="parallel jobs (default 0: all cores)")
    grid.add_argument("--backend", choices=("local", "dask"), default="local",
                      help="run cells here (local, with joblib) or on a Dask cluster")
    grid.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    output = sweep.add_argument_group("output")
    output.add_argument("--format", choices=("table", "json", "csv"),
                        help="output format (default: table, or by --out's extension)")
    add_out_options(output)

    security = commands.add_parser(
        "security", help="a defence's security curve: accuracy against poison ratio under the plain attack "
        "and under the attack adapted to the defence",
        description="Sweep the poison ratio twice, each time training behind one defence: once under an attack "
        "that ignores it and once under the attack adapted to it (it knows the defence and its parameters). "
        "Reports the accuracy without and behind the defence and the defence's detection recall, mean and sd "
        "over seeds. Defences with an adapted attack: " + ", ".join(_adapted_defences()) + ".",
    )
    add_experiment_options(security, attack=False)
    curve = security.add_argument_group("defence, grid and execution")
    curve.add_argument("--defence", metavar="NAME[:k=v,...]",
                       help="the defence and its parameters (default sphere-slab, or the curve file's given with "
                       "--config); the adapted attack is told them")
    curve.add_argument("--ratios", metavar="GRID",
                       help="ratios as 0,0.05,0.1 or start:stop:step, stop included (default 0:0.1:0.02, or the "
                       "curve file's)")
    curve.add_argument("--seeds", metavar="N", help="seeds per ratio (default 5, or the curve file's)")
    curve.add_argument("--jobs", metavar="N", default="0", help="parallel jobs (default 0: all cores)")
    output = security.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, help="output format (default: table, or by --out's extension)")
    add_out_options(output)

    serve = commands.add_parser(
        "serve", help="serve the app to web browsers, for live demos (needs the serve extra)",
        description="Serve the terminal app over HTTP with textual-serve: each browser that opens the page "
        "gets its own copy of the app. Listens on loopback unless told otherwise.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine "
                       "only; 0.0.0.0 lets anyone who can reach it use the app)")
    serve.add_argument("--port", default="8000", help="port to listen on (default 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="address browsers reach the server at, when it is not the one they typed "
                       "(behind a reverse proxy: https://demo.example.org); by default the page's links "
                       "use whatever address the browser used")
    serve.add_argument("--preset", help="open each browser's app on this preset")

    lister = commands.add_parser("list", help="list datasets, models, attacks, mitigations and presets")
    lister.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _adapted_defences() -> list[str]:
    from poisontui.engine.security import ADAPTED

    return list(ADAPTED)


def add_experiment_options(parser: argparse.ArgumentParser, attack: bool = True) -> None:
    """The options that say what to run, shared by `run`, `sweep` and (without the attack and mitigations,
    which the defence decides) `security`."""
    source = parser.add_argument_group("what to run (explicit options override --preset and --config)")
    source.add_argument("--preset", help="start from a preset: article (default), stop-sign, diagnosis, backdoor")
    source.add_argument("--config", metavar="FILE", help="rerun the config of a JSON result or config file")
    source.add_argument("--dataset", metavar="NAME[:k=v,...]", help="built-in dataset and its parameters")
    source.add_argument("--data", metavar="FILE", help="your own data: CSV or TSV (also .gz, .zip), JSON lines or "
                        "Parquet, with a label column")
    source.add_argument("--label", metavar="COLUMN", help="label column of --data, by name or index (default: last)")
    source.add_argument("--features", metavar="COL,...", help="use only these columns of --data as features")
    source.add_argument("--ignore", metavar="COL,...", help="leave these columns of --data out")
    from poisontui.engine.filedata import FILE_PARAMS

    for param in FILE_PARAMS:
        source.add_argument(f"--{param.name}", metavar="|".join(param.choices) if param.choices else "N",
                            help=f"{param.help} (default {param.default}); with --data")
    source.add_argument("--model", metavar="NAME[:k=v,...]", help="classifier and its parameters")
    if attack:
        source.add_argument("--attack", metavar="NAME[:k=v,...]", help="poisoning attack and its parameters")
        source.add_argument("--ratio", metavar="R", help="the attack's ratio (share of training rows poisoned)")
        source.add_argument("--mitigation", metavar="NAME[:k=v,...]", action="append",
                            help="a mitigation to compare (repeatable); 'all' runs every one with its defaults, "
                            "'none' none (the article preset has one of each family)")
    else:
        parser.set_defaults(attack=None, ratio=None, mitigation=None)
    source.add_argument("--focus", metavar="CLASS", help="class whose recall is the headline")
    seeds = parser.add_argument_group("reproducibility")
    seeds.add_argument("--seed", metavar="N", help="seed of the attack and randomised mitigations (default 0)")
    if parser.prog.endswith("run"):
        seeds.add_argument("--seeds", metavar="N", help="repeat the run over N seeds from --seed; each figure is "
                           "then reported as mean, sd, min and max (default 1)")
    seeds.add_argument("--data-seed", metavar="N", help="seed of data generation and the split (default 42)")
    seeds.add_argument("--test-size", metavar="F", help="share of rows held out for testing (default 0.3)")


def add_out_options(group) -> None:
    group.add_argument("--out", metavar="FILE", help="write the output to FILE instead of standard output")
    group.add_argument("--force", action="store_true", help="overwrite --out if it exists")


class UsageError(Exception):
    """Bad command-line input, reported as `error: ...` with exit status 2."""


def _interrupt_on_sigterm() -> None:
    """Treat SIGTERM like ctrl+c: stop, say so in one line, write no partial output."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from poisontui.engine.errors import Cancelled, PoisonError
    from poisontui.engine.runner import RunFailed

    commands = {"run": command_run, "sweep": command_sweep, "security": command_security, "serve": command_serve,
                "list": command_list}
    try:
        if args.command in ("run", "sweep", "security"):
            _interrupt_on_sigterm()
        code = commands.get(args.command, open_app)(args)
        sys.stdout.flush()  # here, where a reader that has gone away is caught below
        return code
    except RunFailed as exc:
        _error_line(f"error: {exc}")
        return 1
    except (PoisonError, UsageError) as exc:
        if isinstance(exc, Cancelled):
            _error_line("cancelled")
            return 130
        _error_line(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _error_line("interrupted")
        return 130
    except BrokenPipeError:
        # The reader stopped early (`poisontui list | head`): stop quietly, as tools killed by SIGPIPE do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except MemoryError:
        print("error: out of memory; try a smaller dataset or fewer rows", file=sys.stderr)
        return 2


def _error_line(text: str) -> None:
    """One line on stderr, replacing a progress bar left on the line."""
    prefix = "\r\033[K" if sys.stderr.isatty() else ""
    print(prefix + text, file=sys.stderr)


def open_app(args: argparse.Namespace) -> int:
    import asyncio

    app = build_app(args)
    try:
        # The app's own event loop: asyncio.run would wait, on the way out, for work still running
        # in the app's threads (a preview of large data), and quitting must give the terminal back at once.
        app.run(loop=asyncio.new_event_loop())
    finally:
        app.stop_job()
    # Non-zero when the app ended on a crash (Textual has printed what happened).
    code = app.return_code or 0
    _exit_now_if_threads_linger(code)
    return code


def build_app(args: argparse.Namespace):
    """The app on a preset, or on a loaded result or sweep file (checked first, like `run --config`)."""
    if args.load and args.preset:
        raise UsageError("give --load or --preset, not both")
    if args.load:
        from poisontui.engine.experiment import Config

        loaded = load_result_file(args.load)
        config = Config.from_dict(experiment_part(config_part(args.load, loaded["saved"])))
        app_args = {"config": config, "loaded": loaded}
    else:
        # Only the preset's name is checked here: the engine loads after the app's first paint.
        from poisontui.engine.params import lookup
        from poisontui.engine.presets import PRESETS

        app_args = {"preset": lookup("preset", args.preset or "article", PRESETS).name}
    from poisontui.app import PoisonApp

    return PoisonApp(**app_args)


def _exit_now_if_threads_linger(code: int) -> None:
    """Exit without waiting for the app's worker threads (previews, file checks): what they compute
    is for screens that are gone. The terminal is already restored and no child process outlives us."""
    import threading

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def load_result_file(path: str) -> dict[str, Any]:
    """A result or sweep file for the app to rerun, with every part the app reads checked.

    A sweep's grid and seeds must make a valid sweep; a result's rows, if any, must be objects with a
    name, and its timings numbers, since the app compares the rerun with them and shows them.
    """
    from poisontui.engine.sweep import SweepConfig

    saved = load_json(path)
    raw = config_part(path, saved)
    experiment = experiment_part(raw)
    sweep = SweepConfig.from_dict(raw).to_dict() if experiment is not raw else None
    if sweep is not None and not isinstance(sweep["scheduler"], (str, type(None))):
        raise UsageError(f"{path}: 'scheduler' must be an address such as tcp://HOST:8786")
    if sweep is None and saved is not raw:
        rows = saved.get("results", [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("name"), str)
                                                 for r in rows):
            raise UsageError(f"{path}: 'results' must be a list of rows, each an object with a name")
        for row in rows:
            if not _is_number(row.get("fit_seconds", 0.0)):
                raise UsageError(f"{path}: fit_seconds of row {row['name']!r} must be a number")
        if not _is_number(saved.get("seconds", 0.0)):
            raise UsageError(f"{path}: 'seconds' must be a number")
    return {"path": path, "saved": saved, "sweep": sweep}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# A config is a few hundred bytes; a result or sweep file with its cells a few MiB.
MAX_FILE_BYTES = 64 * 2**20
MAX_DEPTH = 32


def load_json(path: str) -> Any:
    """A poisontui JSON file, read up to a bound in size and nesting."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a JSON file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: more than the {MAX_FILE_BYTES // 2**20} MiB a poisontui JSON file may hold")
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a text file (it is not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise UsageError(f"{path}: nested more than {MAX_DEPTH} levels deep; not a poisontui file") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise UsageError(f"{path}: not valid JSON ({exc})") from None
    if _depth(raw) > MAX_DEPTH:
        raise UsageError(f"{path}: nested more than {MAX_DEPTH} levels deep; not a poisontui file")
    return raw


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value`, counted without recursion (stopping past MAX_DEPTH)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def config_part(path: str, raw: Any) -> dict[str, Any]:
    """The config inside a result or sweep file, or the file itself if it is a bare config."""
    if isinstance(raw, dict) and isinstance(raw.get("config"), dict):
        raw = raw["config"]
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: expected a JSON object with a config")
    return raw


def experiment_part(raw: dict[str, Any]) -> dict[str, Any]:
    """The experiment config of a sweep config, or the config itself."""
    return raw["experiment"] if isinstance(raw.get("experiment"), dict) else raw


def load_config_file(path: str) -> dict[str, Any]:
    """An experiment config from a result, sweep or config file, checked as `--load` checks it."""
    return experiment_part(config_part(path, load_result_file(path)["saved"]))


def spec_from_text(text: str) -> dict[str, Any]:
    from poisontui.engine.params import parse_spec

    name, params = parse_spec(text)
    return {"name": name, "params": params}


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{what} must be a whole number, not {text!r}") from None


def _float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{what} must be a number, not {text!r}") from None


def config_from_args(args: argparse.Namespace):
    """The run's config: --config or --preset as the base, then each explicit option on top."""
    from poisontui.engine.experiment import Config
    from poisontui.engine.mitigations import MITIGATIONS
    from poisontui.engine.params import lookup
    from poisontui.engine.presets import PRESETS

    if args.config and args.preset:
        raise UsageError("give --config or --preset, not both")
    if args.config:
        raw = load_config_file(args.config)
    else:
        raw = dict(lookup("preset", args.preset or "article", PRESETS).config, preset=args.preset or "article")
    raw = json.loads(json.dumps(raw))  # a deep copy we may change
    if args.dataset and args.data:
        raise UsageError("give --dataset or --data, not both")
    if args.dataset:
        raw.update(dataset=spec_from_text(args.dataset), data=None, label=None, features=None, ignore=None,
                   focus_class=None)
    if args.data:
        raw.update(data=args.data, focus_class=None)
    from poisontui.engine.filedata import parse_columns

    file_options = {"label": args.label, "features": parse_columns(args.features),
                    "ignore": parse_columns(args.ignore), "missing": args.missing, "sample": args.sample}
    for key, value in file_options.items():
        if value is not None:
            if not (args.data or raw.get("data")):
                raise UsageError(f"--{key} applies to a data file given with --data")
            raw[key] = value
    if args.model:
        raw["model"] = spec_from_text(args.model)
    if args.attack:
        raw["attack"] = spec_from_text(args.attack)
    if args.ratio is not None:
        ratio = _float(args.ratio, "--ratio")
        attack = raw.get("attack") or {"name": "label-flip"}
        # A malformed attack is left as it is, for the config's own check to name.
        if isinstance(attack, dict) and isinstance(attack.get("params") or {}, dict):
            raw["attack"] = {**attack, "params": {**(attack.get("params") or {}), "ratio": ratio}}
    if args.mitigation:
        if "all" in args.mitigation:
            raw["mitigations"] = [{"name": name, "params": {}} for name in MITIGATIONS]
        elif args.mitigation == ["none"]:
            raw["mitigations"] = []
        else:
            raw["mitigations"] = [spec_from_text(m) for m in args.mitigation]
    if args.focus is not None:
        raw["focus_class"] = args.focus
    if args.seed is not None:
        raw["seed"] = _int(args.seed, "--seed")
    if getattr(args, "seeds", None) is not None and args.command == "run":
        raw["seeds"] = _int(args.seeds, "--seeds")
    if args.data_seed is not None:
        raw["data_seed"] = _int(args.data_seed, "--data-seed")
    if args.test_size is not None:
        raw["test_size"] = _float(args.test_size, "--test-size")
    return Config.from_dict(raw)


def _output_format(args: argparse.Namespace) -> str:
    from poisontui.report import EXTENSIONS

    if args.format:
        return args.format
    if args.out:
        return EXTENSIONS.get(Path(args.out).suffix.lower(), "table")
    return "table"


def _check_out(args: argparse.Namespace) -> None:
    if not args.out:
        return
    target = Path(args.out)
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; give a file name")
    if target.exists() and not args.force:
        raise UsageError(f"{target}: already exists; pass --force to overwrite it")
    if not target.parent.exists() and str(target.parent):
        raise UsageError(f"{target.parent}: no such folder")


def command_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    fmt = _output_format(args)
    _check_out(args)
    from poisontui.engine.runner import run_job

    result = run_job("run", config.to_dict(), progress=_stderr_progress("run", config.to_dict()))
    announce_data(config, lambda _: (result.data, result.split))
    emit(args, render(result, fmt, width=None if args.out else _terminal_width()))
    if args.config:
        _say_if_reproduced(args.config, result)
    return 0


def _say_if_reproduced(path: str, result) -> None:
    """After a rerun of a result file: one line on stderr saying whether its numbers came back."""
    from poisontui.engine.compare import reproduces

    saved = load_json(path)
    same = reproduces(saved.get("results") if isinstance(saved, dict) else None, result.rows)
    if same is True:
        print(f"{path}: the rerun reproduced every number in it", file=sys.stderr)
    elif same is False:
        print(f"{path}: the rerun's numbers differ from the file's (another version of poisontui or "
              f"scikit-learn, or options given here?)", file=sys.stderr)


def announce_data(config, load) -> None:
    """Say once, on stderr, what was decided about a data file's rows and columns (once it has run:
    bad input stays one `error:` line)."""
    if not config.data:
        return
    data, parts = load(config)
    lines = data.report.lines(data.class_counts())
    lines.append(f"  {len(parts.feature_names)} model inputs; train {len(parts.y_train):,}, test {len(parts.y_test):,}")
    print("\n".join(lines), file=sys.stderr)


def emit(args: argparse.Namespace, text: str) -> None:
    """Write `text` to --out (atomically) or to standard output."""
    if not args.out:
        sys.stdout.write(text)
        return
    from poisontui.files import write_atomic

    try:
        write_atomic(args.out, text)
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot write ({exc.strerror or exc})") from None
    print(f"wrote {args.out}", file=sys.stderr)


def command_sweep(args: argparse.Namespace) -> int:
    from poisontui.engine.runner import run_job
    from poisontui.engine.sweep import SweepConfig, parse_ratios

    experiment = config_from_args(args)
    saved = config_part(args.config, load_json(args.config)) if args.config else {}
    ratios = parse_ratios(args.ratios) if args.ratios is not None else saved.get("ratios", parse_ratios("0:0.4:0.1"))
    seeds = _int(args.seeds, "--seeds") if args.seeds is not None else saved.get("seeds", 5)
    sweep = SweepConfig(experiment, ratios, seeds=seeds, jobs=_int(args.jobs, "--jobs"), backend=args.backend,
                        scheduler=args.scheduler)
    sweep.validate()
    fmt = _output_format(args)
    if fmt not in ("table", "json", "csv"):
        raise UsageError(f"sweeps are written as table, json or csv, not {fmt}")
    _check_out(args)
    cells: list = []

    def add(cell) -> None:
        if not cells:
            from poisontui.engine.runner import preview

            announce_data(experiment, lambda config: preview("data", config.to_dict()))
        cells.append(cell)

    run_job("sweep", sweep.to_dict(), progress=_stderr_progress("sweep", sweep.to_dict()), on_cell=add)
    from poisontui import report

    width = None if args.out else _terminal_width()
    text = report.sweep_to_table(sweep, cells, width or 100) if fmt == "table" else \
        report.SWEEP_FORMATS[fmt](sweep, cells)
    if fmt == "table" and not args.out and sys.stdout.isatty():
        text += "\n" + report.sweep_chart(sweep, cells, width=min(width or 80, 100))
    emit(args, text)
    return 0


def command_security(args: argparse.Namespace) -> int:
    from poisontui import report_security
    from poisontui.engine.runner import run_job
    from poisontui.engine.security import job_config, security_sweeps
    from poisontui.engine.sweep import parse_ratios

    config = config_from_args(args)
    curve_file = load_json(args.config) if args.config else {}
    saved = config_part(args.config, curve_file) if args.config else {}
    # A curve file names its defence beside its config (a sweep config, with the experiment, grid and seeds).
    saved_defence = curve_file.get("defence") if isinstance(curve_file, dict) else None
    defence = spec_from_text(args.defence) if args.defence else saved_defence or {"name": "sphere-slab"}
    ratios = parse_ratios(args.ratios) if args.ratios is not None else saved.get("ratios", parse_ratios("0:0.1:0.02"))
    seeds = _int(args.seeds, "--seeds") if args.seeds else saved.get("seeds", 5)
    jobs = _int(args.jobs, "--jobs")
    security_sweeps(config, defence, ratios, seeds, jobs)  # every name and number checked before any work
    fmt = _output_format(args)
    _check_out(args)
    curve = run_job("security", job_config(config, defence, ratios, seeds, jobs),
                    progress=_stderr_progress("security", {}))
    width = None if args.out else _terminal_width()
    text = report_security.to_table(curve, width or 100) if fmt == "table" else report_security.FORMATS[fmt](curve)
    if fmt == "table" and not args.out and sys.stdout.isatty():
        text += "\n" + report_security.chart(curve, width=min(width or 80, 100))
    emit(args, text)
    return 0


def render(result, fmt: str, width: int | None = None) -> str:
    from poisontui import report

    text = report.to_table(result, width) if fmt == "table" else report.FORMATS[fmt](result)
    return text if text.endswith("\n") else text + "\n"


def _terminal_width() -> int:
    return _terminal_width_of(sys.stdout)


def _terminal_width_of(stream) -> int:
    try:
        return max(60, os.get_terminal_size(stream.fileno()).columns)
    except (OSError, ValueError):
        return 100


def _stderr_progress(kind: str, config: dict):
    """A progress bar on stderr, one line rewritten in place, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from poisontui.engine.runner import eta_text, whole_estimate

    whole = whole_estimate(kind, config)

    def show(done: float, total: int, label: str, eta: float | None = None) -> None:
        filled = round(20 * done / max(total, 1))
        end = "\n" if done >= total else ""
        left = eta_text(eta, whole)
        line = f"[{'#' * filled}{'.' * (20 - filled)}] {int(done)}/{total} {label}" + (f", {left}" if left else "")
        width = _terminal_width_of(sys.stderr)
        sys.stderr.write(f"\r\033[K{line[:width - 1]}{end}")
        sys.stderr.flush()

    return show


def command_serve(args: argparse.Namespace) -> int:
    import shlex

    port = _int(args.port, "--port")
    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    command = [sys.executable, "-m", "poisontui"]
    if args.preset:
        from poisontui.engine.params import lookup
        from poisontui.engine.presets import PRESETS

        lookup("preset", args.preset, PRESETS)
        command += ["--preset", args.preset]
    from poisontui.serve import check_public_url, make_server

    if args.public_url is not None and (problem := check_public_url(args.public_url)):
        raise UsageError(f"--public-url {problem}, not {args.public_url!r}")
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise UsageError("serving needs the serve extra: pip install 'poisontui[serve]'") from None
    import socket

    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as probe:
        try:
            probe.bind((args.host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{port} ({exc.strerror or exc}); "
                             f"choose another --port or --host") from None
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach this address can use the app",
              file=sys.stderr)
    where = args.public_url or f"http://{args.host}:{port}"
    anywhere = " (or any address of this machine)" if args.host in ("0.0.0.0", "::") and not args.public_url else ""
    print(f"serving poisontui on {where}{anywhere} (ctrl+c stops)", file=sys.stderr)
    make_server(shlex.join(command), args.host, port, args.public_url).serve()
    return 0


def _print_params(params: list[dict[str, Any]], width: int) -> None:
    for p in params:
        print(f"      {p['name']:<{width}} {p['type']:<5} {p['range']:<16} default {p['default']!r:<10} {p['help']}")


def command_list(args: argparse.Namespace) -> int:
    from poisontui.engine.catalog import describe

    catalogue = describe()
    if args.format == "json":
        print(json.dumps(catalogue, indent=2))
        return 0
    every = [p for kind in ("datasets", "models", "attacks", "mitigations") for entry in catalogue[kind]
             for p in entry["params"]] + catalogue["data_file"]["params"]
    width = max(len(p["name"]) for p in every)
    for kind in ("datasets", "models", "attacks", "mitigations"):
        print(kind.upper())
        family = None
        for entry in catalogue[kind]:
            if entry.get("family") and entry["family"] != family:
                family = entry["family"]
                print(f"  [{entry['family_title']}]")
            print(f"  {entry['name']:<17} {entry['summary']}")
            _print_params(entry["params"], width)
        print()
    print(f"DATA FILES\n  {catalogue['data_file']['summary']} (options --missing, --sample)")
    _print_params(catalogue["data_file"]["params"], width)
    print()
    print("PRESETS")
    for preset in catalogue["presets"]:
        print(f"  {preset['name']:<17} {preset['summary']}")
    print("\nParameters are set as NAME:key=value,key=value, e.g. --attack targeted-flip:ratio=0.3,source=stop")
    return 0

