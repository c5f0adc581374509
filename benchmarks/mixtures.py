"""Mode collapse on the 2-D ring and grid: every 2-D preset, several seeds, one budget of steps.

    python benchmarks/mixtures.py [PRESET ...] [--data ring|grid] [--seeds 5] [--steps 20000] [--no-xla]

Default presets: every preset whose data is 2-D (model.data_shape == [2]), or only those on one
mixture with --data; each trains on the mixture its preset names. Every run trains for exactly
--steps generator steps (each with the preset's d_steps discriminator steps; unrolled presets also
pay their look-ahead steps), with XLA unless --no-xla, from seed 0, 1, ... with data drawn from
the same seed, and is then scored with the PacGAN protocol of `ganzoo.metrics.modes.mode_coverage`:
2,500 samples, a sample is high quality within 3 standard deviations of its nearest mode, a mode
is captured when a high-quality sample lands on it, reverse KL of the captured histogram against
uniform.

Prints one row per preset (mean and standard error over seeds of the modes captured; mean
high-quality percentage and reverse KL; the worst seed; seconds per run) beside the published
rows of PacGAN (Lin et al. 2018) Table 1, and writes benchmarks/results/mixtures.json (with
--data: mixtures-ring.json or mixtures-grid.json) with every run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from fixed_budget import train_for_steps  # noqa: E402
from ganzoo.data import mixture_modes  # noqa: E402
from ganzoo.metrics.modes import PACGAN_SAMPLES, mode_coverage  # noqa: E402
from ganzoo.registry import list_models, resolve_preset  # noqa: E402
from results_file import finish, machine  # noqa: E402

TRAINING_POINTS = 100_000  # drawn once per run; batches cycle through them
# PacGAN (Lin et al. 2018), Table 1, after about 400,000 iterations: modes, % high quality, reverse KL
PUBLISHED = {
    "ring": [("GAN (PacGAN table)", 6.3, 98.2, 0.45), ("PacGAN4 (PacGAN table)", 7.8, 95.9, 0.07)],
    "grid": [("GAN (PacGAN table)", 17.3, 94.8, 0.70), ("PacGAN4 (PacGAN table)", 24.8, 93.6, 0.04)],
}


def mixture_presets(data: str | None = None) -> list[str]:
    """Every preset with 2-D data, or only those trained on mixture `data`."""
    presets = {name: resolve_preset(name) for name in list_models()}
    return [name for name, preset in presets.items()
            if preset.model.data_shape == [2] and data in (None, preset.data.source)]


def run(name: str, seed: int, steps: int, xla: bool) -> dict:
    """Train one preset for `steps` generator steps from `seed` and score it."""
    model, seconds, logs = train_for_steps(name, steps, seed, xla, limit=TRAINING_POINTS)
    source = resolve_preset(name).data.source
    means, std = mixture_modes(source)
    scores = mode_coverage(model.generate(PACGAN_SAMPLES, seed=seed), means, std)
    return {"preset": name, "data": source, "seed": seed, "seconds": seconds,
            "final_d_loss": logs["d_loss"], "final_g_loss": logs["g_loss"], **scores}


def summarize(name: str, runs: list[dict]) -> dict:
    modes = [r["modes_captured"] for r in runs]
    stderr = statistics.stdev(modes) / len(modes) ** 0.5 if len(modes) > 1 else 0.0
    kls = [r["reverse_kl"] for r in runs]
    return {
        "preset": name,
        "data": runs[0]["data"],
        "modes_total": runs[0]["modes_total"],
        "seeds": len(runs),
        "modes_mean": statistics.mean(modes),
        "modes_stderr": stderr,
        "modes_min": min(modes),
        "high_quality_percent": 100 * statistics.mean(r["high_quality_fraction"] for r in runs),
        "high_quality_percent_min": 100 * min(r["high_quality_fraction"] for r in runs),
        "reverse_kl": statistics.mean(kls) if all(np.isfinite(kls)) else float("nan"),
        "reverse_kl_max": max(kls) if all(np.isfinite(kls)) else float("nan"),
        "seconds_per_run": statistics.mean(r["seconds"] for r in runs),
    }


def table(rows: list[dict]) -> list[str]:
    lines = [f"{'preset':<22} {'data':<5} {'modes (mean ± se)':>18} {'worst':>6} {'% HQ':>6} {'worst':>6} "
             f"{'rev KL':>7} {'worst':>7} {'s/run':>6}"]
    for data in sorted({row["data"] for row in rows}, reverse=True):  # ring, then grid
        for row in (r for r in rows if r["data"] == data):
            lines.append(
                f"{row['preset']:<22} {data:<5} {row['modes_mean']:>9.1f} ± {row['modes_stderr']:<4.1f}/{row['modes_total']:<2} "
                f"{row['modes_min']:>6} {row['high_quality_percent']:>6.1f} {row['high_quality_percent_min']:>6.1f} "
                f"{row['reverse_kl']:>7.3f} {row['reverse_kl_max']:>7.3f} {row['seconds_per_run']:>6.0f}"
            )
        for label, modes, quality, kl in PUBLISHED[data]:
            lines.append(f"{label:<22} {data:<5} {modes:>9.1f}{'':>14} {quality:>6.1f} {'':>6} {kl:>7.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help="default: every 2-D preset")
    parser.add_argument("--data", choices=sorted(PUBLISHED), help="only the presets on this mixture")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per preset (default 5)")
    parser.add_argument("--steps", type=int, default=20_000, help="generator steps per run (default 20,000)")
    parser.add_argument("--no-xla", action="store_true", help="train without jit_compile")
    args = parser.parse_args()
    names = args.presets or mixture_presets(args.data)
    started = time.perf_counter()
    runs, rows = [], []
    for name in names:
        preset_runs = []
        for seed in range(args.seeds):
            result = run(name, seed, args.steps, xla=not args.no_xla)
            print(f"  {name} seed {seed}: {result['modes_captured']}/{result['modes_total']} modes, "
                  f"{100 * result['high_quality_fraction']:.1f}% high quality, reverse KL {result['reverse_kl']:.3f}, "
                  f"{result['seconds']:.0f} s", flush=True)
            preset_runs.append(result)
        runs += preset_runs
        rows.append(summarize(name, preset_runs))
    print(f"\n{args.steps:,} generator steps per run, {args.seeds} seeds, PacGAN protocol ({PACGAN_SAMPLES} samples, "
          "3 std high-quality threshold)\n")
    print("\n".join(table(rows)))
    record = {
        "settings": {"data": args.data, "steps": args.steps, "seeds": args.seeds, "xla": not args.no_xla,
                     "samples": PACGAN_SAMPLES, "training_points": TRAINING_POINTS},
        "machine": machine(),
        "presets": rows,
        "runs": runs,
        "published": PUBLISHED,
    }
    finish(f"mixtures-{args.data}" if args.data else "mixtures", record, started)


if __name__ == "__main__":
    main()
