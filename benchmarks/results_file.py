"""Where every benchmark writes its JSON: benchmarks/results/<name>.json, replaced atomically."""
from __future__ import annotations

import json
from pathlib import Path

from ganzoo.files import write_text_atomic

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, record: dict) -> Path:
    """Write `record` as benchmarks/results/<name>.json and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")
    return path
