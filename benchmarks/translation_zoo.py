"""Image-to-image presets trained as `ganzoo train` does and scored on held-out pairs.

    python benchmarks/translation_zoo.py [PRESET ...] [--seed 0] [--quick]

1. Trains `pix2pix-edges` and `unet-l1-edges` (the same U-Net with L1 alone), or the PRESETs
   named, exactly as `ganzoo train <preset>` does (`ganzoo.runs.train`: the preset's epochs, its
   sample grids and checkpoints), and times each.
2. Scores each final model on the held-out test split of its data (1,000 pairs the model never
   trained on) with `ganzoo.metrics.Evaluator`: label preservation (the shipped digits classifier
   reads the source's digit in the translation), FID of the translations against the real target
   digits (digits classifier features), L1, PSNR and SSIM to the targets.
3. Checks issue 17's targets that these presets answer: Pix2Pix label preservation >= 97%, its FID
   below the L1-only U-Net's, and each `ganzoo train` within 20 minutes.

Prints a table and the targets, writes benchmarks/results/translation_zoo.json (after each preset,
with "complete": false until the end) and docs/<preset>-grid.png (source | output | target rows:
the first held-out pair of each digit).
One seed. `--quick` (1 epoch) checks the script and writes translation_zoo_quick.json; a subset of
presets writes translation_zoo_subset.json.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from budget import DOCS, train_preset
from ganzoo.data import load_arrays
from ganzoo.images import save_png
from ganzoo.metrics import Evaluator
from ganzoo.registry import resolve_preset
from results_file import finish, machine, write_result

PRESETS = ("pix2pix-edges", "unet-l1-edges")
METRICS = ("label_preservation", "fid", "l1", "psnr", "ssim")
TRAIN_MINUTES = 20


def check_targets(presets: dict) -> dict:
    """Issue 17's targets for what was measured: {target: {"value", "threshold", "met"}}."""
    pix2pix, baseline = presets.get("pix2pix-edges", {}), presets.get("unet-l1-edges", {})
    preserved = pix2pix.get("label_preservation")
    targets = {"pix2pix-edges label_preservation": {
        "value": preserved, "threshold": 0.97, "met": None if preserved is None else preserved >= 0.97}}
    both = "fid" in pix2pix and "fid" in baseline
    targets["pix2pix-edges FID below unet-l1-edges"] = {
        "value": pix2pix.get("fid"), "threshold": baseline.get("fid"), "met": pix2pix["fid"] < baseline["fid"] if both else None}
    for name, row in presets.items():
        targets[f"{name} trains within {TRAIN_MINUTES} min"] = {
            "value": row["train_seconds"] / 60, "threshold": TRAIN_MINUTES, "met": row["train_seconds"] <= 60 * TRAIN_MINUTES}
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help=f"a subset of {', '.join(PRESETS)} (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="1 epoch each: checks the script")
    args = parser.parse_args()
    unknown = [name for name in args.presets if name not in PRESETS]
    if unknown:
        parser.error(f"unknown preset(s) {', '.join(unknown)}; choose from {', '.join(PRESETS)}")
    presets = [name for name in PRESETS if name in args.presets] if args.presets else list(PRESETS)
    started = time.perf_counter()
    result_name = "translation_zoo" + ("_quick" if args.quick else "") + ("_subset" if args.presets else "")
    record = {"seed": args.seed, **machine(), "presets": {}}

    with tempfile.TemporaryDirectory() as folder:
        for name in presets:
            preset = resolve_preset(name)
            held_out = load_arrays(preset.data.source, labels=True, split="test")  # (sources, targets, labels)
            evaluator = Evaluator(held_out, metrics=METRICS, n=len(held_out[0]), features="digits", seed=args.seed,
                                  verbose=0)
            model, seconds, images = train_preset(name, Path(folder), args.seed, epochs=1 if args.quick else None)
            if not args.quick:  # the first held-out pair of each digit
                first = [int(np.flatnonzero(held_out[2] == digit)[0]) for digit in np.unique(held_out[2])]
                save_png(model.preview(len(first), examples=(held_out[0][first], held_out[1][first])),
                         DOCS / f"{name}-grid.png")
            scores = evaluator(model)
            record["presets"][name] = {"data": preset.data.source, "epochs": 1 if args.quick else preset.train.epochs,
                                       "train_seconds": round(seconds, 1), "images_shown": images,
                                       "scored_pairs": len(held_out[0]), **scores}
            record["targets"] = check_targets(record["presets"])
            write_result(result_name, {**record, "complete": False})
            print(f"{name}: {seconds:.0f} s; " + ", ".join(f"{key} {value:.4g}" for key, value in scores.items()), flush=True)

    columns = ("train_seconds", *METRICS)
    print(f"\nHeld-out test pairs ({', '.join(sorted({row['data'] for row in record['presets'].values()}))}, "
          f"digits classifier for label preservation and FID), seed {args.seed}")
    print(f"{'preset':<16}" + "".join(f"{column:>20}" for column in columns))
    for name, row in record["presets"].items():
        print(f"{name:<16}" + "".join(f"{row[column]:>20.4g}" for column in columns))
    print("\nIssue 17's targets:")
    for name, target in record["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "not run"}[target["met"]]
        value = "-" if target["value"] is None else f"{target['value']:.4g}"
        threshold = "-" if target["threshold"] is None else f"{target['threshold']:.4g}"
        print(f"  {name:<44} {value:>8} (threshold {threshold})  {verdict}")
    finish(result_name, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
