"""Random and Bayesian sweeps of `gan-grid` against the hand-written preset, on the 25-Gaussian grid.

    python benchmarks/sweeps.py [--trials 16] [--seeds 3] [--quick]

1. Sweeps `gan-grid` twice, exactly as `ganzoo tune gan-grid --tuner random|bayesian` does, with
   its `tune:` section: learning rates, betas, d_steps, ema and batch size; objective modes
   captured, then high-quality fraction (PacGAN's protocol on 2,500 samples, summed: modes are whole
   numbers, the fraction lies in [0, 1]); `--trials` trials each (16), one seed per trial, each
   trained for the preset's 20 epochs.
2. Trains the hand-written `gan-grid` and each sweep's best trial, written as a preset
   (`best.yaml`), with `ganzoo train` (`ganzoo.runs.train`) from seeds 0..`--seeds`-1, and scores
   them the same way. The target: the best trial beats the preset on modes (then high-quality
   fraction) averaged over the seeds, and its seed-0 retraining reproduces its sweep score.
3. Measures each sweep's overhead: its wall time less the seconds spent training and scoring
   trials, over its wall time (target under 5%).

Prints the tables, writes benchmarks/results/sweeps.json and docs/sweep_best_so_far.png (best so
far against trials and against wall time, random and Bayesian). `--quick` (3 trials of 1 epoch, 1
seed) checks the script and writes sweeps_quick.json and docs/sweep_best_so_far_quick.png.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ganzoo.registry import resolve_preset
from ganzoo.runs import train
from ganzoo.tuning import BEST_FILE, format_report, tune
from ganzoo.tuning.objectives import make_evaluator
from results_file import DOCS, finish, machine, write_result
from step_plot import best_so_far_png

PRESET = "gan-grid"
OBJECTIVE = ("modes_captured", "high_quality_fraction")
TUNERS = ("random", "bayesian")


def score(metrics: dict) -> float:
    """The sweep's objective: modes captured plus the high-quality fraction."""
    return metrics["modes_captured"] + metrics["high_quality_fraction"]


def sweep(tuner: str, folder: Path, trials: int, overrides: dict) -> dict:
    """One sweep; returns its report with each trial's finishing time since the sweep began."""
    start, finished = time.perf_counter(), {}

    def progress(line: str) -> None:
        print(f"  [{tuner}] {line}", flush=True)
        finished[line.split(":")[0].removeprefix("trial ")] = time.perf_counter() - start

    report = tune(PRESET, folder, overrides, tuner=tuner, max_trials=trials, progress=progress)
    for trial in report["trials"]:
        trial["finished_after_seconds"] = finished.get(trial["trial"])
    print(format_report(report), flush=True)
    return report


def best_so_far(report: dict) -> list[tuple[int, float, float]]:
    """(trials done, minutes, best objective so far) after each completed trial, in finishing order."""
    done = sorted((t for t in report["trials"] if t["status"] == "COMPLETED"), key=lambda t: t["finished_after_seconds"])
    points, best = [], float("-inf")
    for count, trial in enumerate(done, 1):
        best = max(best, score(trial["metrics"]))
        points.append((count, trial["finished_after_seconds"] / 60, best))
    return points


