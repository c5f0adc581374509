"""Image-to-image presets trained as `ganzoo train` does and scored on held-out pairs.

    python benchmarks/translation_zoo.py [PRESET ...] [--seed 0] [--quick]

1. Trains `pix2pix-edges`, `unet-l1-edges` (the same U-Net with L1 alone), `cyclegan-digits` and
   `cycada-digits` (the same CycleGAN with CyCADA's semantic term), or the PRESETs named, exactly
   as `ganzoo train <preset>` does (`ganzoo.runs.train`: the preset's epochs, its sample grids and
   checkpoints), and times each.
2. Scores each final model on the held-out test split of its data (never trained on) with
   `ganzoo.metrics.Evaluator`: label preservation (the shipped digits classifier reads the
   source's digit in the translation) and FID of the translations against the real target digits
   (digits classifier features); for paired data (1,000 pairs) also L1, PSNR and SSIM to the
   targets; for CycleGAN (359 held-out 8x8 digits, 1,000 MNIST digits, of which FID takes a seeded
   choice of 359) the round-trip L1 of A -> B -> A and B -> A -> B. The FID floor
   beside them: the FID of as many real training targets as there are held-out ones, drawn
   `FLOOR_DRAWS` times, against the same held-out targets. A translation at the floor is as close
   to the held-out digits as other real digits are, so FIDs that differ by less than the floor's
   spread say nothing about which model is better.
3. Checks issue 17's targets that these presets answer: Pix2Pix label preservation >= 97%, its FID
   below the L1-only U-Net's, CycleGAN's label preservation from 8x8 digits to MNIST >= 90% (for
   both CycleGAN presets), and each `ganzoo train` within 20 minutes.

Prints a table and the targets, writes benchmarks/results/translation_zoo.json (after each preset,
with "complete": false until the end) and docs/<preset>-grid.png (the first held-out example of each
digit: source | output | target rows; for CycleGAN a | A->B | back | b | B->A | back).
One seed. `--quick` (1 epoch) checks the script and writes translation_zoo_quick.json; a subset of
presets writes translation_zoo_subset.json and a seed other than 0 adds _seed<N>; such runs put
their grids beside their JSON, never in docs/.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from budget import train_preset
from ganzoo.data import load_arrays
from ganzoo.images import save_png
from ganzoo.metrics import Evaluator, l1_distance
from ganzoo.registry import resolve_preset
from results_file import finish, machine, picture_path, preset_arguments, print_targets, result_name, write_result

PRESETS = ("pix2pix-edges", "unet-l1-edges", "cyclegan-digits", "cycada-digits")
UNPAIRED_PRESETS = ("cyclegan-digits", "cycada-digits")  # CycleGAN, without and with the semantic term
METRICS = ("label_preservation", "fid", "l1", "psnr", "ssim")
UNPAIRED_METRICS = ("label_preservation", "fid")  # unpaired data has no target per source
COLUMNS = ("train_seconds", *METRICS, "fid_real_floor", "round_trip_l1_a", "round_trip_l1_b")
FLOOR_DRAWS = 5
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
    for name in UNPAIRED_PRESETS:
        preserved = presets.get(name, {}).get("label_preservation")
        targets[f"{name} label_preservation"] = {
            "value": preserved, "threshold": 0.90, "met": None if preserved is None else preserved >= 0.90}
    for name, row in presets.items():
        targets[f"{name} trains within {TRAIN_MINUTES} min"] = {
            "value": row["train_seconds"] / 60, "threshold": TRAIN_MINUTES, "met": row["train_seconds"] <= 60 * TRAIN_MINUTES}
    return targets


def one_per_digit(held_out, unpaired: bool) -> tuple:
    """The first held-out example of each digit: (sources, targets) pairs, or for unpaired data
    (a, b) images of the same digits."""
    if unpaired:
        a, b, a_labels, b_labels = held_out
        return tuple(images[[int(np.flatnonzero(labels == digit)[0]) for digit in range(10)]]
                     for images, labels in ((a, a_labels), (b, b_labels)))
    sources, targets, labels = held_out
    first = [int(np.flatnonzero(labels == digit)[0]) for digit in np.unique(labels)]
    return sources[first], targets[first]


def round_trips(model, a, b) -> dict:
    """How far A -> B -> A and B -> A -> B land from where they started (mean absolute error)."""
    return {"round_trip_l1_a": l1_distance(model.translate_back(model.translate(a)), a),
            "round_trip_l1_b": l1_distance(model.translate(model.translate_back(b)), b)}


def real_fid_floor(held_out, source: str, n: int, seed: int) -> dict:
    """FIDs of `FLOOR_DRAWS` draws of `n` real training targets against the held-out targets
    (digits features): their mean, least and greatest, and each."""
    targets = load_arrays(source, split="train")[1]
    evaluator = Evaluator(held_out, metrics=("fid",), n=n, features="digits", seed=seed, verbose=0)
    rng = np.random.default_rng(seed)
    fids = [evaluator(targets[rng.choice(len(targets), n, replace=False)])["fid"] for _ in range(FLOOR_DRAWS)]
    return {"fid_real_floor": float(np.mean(fids)), "fid_real_floor_min": min(fids), "fid_real_floor_max": max(fids),
            "fid_real_floor_draws": fids}


def main() -> None:
    args, presets = preset_arguments(__doc__, PRESETS)
    started = time.perf_counter()
    result_file = result_name("translation_zoo", args.quick, bool(args.presets), args.seed)
    record = {"seed": args.seed, **machine(), "presets": {}}
    floors = {}  # per data source: presets on the same data share one floor

    with tempfile.TemporaryDirectory() as folder:
        for name in presets:
            preset = resolve_preset(name)
            held_out = load_arrays(preset.data.source, labels=True, split="test")  # with the source labels
            unpaired = preset.data.pairing == "unpaired"  # (a, b, a_labels, b_labels)
            evaluator = Evaluator(held_out, metrics=UNPAIRED_METRICS if unpaired else METRICS, n=len(held_out[0]),
                                  features="digits", seed=args.seed, verbose=0)
            model, seconds, images = train_preset(name, Path(folder), args.seed, epochs=1 if args.quick else None)
            grid = picture_path("translation_zoo", result_file, f"{name}-grid")
            save_png(model.preview(10, examples=one_per_digit(held_out, unpaired)), grid)
            if preset.data.source not in floors:
                floors[preset.data.source] = real_fid_floor(held_out, preset.data.source, len(held_out[0]), args.seed)
            scores = {**evaluator(model), **floors[preset.data.source]}
            if unpaired:
                scores.update(round_trips(model, held_out[0], held_out[1]))
            record["presets"][name] = {"data": preset.data.source, "epochs": 1 if args.quick else preset.train.epochs,
                                       "train_seconds": round(seconds, 1), "images_shown": images,
                                       "scored_pairs": len(held_out[0]), **scores}
            record["targets"] = check_targets(record["presets"])
            write_result(result_file, {**record, "complete": False})
            print(f"{name}: {seconds:.0f} s; " + ", ".join(f"{key} {value:.4g}" for key, value in scores.items()
                                                          if np.isscalar(value)), flush=True)

    columns = COLUMNS
    print(f"\nHeld-out test pairs ({', '.join(sorted({row['data'] for row in record['presets'].values()}))}, "
          f"digits classifier for label preservation and FID), seed {args.seed}")
    print(f"{'preset':<16}" + "".join(f"{column:>20}" for column in columns))
    for name, row in record["presets"].items():
        print(f"{name:<16}" + "".join(f"{row[column]:>20.4g}" if column in row else f"{'-':>20}" for column in columns))
    print_targets("Issue 17's targets", record["targets"])
    finish(result_file, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
