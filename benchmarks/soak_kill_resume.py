"""Soak test: train while stopping the process at random moments in three ways, resume after each,
and check that a readable checkpoint exists after every stop and that every epoch gets trained.

    python benchmarks/soak_kill_resume.py [--preset dcgan-digits] [--epochs 60] [--stops 45]

The ways, chosen at random for each stop:
- SIGKILL, half of them timed to land while a checkpoint is being written;
- Ctrl-C (SIGINT): `ganzoo train` must exit 130 with one line naming the last checkpoint;
- a full disk: the run lives on a size-limited tmpfs (mounting one needs root; `--no-disk-full`
  skips this way), and a filler file takes every free byte at a random moment. `ganzoo train`
  must exit 2 with one line saying so, the filler is deleted, and the run resumes.

Prints a table and writes benchmarks/results/soak_kill_resume.json.
"""
from __future__ import annotations

import argparse
import contextlib
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
WAYS = ("kill", "interrupt", "disk_full")


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
        print(f"unreadable checkpoint after a stop: {error}", file=sys.stderr)
        return False


def wait_for_write(backup: Path, process, seconds: float) -> bool:
    """Poll until a temporary checkpoint file appears (a write is under way) or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if backup.is_dir() and any(p.name.startswith(".tmp-") for p in backup.iterdir()):
            return True
        time.sleep(0.002)
    return False


def wait_for_training(run: Path, started: float, process, seconds: float = 120) -> None:
    """Until the process has written its config (it is past start-up and inside `ganzoo train`)."""
    deadline = time.monotonic() + seconds
    config = run / "config.yaml"
    while time.monotonic() < deadline and process.poll() is None:
        if config.exists() and config.stat().st_mtime >= started:
            return
        time.sleep(0.05)


@contextlib.contextmanager
def small_disk(size_mb: int):
    """A fresh tmpfs of `size_mb` MiB, unmounted afterwards."""
    folder = tempfile.mkdtemp(prefix="ganzoo-soak-")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", folder], capture_output=True, text=True)
    if done.returncode != 0:
        os.rmdir(folder)
        raise SystemExit(f"Cannot mount a size-limited tmpfs ({done.stderr.strip()}); run as root or pass --no-disk-full.")
    try:
        yield Path(folder)
    finally:
        subprocess.run(["umount", folder], check=False)
        os.rmdir(folder)


def fill(folder: Path) -> Path:
    """A file taking every free byte of `folder`'s file system."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass
    return filler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="dcgan-digits")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--stops", type=int, default=45)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--disk-mb", type=int, default=1024, help="size of the tmpfs the run lives on")
    parser.add_argument("--no-disk-full", action="store_true", help="no tmpfs, no full-disk stops (no root needed)")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    ways = WAYS[:2] if args.no_disk_full else WAYS
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    counts = {"stops": 0, "kills": 0, "kills_during_checkpoint_write": 0, "interrupts": 0, "disk_full": 0,
              "restarts": 0, "unclear_messages": 0, "unreadable_checkpoints": 0}  # fmt: skip
    start = time.perf_counter()
    disk = contextlib.nullcontext(Path(tempfile.mkdtemp())) if args.no_disk_full else small_disk(args.disk_mb)
    with disk as folder:
        run = folder / args.preset
        command = [sys.executable, "-m", "ganzoo.cli", "train", args.preset, "--out", str(run),
                   "--epochs", str(args.epochs)]  # fmt: skip
        while committed_epoch(run) < args.epochs:
            flags = ["--resume"] if committed_epoch(run) else ["--overwrite"]
            started = time.time()
            # A background shell starts its jobs with SIGINT ignored, and Python then installs no Ctrl-C handler.
            process = subprocess.Popen(command + flags, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
            counts["restarts"] += 1
            way, filler, mid_write = None, None, False
            if counts["stops"] < args.stops:
                way = ways[rng.integers(len(ways))]
                if way == "kill" and rng.random() < 0.5:
                    mid_write = wait_for_write(run / "backup", process, 60)
                else:
                    wait_for_training(run, started, process)
                    time.sleep(rng.uniform(1.0, 10.0))
                if process.poll() is None:
                    counts["stops"] += 1
                    if way == "kill":
                        process.send_signal(signal.SIGKILL)
                        counts["kills"] += 1
                        counts["kills_during_checkpoint_write"] += int(mid_write)
                    elif way == "interrupt":
                        process.send_signal(signal.SIGINT)
                        counts["interrupts"] += 1
                    else:
                        filler = fill(folder)
                        counts["disk_full"] += 1
            try:
                _, stderr = process.communicate(timeout=900)
            except subprocess.TimeoutExpired:
                process.kill()
                raise SystemExit(f"training did not end within 15 minutes of a {way} stop") from None
            stderr = stderr.decode()
            if filler is not None:
                filler.unlink()
            expected = {None: 0, "kill": -signal.SIGKILL, "interrupt": 130, "disk_full": 2}
            if process.returncode == 0 and committed_epoch(run) >= args.epochs:
                pass  # finished before the stop came
            elif process.returncode != expected[way]:
                raise SystemExit(f"training ended with exit {process.returncode} after {way}:\n{stderr[-3000:]}")
            elif way in ("interrupt", "disk_full"):
                lines = [line for line in stderr.splitlines() if line.startswith("ganzoo:")]
                clear = len(lines) == 1 and "Traceback" not in stderr
                clear = clear and ("--resume" in lines[0] or "start again" in lines[0])
                if way == "disk_full":
                    clear = clear and ("No space left" in lines[0] or "File too large" in lines[0])
                if not clear:
                    counts["unclear_messages"] += 1
                    print(f"unclear message after {way}:\n{stderr[-2000:]}", file=sys.stderr)
            counts["unreadable_checkpoints"] += int(not checkpoint_readable(run))
        final_epoch = committed_epoch(run)
    result = {
        "preset": args.preset,
        "epochs": args.epochs,
        "disk_mb": None if args.no_disk_full else args.disk_mb,
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
