"""Command line: `python -m pipeline <command>`; exit 0 ok, 1 failure, 2 usage."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config import DEFAULT_MAX_RECORD_MB, MB, Config
from pipeline.errors import PipelineError
from pipeline.escape import visible_controls
from pipeline.locks import run_locks
from pipeline.normalise.filters import parse_categories
from pipeline.records import StageResult

log = logging.getLogger("pipeline")

EXAMPLES: dict[str, str] = {
    "run": "python -m pipeline run --raw-dir data/raw --out-dir /tmp/release",
    "ingest": "python -m pipeline ingest --raw-dir data/raw --work-dir /tmp/work",
    "normalise": "python -m pipeline normalise --raw-dir data/raw --work-dir /tmp/work",
    "extract": "python -m pipeline extract --raw-dir data/raw --work-dir /tmp/work",
    "validate": "python -m pipeline validate --raw-dir data/raw --work-dir /tmp/work",
    "publish": "python -m pipeline publish --raw-dir data/raw --work-dir /tmp/work "
    "--out-dir /tmp/release",
    "eval": "python -m pipeline eval --raw-dir data/raw --gold tests/fixtures/gold/seeds.jsonl",
    "explain": 'python -m pipeline explain "Training Consistency Models" '
    "--release data/processed/latest",
    "diff": "python -m pipeline diff data/processed/0.1.0-62d3f75dec data/processed/latest",
}


def default_work_dir(raw_dir: Path) -> Path:
    """A per-input-folder cache under ~/.cache, so runs never write into the release."""
    base = Path(os.environ.get("PAPERCLAIMS_WORK", Path.home() / ".cache" / "paperclaims"))
    key = hashlib.sha1(str(raw_dir.resolve()).encode()).hexdigest()[:12]
    return base / f"work-{key}"


def _add_common(p: argparse.ArgumentParser, out: bool) -> None:
    p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="raw input folder")
    p.add_argument("--work-dir", type=Path, help="intermediates (default: ~/.cache/paperclaims)")
    if out:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--out-dir", type=Path, help="publish the release tables into this folder")
        g.add_argument(
            "--processed-dir",
            type=Path,
            help="publish a versioned release DIR/<version>/ and point DIR/latest at it",
        )
        p.add_argument("--strict", action="store_true", help="fail if anything was quarantined")
        p.add_argument(
            "--max-quarantine-rate",
            type=float,
            metavar="R",
            help="fail when more than this fraction of records was quarantined",
        )
    p.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://HOST:PORT)")
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument(
        "--wait-lock",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run on the same work or output folder to finish "
        "(default: refuse at once, naming its pid)",
    )
    p.add_argument(
        "--max-record-mb",
        type=float,
        default=DEFAULT_MAX_RECORD_MB,
        metavar="MB",
        help="a line or record longer than this is quarantined (PC108) without being read "
        "whole (default: %(default)s)",
    )
    p.add_argument(
        "--categories",
        type=parse_categories,
        default=(),
        metavar="LIST",
        help="keep only records of these arXiv categories, comma-separated, prefixes allowed "
        "(cs.LG,cs.CV,stat.ML or cs); the others are counted as filtered in the manifest; "
        "records whose source gives no categories are kept",
    )
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="also read symlinks whose target lies outside the raw folder (default: skip them)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("-v", "--verbose", action="count", default=0)
    p.add_argument("-q", "--quiet", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="paperclaims: ML paper listings -> a validated benchmark-results dataset.",
        epilog=f"example:\n  {EXAMPLES['run']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    helps = {
        "run": "run every stage and publish a release",
        "ingest": "read raw inputs into the `records` intermediate",
        "normalise": "repair text, assign paper ids, merge duplicates",
        "extract": "extract datasets, resolutions, results and code links",
        "validate": "check tables against schemas/ and quarantine failures",
        "publish": "publish the validated tables as a release",
    }
    for name, text in helps.items():
        p = sub.add_parser(
            name,
            help=text,
            description=text,
            epilog=f"example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_common(p, out=name in ("run", "publish"))
    p = sub.add_parser(
        "eval",
        help="score extraction against gold annotations",
        description="Run the pipeline on --raw-dir and score it against --gold (P/R/F1).",
        epilog=f"example:\n  {EXAMPLES['eval']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(p, out=False)
    p.add_argument("--gold", type=Path, default=Path("tests/fixtures/gold/seeds.jsonl"))
    p.add_argument("--write", type=Path, help="also write the figures as JSON to this file")
    p.add_argument(
        "--complete-gold",
        action="store_true",
        help="the gold annotates every paper of its files (listing pages): a published paper "
        "it does not have is a false positive",
    )
    p = sub.add_parser(
        "explain",
        help="show a paper, its code links and each claim traced to its abstract",
        description="Show a paper of a release (title, authors, id, source), its code links\n"
        "and each claim with its evidence highlighted inside the abstract.\n\n"
        "PAPER is a paper_id, an arXiv id or a piece of the title (case-insensitive):\n"
        "the whole title wins, then the name before its colon (\"SiT\"), then a whole\n"
        "word or phrase, then any part; a query several titles match equally well lists\n"
        "them and exits 1.",
        epilog=f"example:\n  {EXAMPLES['explain']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paper", metavar="PAPER", help="paper_id, arXiv id or title substring")
    p.add_argument(
        "--release",
        type=Path,
        default=Path("data/processed/latest"),
        help="release folder, or a processed folder holding `latest` (default: %(default)s)",
    )
    p.add_argument(
        "--color",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ANSI colours (default: on a terminal, unless NO_COLOR is set); "
        "without: evidence in [[...]]",
    )
    p.add_argument("--no-progress", action="store_true", help="accepted for uniformity")
    p.add_argument("-v", "--verbose", action="count", default=0)
    p.add_argument("-q", "--quiet", action="store_true")
    p = sub.add_parser(
        "diff",
        help="papers and claims added, removed and changed between two releases",
        description="Compare two releases: papers and claims added, removed and changed.\n\n"
        "Papers are matched by paper_id; claims by (paper_id, metric, dataset, resolution,\n"
        "role, steps, setting, model) and compared on value, unit and evidence. The text\n"
        "is Markdown, the same as the CHANGELOG.md that publish writes into a release.",
        epilog=f"example:\n  {EXAMPLES['diff']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", metavar="OLD", type=Path, help="the earlier release folder")
    p.add_argument("new", metavar="NEW", type=Path, help="the later release folder")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--exit-code", action="store_true", help="exit 1 when anything changed (as git diff)"
    )
    p.add_argument("--no-progress", action="store_true", help="accepted for uniformity")
    p.add_argument("-v", "--verbose", action="count", default=0)
    p.add_argument("-q", "--quiet", action="store_true")
    return parser


class TerminalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return visible_controls(super().format(record))


def configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.INFO
    if verbose or os.environ.get("PAPERCLAIMS_LOG"):
        level = logging.DEBUG if verbose > 1 else logging.INFO
        level = getattr(logging, os.environ.get("PAPERCLAIMS_LOG", ""), level)
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    noisy = ("great_expectations", "distributed", "matplotlib", "fsspec", "datasets")
    for handler in logging.getLogger().handlers:
        # File names and record text reach the terminal in warnings: show, never obey, the
        # control characters (ANSI escapes, carriage returns) they may hold.
        handler.setFormatter(TerminalFormatter("%(message)s"))
        # Libraries that set their own logger levels still only reach the user on errors.
        handler.addFilter(lambda r: r.levelno >= logging.ERROR or not r.name.startswith(noisy))


def config_from(args: argparse.Namespace) -> Config:
    raw = args.raw_dir
    return Config(
        raw_dir=raw,
        work_dir=args.work_dir or default_work_dir(raw),
        out_dir=getattr(args, "out_dir", None),
        processed_dir=getattr(args, "processed_dir", None),
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        strict=getattr(args, "strict", False),
        max_quarantine_rate=getattr(args, "max_quarantine_rate", None),
        progress=not args.no_progress,
        batch_size=args.batch_size,
        max_record_bytes=int(args.max_record_mb * MB),
        follow_symlinks=args.follow_symlinks,
        categories=args.categories,
    )


def _report(res: StageResult) -> None:
    print(res.summary(), file=sys.stderr)


def cmd_stage(args: argparse.Namespace) -> int:
    from pipeline.runner import run_all, stage_fn

    cfg = config_from(args)
    if args.command in ("run", "publish") and not (cfg.out_dir or cfg.processed_dir):
        print(f"{args.command}: give --out-dir DIR or --processed-dir DIR", file=sys.stderr)
        return 2
    report: Callable[[StageResult], None] = (lambda r: None) if args.quiet else _report
    t0 = time.perf_counter()
    with run_locks(cfg, args.wait_lock):
        if args.command == "run":
            results = run_all(cfg, report)
        else:
            results = [stage_fn(args.command)(cfg)]
            report(results[0])
    published = next((r for r in results if r.stage == "publish"), None)
    if published is not None and not args.quiet:
        print(final_line(published, time.perf_counter() - t0), file=sys.stderr)
    return 0


def final_line(res: StageResult, seconds: float) -> str:
    """`done in 9.5 s: 63 papers, 30 results -> DIR (open DIR/report.html)`."""
    folder = Path(res.outputs[0]) if res.outputs else None
    counts = res.counts
    where = f" -> {folder} (open {folder / 'report.html'})" if folder is not None else ""
    return (f"done in {seconds:.1f} s: {counts.get('papers', 0)} papers, "
            f"{counts.get('results', 0)} results, {counts.get('quarantine', 0)} quarantined"
            f"{where}")


def cmd_eval(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from pipeline.runner import run_all
    from pipeline.tools.evaluate import evaluate_release

    with tempfile.TemporaryDirectory(prefix="paperclaims-eval-") as tmp:
        out = Path(tmp) / "release"
        cfg = config_from(args)
        cfg = Config(**{**{f: getattr(cfg, f) for f in cfg.__slots__}, "out_dir": out})
        with run_locks(cfg, args.wait_lock):
            run_all(cfg)
        report = evaluate_release(out, args.gold, complete=args.complete_gold)
    print(report.format_text())
    if args.write:
        from pipeline import __version__

        data = report.to_dict()
        data.update({"command": "make eval", "pipeline_version": __version__})
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from pipeline.tools.explain import explain

    color = args.color
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(explain(args.release, args.paper, color=color))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from pipeline.tools.diff import diff_release_dirs, render_diff

    diff = diff_release_dirs(args.old, args.new)
    if args.json:
        sys.stdout.write(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_diff(diff))
    return 1 if args.exit_code and not diff.is_empty() else 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    try:
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "explain":
            return cmd_explain(args)
        if args.command == "diff":
            return cmd_diff(args)
        return cmd_stage(args)
    except (PipelineError, OSError) as e:
        print(f"error: {visible_controls(str(e))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
