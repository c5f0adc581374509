"""Soak test: train with SIGKILLs at random moments (some timed to land mid-checkpoint-write),
resume after each, and check that a readable checkpoint exists after every kill.

    python benchmarks/soak_kill_resume.py [--preset dcgan-digits] [--epochs 60] [--kills 30]

Prints a table and writes benchmarks/results/soak_kill_resume.json.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ganzoo.callbacks import BackupAndRestore
from ganzoo.runs import load_run_model
from results_file import write_result

ROOT = Path(__file__).resolve().parents[1]


def committed_epoch(run: Path) -> int:
    state = BackupAndRestore.read_metadata(run / "backup")
    return 0 if state is None else state["epoch"]


def checkpoint_readable(run: Path) -> bool:
    """The committed weights load into the saved model architecture."""
    state = BackupAndRestore.read_metadata(run / "backup")
    if state is None:
        return True
    try:
        model = load_run_model(run)
        model.load_weights(str(run / "backup" / state["weights"]))
        return True
    except Exception as error:  # any failure here is what the soak test exists to catch
        print(f"unreadable checkpoint after a kill: {error}", file=sys.stderr)
        return False


def wait_for_write(backup: Path, process, seconds: float) -> bool:
    """Poll until a temporary checkpoint file appears (a write is under way) or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if backup.is_dir() and any(p.name.startswith(".tmp-") for p in backup.iterdir()):
            return True
        time.sleep(0.002)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="dcgan-digits")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    counts = {"kills": 0, "kills_during_checkpoint_write": 0, "restarts": 0, "unreadable_checkpoints": 0}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / args.preset
        command = [sys.executable, "-m", "ganzoo.cli", "train", args.preset, "--out", str(run),
                   "--epochs", str(args.epochs)]  # fmt: skip
        while committed_epoch(run) < args.epochs:
            flags = ["--resume"] if committed_epoch(run) else ["--overwrite"]
            process = subprocess.Popen(command + flags, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            counts["restarts"] += 1
            if counts["kills"] < args.kills:
                mid_write = rng.random() < 0.5 and wait_for_write(run / "backup", process, 60)
                if not mid_write:
                    time.sleep(rng.uniform(2.0, 12.0))
                if process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    counts["kills"] += 1
                    counts["kills_during_checkpoint_write"] += int(mid_write)
            _, stderr = process.communicate()
            if process.returncode not in (0, -signal.SIGKILL):
                raise SystemExit(f"training failed (exit {process.returncode}):\n{stderr.decode()[-2000:]}")
            counts["unreadable_checkpoints"] += int(not checkpoint_readable(run))
        final_epoch = committed_epoch(run)
    result = {
        "preset": args.preset,
        "epochs": args.epochs,
        **counts,
        "final_epoch": final_epoch,
        "seconds": round(time.perf_counter() - start, 1),
    }
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    path = write_result("soak_kill_resume", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
