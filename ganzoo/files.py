"""Atomic file writes: a kill mid-write never leaves a half-written file under the final name."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(final_path):
    """Yield a temporary path beside `final_path`; on success, rename it over `final_path`."""
    final_path = Path(final_path)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    # Keep the suffix so writers that choose a format by extension (.keras, .h5, .png) still work.
    temporary = final_path.with_name(f".tmp-{os.getpid()}-{final_path.name}")
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, final_path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text_atomic(path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
