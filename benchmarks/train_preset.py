"""Wall-clock cost of a preset's default training run, as `ganzoo train` does it.

    python benchmarks/train_preset.py dcgan-mnist [--epochs N]

Prints a table and writes benchmarks/results/train_<preset>.json. It trains into a
temporary run folder, so samples, TensorBoard logs and checkpoints are included in the time.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import keras

import ganzoo
from ganzoo.registry import resolve_preset
from ganzoo.runs import train
from results_file import write_result



class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.durations.append(time.perf_counter() - self.start)

    def on_train_begin(self, logs=None):
        self.durations = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", nargs="?", default="dcgan-mnist")
    parser.add_argument("--epochs", type=int, help="override train.epochs")
    args = parser.parse_args()

    overrides = {"train": {"epochs": args.epochs}} if args.epochs else {}
    timer = EpochTimer()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        run, history = train(args.preset, Path(folder) / args.preset, overrides, verbose=0, extra_callbacks=[timer])
        preset = resolve_preset(args.preset, overrides)
    total = time.perf_counter() - start
    steps_per_epoch = history.params["steps"]
    median_epoch = statistics.median(timer.durations)
    result = {
        "preset": args.preset,
        "epochs": preset.train.epochs,
        "batch_size": preset.train.batch_size,
        "steps_per_epoch": steps_per_epoch,
        "total_seconds": round(total, 2),
        "median_epoch_seconds": round(median_epoch, 3),
        "first_epoch_seconds": round(timer.durations[0], 3),
        "images_per_second": round(steps_per_epoch * preset.train.batch_size / median_epoch, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "final_d_loss": round(history.history["d_loss"][-1], 4),
        "final_g_loss": round(history.history["g_loss"][-1], 4),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "ganzoo": ganzoo.__version__,
        "tensorflow": __import__("tensorflow").__version__,
        "keras": keras.__version__,
    }
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    path = write_result(f"train_{args.preset}", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
