"""How a preset's scores move during training: the curve behind a final figure.

    python benchmarks/training_curve.py stylegan-lite [--epochs 6] [--every 1] [--n 2000]
        [--set model.mixing_probability=0] [--tag NAME] [--seed 0] [--grid last.png]

Trains exactly as `ganzoo train` does (sample grids and checkpoints included), with any `--set`
overrides, and every `--every` epochs scores the sampling generator against the preset's real data
with its data's shipped extractor (the shapes or digits classifier): FID, precision/recall, on
the shapes, factor coverage plus how often the extractor reads each shape, colour and background
(for a StyleGAN also the style-mixing agreement of `shapes_zoo.py`, `coarse_from_a` and
`fine_from_b` its two target figures), and for an InfoGAN its code accuracy.
Scoring time is left out of the training seconds. Prints a table and writes
benchmarks/results/curve_<preset>[_<tag>].json after every score, so a stopped run keeps its points.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

import ganzoo
from budget import train_preset
from ganzoo.config import parse_assignments
from ganzoo.data.shapes import SHAPE_FACTORS
from ganzoo.metrics import Evaluator, get_extractor
from results_file import finish, machine, write_result
from shapes_zoo import MIXES, mixing_agreement

EXTRACTORS = {"shapes": "shapes", "shapes-64": "shapes", "mnist-5k": "digits"}


class Scores(keras.callbacks.Callback):
    """Scores the model every `every` epochs and rewrites the result file with each new point."""

    def __init__(self, every: int, evaluator: Evaluator, extractor, n: int, seed: int, write):
        super().__init__()
        self.every, self.evaluator, self.extractor, self.n, self.seed, self.write = every, evaluator, extractor, n, seed, write
        self.points = []

    def on_train_begin(self, logs=None):
        self.start, self.scoring = time.perf_counter(), 0.0

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        began = time.perf_counter()
        samples = self.model.evaluation_samples(self.n, seed=self.seed)
        point = {"epoch": epoch + 1, **{k: v for k, v in self.evaluator(samples).items() if np.isscalar(v)}}
        if self.extractor.name == "shapes":
            read = self.extractor.factors(samples)
            point["factor_counts"] = {
                factor: dict(zip(values, np.bincount(read[factor], minlength=len(values)).tolist()))
                for factor, values in SHAPE_FACTORS.items()
            }
        if hasattr(self.model, "mix_styles") and self.extractor.name == "shapes":
            point["mixing"] = mixing_agreement(self.model, self.extractor, MIXES)
            point["coarse_from_a"] = point["mixing"]["coarse_from_a_keeps_a_shape"]
            point["fine_from_b"] = point["mixing"]["fine_from_b_keeps_a_shape_and_takes_b_colour"]
        if hasattr(self.model, "coded_samples"):
            point["code_accuracy"] = self.evaluator.code_accuracy(self.model)
        self.scoring += time.perf_counter() - began
        point["train_seconds"] = round(time.perf_counter() - self.start - self.scoring, 1)
        self.points.append(point)
        self.write(self.points)
        print(" ".join(f"{key}={value:.4g}" for key, value in point.items() if np.isscalar(value)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset")
    parser.add_argument("--epochs", type=int, help="default: the preset's")
    parser.add_argument("--every", type=int, default=1, help="score every this many epochs")
    parser.add_argument("--n", type=int, default=2000, help="samples per side for the metrics")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a preset value")
    parser.add_argument("--tag", help="names the result file (default: the overrides, if any)")
    parser.add_argument("--grid", type=Path, help="copy the run's last sample grid to this PNG file")
    args = parser.parse_args()
    started = time.perf_counter()
    overrides = parse_assignments(args.set)
    source = ganzoo.resolve_preset(args.preset, overrides).data.source
    if source not in EXTRACTORS:
        parser.error(f"{args.preset} trains on {source}; training_curve scores {', '.join(EXTRACTORS)}")
    extractor = get_extractor(EXTRACTORS[source], verbose=0)
    metrics = ("fid", "pr", "factors") if EXTRACTORS[source] == "shapes" else ("fid", "pr")
    evaluator = Evaluator(source, metrics=metrics, n=args.n, features=extractor, seed=args.seed, verbose=0)
    tag = args.tag or "_".join(a.replace(".", "-").replace("=", "-") for a in args.set)
    name = f"curve_{args.preset}" + (f"_{tag}" if tag else "") + (f"_seed{args.seed}" if args.seed else "")
    record = {"preset": args.preset, "overrides": args.set, "n": args.n, "seed": args.seed, **machine()}

    def write(points):
        write_result(name, {**record, "points": points, "complete": False})

    scores = Scores(args.every, evaluator, extractor, args.n, args.seed, write)
    with tempfile.TemporaryDirectory() as folder:
        train_preset(args.preset, Path(folder), args.seed, epochs=args.epochs, overrides=overrides, callbacks=[scores],
                     grid=args.grid)
    finish(name, {**record, "points": scores.points, "complete": True}, started)


if __name__ == "__main__":
    main()
