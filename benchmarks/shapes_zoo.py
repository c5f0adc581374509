"""StyleGAN-lite, progressive growing and DCGAN on the colour shapes, at one wall-clock budget.

    python benchmarks/shapes_zoo.py [--budget SECONDS] [--n 5000] [--seed 0] [--quick]

1. Trains `stylegan-lite` exactly as `ganzoo train stylegan-lite` does (`ganzoo.runs.train`, with its
   sample grids and checkpoints) and times it: the issue's target is at most 20 minutes on a
   2-core CPU. Its wall time is the budget of the other presets (or `--budget`).
2. Trains `pggan-shapes` and `dcgan-shapes` the same way, each stopped when the budget is spent.
3. Scores each final model against 5,000 real shapes with the shipped shapes extractor: FID, KID,
   precision/recall, factor coverage (of the 120 shape x colour x background combinations), and
   perceptual path length in Z (all three) and in W (StyleGAN), with extractor features in place
   of LPIPS (see ganzoo.metrics.path_length).
4. Style mixing on 1,000 pairs of stylegan-lite's sources A and B (seeds 0.. and 10,000..), read by
   the shapes extractor: with A's coarse styles (B's middle and fine), does the image keep A's
   shape kind? With only B's fine styles, does it keep A's shape kind and take B's colour?
5. Truncation: precision, recall, FID and factor coverage for psi in 0.5, 0.7, 0.85, 1.0.

Prints tables, writes benchmarks/results/shapes_zoo.json and the pictures in docs/ (`--quick`:
shapes_zoo_quick.json; another `--seed N`: shapes_zoo_seedN.json; their pictures beside them).
One seed.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from budget import train_preset
from ganzoo.images import save_png
from ganzoo.metrics import Evaluator, get_extractor
from ganzoo.metrics.path_length import perceptual_path_length
from results_file import finish, machine, picture_path, result_name, write_result

STYLEGAN, RIVALS = "stylegan-lite", ("pggan-shapes", "dcgan-shapes")
PSIS = (0.5, 0.7, 0.85, 1.0)
MIXES = 1000
METRICS = ("fid", "kid", "pr", "factors")


def mixing_agreement(model, extractor, n: int) -> dict:
    """How often mixed images keep A's shape kind (and take B's colour), by the shapes extractor."""
    seeds_a, seeds_b = range(n), range(10_000, 10_000 + n)
    a = extractor.factors(np.concatenate([model.generate(1, seed=s) for s in seeds_a]))
    b = extractor.factors(np.concatenate([model.generate(1, seed=s) for s in seeds_b]))
    coarse_from_a = extractor.factors(model.mix_styles(seeds_a, seeds_b, ["middle", "fine"]))
    fine_from_b = extractor.factors(model.mix_styles(seeds_a, seeds_b, "fine"))
    return {
        "coarse_from_a_keeps_a_shape": float(np.mean(coarse_from_a["shape"] == a["shape"])),
        "fine_from_b_keeps_a_shape": float(np.mean(fine_from_b["shape"] == a["shape"])),
        "fine_from_b_takes_b_colour": float(np.mean(fine_from_b["colour"] == b["colour"])),
        "fine_from_b_keeps_a_shape_and_takes_b_colour": float(
            np.mean((fine_from_b["shape"] == a["shape"]) & (fine_from_b["colour"] == b["colour"]))
        ),
        "a_and_b_colours_differ": float(np.mean(a["colour"] != b["colour"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, help="seconds for the rivals (default: stylegan-lite's wall time)")
    parser.add_argument("--n", type=int, default=5000, help="samples per side for the metrics")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, help="stylegan-lite's epochs (default: its preset's)")
    parser.add_argument("--quick", action="store_true", help="1 epoch, 30 s budgets, 500 samples: checks the script")
    args = parser.parse_args()
    started = time.perf_counter()
    n, mixes = (500, 100) if args.quick else (args.n, MIXES)
    extractor = get_extractor("shapes", verbose=0)
    evaluator = Evaluator("shapes", metrics=METRICS, n=n, features=extractor, seed=args.seed, verbose=0)
    file_name = result_name("shapes_zoo", args.quick, subset=False, seed=args.seed)
    record = {"n": n, "seed": args.seed, "stylegan_epochs": args.epochs, **machine(), "presets": {}}

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        model, seconds, images = train_preset(STYLEGAN, folder, args.seed, epochs=1 if args.quick else args.epochs,
                                              grid=picture_path("shapes_zoo", file_name, f"{STYLEGAN}-grid"))
        budget = args.budget or seconds
        models = {STYLEGAN: (model, seconds, images)}
        for name in RIVALS:
            models[name] = train_preset(name, folder, args.seed, budget=30 if args.quick else budget, epochs=100,
                                        grid=picture_path("shapes_zoo", file_name, f"{name}-grid"))
        for name, (model, seconds, images) in models.items():
            scores = evaluator(model)
            scores["ppl_z_end"] = perceptual_path_length(model, extractor, n=n, space="z", seed=args.seed)
            if name == STYLEGAN:
                for sampling in ("end", "full"):
                    scores[f"ppl_w_{sampling}"] = perceptual_path_length(model, extractor, n=n, sampling=sampling, seed=args.seed)
            record["presets"][name] = {"train_seconds": round(seconds, 1), "images_shown": images, **scores}
            write_result(file_name, {**record, "complete": False})  # what is measured survives a later crash

        stylegan = models[STYLEGAN][0]
        record["mixing"] = {"pairs": mixes, **mixing_agreement(stylegan, extractor, mixes)}
        record["truncation"] = {
            str(psi): evaluator(stylegan.generate(n, seed=args.seed, truncation=psi)) for psi in PSIS
        }
        for picture, image in (("style-mix", stylegan.style_mixing_grid(range(4), range(100, 106))),
                               ("truncation", stylegan.truncation_sweep(range(6))),
                               ("interpolation", stylegan.interpolate(0, 1, steps=10))):
            save_png(image, picture_path("shapes_zoo", file_name, f"{STYLEGAN}-{picture}"))

    record["budget_seconds"] = round(budget, 1)
    print(f"\nSame wall-clock budget: {budget:.0f} s (stylegan-lite's `ganzoo train` run), seed {args.seed}, "
          f"n={n}, shapes extractor")
    columns = ("train_seconds", "images_shown", "fid", "kid", "precision", "recall", "combinations_captured",
               "factor_kl", "ppl_z_end", "ppl_w_end", "ppl_w_full")
    print(f"{'preset':<15}" + "".join(f"{c:>14}" for c in columns))
    for name, row in record["presets"].items():
        print(f"{name:<15}" + "".join(f"{row[c]:>14.4g}" if c in row else f"{'-':>14}" for c in columns))
    print(f"\nStyle mixing, {mixes} pairs:")
    for key, value in record["mixing"].items():
        print(f"  {key:<48}{value:.3f}")
    print("\nTruncation (stylegan-lite):")
    print(f"{'psi':>6}" + "".join(f"{c:>14}" for c in ("precision", "recall", "fid", "combinations")))
    for psi, row in record["truncation"].items():
        print(f"{psi:>6}" + "".join(f"{row[c]:>14.4g}" for c in ("precision", "recall", "fid", "combinations_captured")))
    finish(file_name, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