def retrain(preset: str, folder: Path, seeds: int, overrides: dict, evaluator) -> dict:
    """`ganzoo train <preset>` from each seed, scored; per-seed scores and their mean and spread."""
    runs = []
    for seed in range(seeds):
        start = time.perf_counter()
        _, history = train(preset, folder / f"seed{seed}", {**overrides, "train": {**overrides.get("train", {}), "seed": seed}},
                           verbose=0)
        metrics = evaluator(history.model)
        runs.append({"seed": seed, "seconds": time.perf_counter() - start, **{k: metrics[k] for k in OBJECTIVE}})
    summary = {"runs": runs}
    for key in OBJECTIVE:
        values = [run[key] for run in runs]
        summary[key] = statistics.fmean(values)
        summary[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return summary


def beats(candidate: dict, baseline: dict) -> bool:
    """More modes on average, or as many and a higher high-quality fraction."""
    if candidate["modes_captured"] != baseline["modes_captured"]:
        return candidate["modes_captured"] > baseline["modes_captured"]
    return candidate["high_quality_fraction"] > baseline["high_quality_fraction"]


def describe(summary: dict) -> str:
    return (f"modes {summary['modes_captured']:.2f} ± {summary['modes_captured_std']:.2f}, high-quality "
            f"{100 * summary['high_quality_fraction']:.1f}% ± {100 * summary['high_quality_fraction_std']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="3 trials of 1 epoch, 1 seed: checks the script")
    args = parser.parse_args()
    started = time.perf_counter()
    trials, seeds = (3, 1) if args.quick else (args.trials, args.seeds)
    overrides = {"train": {"epochs": 1}} if args.quick else {}
    name = "sweeps_quick" if args.quick else "sweeps"
    preset = resolve_preset(PRESET, overrides)
    evaluator = make_evaluator(preset, list(OBJECTIVE), preset.tune.n)
    record = {"preset": PRESET, "objective": list(OBJECTIVE), "trials": trials, "seeds": seeds, "overrides": overrides,
              "epochs": preset.train.epochs, "samples_scored": preset.tune.n, **machine(), "sweeps": {}}

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        record["preset_runs"] = retrain(PRESET, folder / "preset", seeds, overrides, evaluator)
        print(f"{PRESET} as written, {seeds} seed(s): {describe(record['preset_runs'])}", flush=True)
        write_result(name, {**record, "complete": False})
        for tuner in TUNERS:
            report = sweep(tuner, folder / tuner, trials, overrides)
            best = next(t for t in report["trials"] if t["trial"] == report["best_trial"])
            retrained = retrain(str(folder / tuner / BEST_FILE), folder / f"{tuner}-best", seeds, {}, evaluator)
            record["sweeps"][tuner] = {
                "report": report, "best_so_far": best_so_far(report),
                "best_trial": {"trial": best["trial"], "values": best["values"],
                               **{key: best["metrics"][key] for key in OBJECTIVE}},
                "best_retrained": retrained, "beats_preset": beats(retrained, record["preset_runs"]),
                "reproduced_seed0": {key: retrained["runs"][0][key] for key in OBJECTIVE},
                "overhead_fraction": report["overhead_fraction"],
            }
            print(f"{tuner}: best trial {best['trial']} scored modes {best['metrics']['modes_captured']:.0f}, "
                  f"high-quality {100 * best['metrics']['high_quality_fraction']:.1f}% in the sweep; retrained as a preset, "
                  f"{seeds} seed(s): {describe(retrained)}; overhead {100 * report['overhead_fraction']:.2f}%", flush=True)
            write_result(name, {**record, "complete": False})

    print(f"\n{'':<22}{'modes (mean ± sd)':>20}{'high-quality %':>18}{'beats preset':>14}{'overhead %':>12}")
    rows = [(f"{PRESET} as written", record["preset_runs"], None, None)]
    rows += [(f"{tuner} best, retrained", entry["best_retrained"], entry["beats_preset"], entry["overhead_fraction"])
             for tuner, entry in record["sweeps"].items()]
    for label, summary, won, overhead in rows:
        modes = f"{summary['modes_captured']:.2f} ± {summary['modes_captured_std']:.2f}"
        quality = f"{100 * summary['high_quality_fraction']:.1f} ± {100 * summary['high_quality_fraction_std']:.1f}"
        print(f"{label:<22}{modes:>20}{quality:>18}{'-' if won is None else str(won):>14}"
              f"{'-' if overhead is None else f'{100 * overhead:.2f}':>12}")
    DOCS.mkdir(exist_ok=True)
    plot = DOCS / f"sweep_best_so_far{'_quick' if args.quick else ''}.png"
    best_so_far_png(plot, {t: [(n, best) for n, _, best in e["best_so_far"]] for t, e in record["sweeps"].items()},
                    {t: [(minutes, best) for _, minutes, best in e["best_so_far"]] for t, e in record["sweeps"].items()},
                    "modes + high-quality fraction")
    print(f"wrote {plot}")
    finish(name, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
