"""Where every benchmark writes its JSON: benchmarks/results/<name>.json, replaced atomically."""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import ganzoo
from ganzoo.files import write_text_atomic

RESULTS = Path(__file__).resolve().parent / "results"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def write_result(name: str, record: dict) -> Path:
    """Write `record` as benchmarks/results/<name>.json and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")
    return path


def machine() -> dict:
    """What a result was measured on."""
    return {"machine": platform.machine(), "cores": os.cpu_count(), "ganzoo": ganzoo.__version__}


def finish(name: str, record: dict, started: float) -> Path:
    """Stamp `record` with the seconds since `started` (a perf_counter), write it and say where."""
    record["seconds"] = round(time.perf_counter() - started, 1)
    path = write_result(name, record)
    print(f"\nwrote {path} ({record['seconds']:.0f} s)")
    return path


def chosen_presets(parser, named: list, offered) -> list:
    """The presets a benchmark runs: those `named` on its command line, in its own order, or all it
    `offered`; an unknown name stops it through `parser`."""
    unknown = [name for name in named if name not in offered]
    if unknown:
        parser.error(f"unknown preset(s) {', '.join(unknown)}; choose from {', '.join(offered)}")
    return [name for name in offered if name in named] if named else list(offered)


def result_name(benchmark: str, quick: bool, subset: bool, seed: int = 0) -> str:
    """<benchmark>[_quick][_subset][_seed<N>]: a check run, a subset or another seed than 0 never
    replaces the full table."""
    return benchmark + ("_quick" if quick else "") + ("_subset" if subset else "") + (f"_seed{seed}" if seed else "")


def picture_path(benchmark: str, result_file: str, picture: str) -> Path:
    """docs/<picture>.png for the full table (the README shows it); beside the JSON, as
    <result_file>-<picture>.png, for any other run, so it never replaces the README's picture.
    Creates the folder, so callers can save straight to it."""
    path = DOCS / f"{picture}.png" if result_file == benchmark else RESULTS / f"{result_file}-{picture}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def preset_arguments(doc: str, offered) -> tuple[argparse.Namespace, list]:
    """The command line of a benchmark that trains presets: PRESET ... (a subset of `offered`),
    --seed and --quick; returns the arguments and the chosen presets."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help=f"a subset of {', '.join(offered)} (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="1 epoch each: checks the script")
    args = parser.parse_args()
    return args, chosen_presets(parser, args.presets, offered)


def print_targets(title: str, targets: dict) -> None:
    """One line per target: its value, threshold and verdict (met, MISSED, or not run)."""
    print(f"\n{title}:")
    for name, target in targets.items():
        verdict = {True: "met", False: "MISSED", None: "not run"}[target["met"]]
        value = "-" if target["value"] is None else f"{target['value']:.4g}"
        threshold = "-" if target["threshold"] is None else f"{target['threshold']:.4g}"
        print(f"  {name:<44} {value:>8} (threshold {threshold})  {verdict}")
