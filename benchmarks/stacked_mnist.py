"""Mode collapse on stacked MNIST: dcgan-mnist against its WGAN-GP, hinge/SNGAN and DiffAugment versions.

    python benchmarks/stacked_mnist.py [PRESET ...] [--steps 3000] [--seeds 1] [--samples 26000]

Each preset is retargeted to `stacked-mnist` (three mnist-5k digits as the R, G and B channels,
1,000 equally likely digit triples) and trains for exactly --steps generator steps at its own
batch size, d_steps and learning rates, from seed 0, 1, .... It then draws --samples images and
`ganzoo.metrics.stacked_mnist_modes` classifies each channel with the shipped digits classifier:
modes captured (of 1,000) and KL(mode histogram || uniform), the protocol of VEEGAN and PacGAN.
The same count on as many real stacked-MNIST images shows the floor that sampling noise and the
classifier's errors set.

Prints a table and writes benchmarks/results/stacked_mnist.json with every run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from fixed_budget import train_for_steps  # noqa: E402
from ganzoo.data.stacked import stacked_mnist  # noqa: E402
from ganzoo.metrics import stacked_mnist_modes  # noqa: E402
from results_file import finish, machine  # noqa: E402

PRESETS = ["dcgan-mnist", "wgan-gp-mnist", "sngan-mnist", "diffaugment-mnist"]
STACKED = {"data": {"source": "stacked-mnist"}, "model": {"data_shape": [28, 28, 3]}}


def run(name: str, seed: int, steps: int, samples: int) -> dict:
    """Train `name` on stacked MNIST for `steps` generator steps from `seed` and count its modes."""
    model, seconds, logs = train_for_steps(name, steps, seed, xla=False, overrides=STACKED)
    scores = stacked_mnist_modes(model.generate(samples, seed=seed), verbose=False)
    return {"preset": name, "seed": seed, "seconds": seconds, "final_d_loss": logs["d_loss"],
            "final_g_loss": logs["g_loss"], **scores}


def real_data_reference(samples: int) -> dict:
    """The same protocol on real stacked-MNIST images: the floor that sampling noise and classifier errors set."""
    images, _ = stacked_mnist(limit=samples, seed=1)
    return stacked_mnist_modes(images.astype("float32") / 127.5 - 1.0, verbose=False)


def summarize(name: str, runs: list[dict]) -> dict:
    modes = [r["modes_captured"] for r in runs]
    kls = [r["reverse_kl"] for r in runs]
    return {
        "preset": name,
        "seeds": len(runs),
        "modes_mean": statistics.mean(modes),
        "modes_min": min(modes),
        "reverse_kl": statistics.mean(kls),
        "reverse_kl_max": max(kls),
        "seconds_per_run": statistics.mean(r["seconds"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help=f"default: {' '.join(PRESETS)}")
    parser.add_argument("--steps", type=int, default=3000, help="generator steps per run (default 3,000)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per preset (default 1)")
    parser.add_argument("--samples", type=int, default=26_000, help="samples scored per run (default 26,000)")
    args = parser.parse_args()
    started = time.perf_counter()
    runs, rows = [], []
    for name in args.presets or PRESETS:
        preset_runs = []
        for seed in range(args.seeds):
            result = run(name, seed, args.steps, args.samples)
            print(f"  {name} seed {seed}: {result['modes_captured']}/1000 modes, KL {result['reverse_kl']:.3f}, "
                  f"{result['seconds']:.0f} s", flush=True)
            preset_runs.append(result)
        runs += preset_runs
        rows.append(summarize(name, preset_runs))
    reference = real_data_reference(args.samples)
    print(f"\nstacked-mnist, {args.steps:,} generator steps per run, {args.seeds} seed(s), {args.samples:,} samples\n")
    print(f"{'preset':<20} {'modes (mean)':>12} {'worst':>6} {'KL':>7} {'worst':>7} {'s/run':>6}")
    for row in rows:
        print(f"{row['preset']:<20} {row['modes_mean']:>12.1f} {row['modes_min']:>6} {row['reverse_kl']:>7.3f} "
              f"{row['reverse_kl_max']:>7.3f} {row['seconds_per_run']:>6.0f}")
    print(f"{'real data':<20} {reference['modes_captured']:>12.1f} {'':>6} {reference['reverse_kl']:>7.3f}")
    record = {
        "settings": {"steps": args.steps, "seeds": args.seeds, "samples": args.samples, "data": "stacked-mnist"},
        "machine": machine(),
        "presets": rows,
        "runs": runs,
        "real_data": reference,
    }
    finish("stacked_mnist", record, started)


if __name__ == "__main__":
    main()
