"""4x super-resolution presets trained as `ganzoo train` does, scored on held-out images beside
bicubic interpolation and the SRGAN paper's Set5 figures.

    python benchmarks/super_resolution.py [PRESET ...] [--seed 0] [--quick]

1. Trains `srresnet-mnist`, `srgan-mnist`, `srresnet-photos` and `srgan-photos` (or the PRESETs
   named) exactly as `ganzoo train <preset>` does, and times each.
2. Scores each on the held-out test split of its data: 1,000 MNIST digits (7x7 -> 28x28) and 500
   patches (12x12 -> 48x48) of two photographs never seen in training, with bicubic upscaling of
   the same sources beside them. PSNR and SSIM on the Y channel (grey digits: the image), 4 pixels
   cropped from each border, as the SR papers score; FID of the outputs against the real targets
   in the shipped classifiers' features (digits for MNIST, shapes for the photographs; the paper
   reports no FID).
3. Checks issue 17's targets: SRResNet at least 3 dB above bicubic; SRGAN above bicubic in PSNR and
   SSIM and below SRResNet in FID; each `ganzoo train` within 20 minutes.

Prints a table with the published Set5 x4 figures (Ledig et al. 2017, Table 2: bicubic, SRResNet,
SRGAN-VGG54, on 5 photographs, features and data unlike ours: for orientation, not comparison),
writes benchmarks/results/super_resolution.json (after each preset, "complete": false until the
end) and docs/<preset>-grid.png (bicubic | SR | original for 10 held-out images spread over the test set). One seed.
`--quick` (1 epoch each) checks the script and writes super_resolution_quick.json; a subset of
presets writes super_resolution_subset.json and a seed other than 0 adds _seed<N>; such runs put
their grids beside their JSON, never in docs/.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from budget import train_preset
from ganzoo.data import load_arrays
from ganzoo.data.pairs import bicubic_upscale
from ganzoo.images import save_png
from ganzoo.metrics import Evaluator, psnr, ssim
from ganzoo.registry import resolve_preset
from results_file import finish, machine, picture_path, preset_arguments, print_targets, result_name, write_result

PRESETS = ("srresnet-mnist", "srgan-mnist", "srresnet-photos", "srgan-photos")
FEATURES = {"sr4-mnist": "digits", "sr4-photos": "shapes", "sr4-shapes": "shapes"}
PUBLISHED_SET5 = {"bicubic": {"psnr": 28.43, "ssim": 0.8211}, "srresnet": {"psnr": 32.05, "ssim": 0.9019},
                  "srgan": {"psnr": 29.40, "ssim": 0.8472}}
SCALE = 4
TRAIN_MINUTES = 20
GRID_ROWS = 10
MIN_GAIN_DB = 3.0


def scores(outputs, targets, features: str) -> dict:
    fid = Evaluator(targets, metrics=("fid",), n=len(targets), features=features, verbose=0)(outputs)["fid"]
    return {"psnr": psnr(outputs, targets, scale=SCALE), "ssim": ssim(outputs, targets, scale=SCALE), "fid": fid}


def check_targets(tasks: dict, trained: dict) -> dict:
    """Issue 17's super-resolution targets for what was measured."""
    targets = {}
    for data, rows in tasks.items():
        bicubic, srresnet, srgan = rows["bicubic"], rows.get("srresnet"), rows.get("srgan")
        if srresnet:
            gain = srresnet["psnr"] - bicubic["psnr"]
            targets[f"{data}: SRResNet PSNR - bicubic (dB)"] = {"value": gain, "threshold": MIN_GAIN_DB, "met": gain >= MIN_GAIN_DB}
        if srgan:
            for metric in ("psnr", "ssim"):
                targets[f"{data}: SRGAN {metric} above bicubic"] = {
                    "value": srgan[metric], "threshold": bicubic[metric], "met": srgan[metric] > bicubic[metric]}
        if srgan and srresnet:
            targets[f"{data}: SRGAN FID below SRResNet"] = {
                "value": srgan["fid"], "threshold": srresnet["fid"], "met": srgan["fid"] < srresnet["fid"]}
    for name, row in trained.items():
        targets[f"{name} trains within {TRAIN_MINUTES} min"] = {
            "value": row["train_seconds"] / 60, "threshold": TRAIN_MINUTES, "met": row["train_seconds"] <= 60 * TRAIN_MINUTES}
    return targets


def print_table(record: dict) -> None:
    print(f"\n4x super-resolution, held-out images, seed {record['seed']} (PSNR/SSIM: Y, 4 px border cropped)")
    print(f"{'data':<12}{'method':<12}{'PSNR dB':>9}{'SSIM':>8}{'FID':>9}{'train s':>9}")
    for data, rows in record["tasks"].items():
        for method, row in rows.items():
            seconds = f"{row['train_seconds']:.0f}" if "train_seconds" in row else "-"
            print(f"{data:<12}{method:<12}{row['psnr']:>9.2f}{row['ssim']:>8.4f}{row['fid']:>9.3f}{seconds:>9}")
    for method, row in PUBLISHED_SET5.items():
        print(f"{'Set5 (paper)':<12}{method:<12}{row['psnr']:>9.2f}{row['ssim']:>8.4f}{'-':>9}{'-':>9}")
    print_targets("Issue 17's targets", record["targets"])


def main() -> None:
    args, presets = preset_arguments(__doc__, PRESETS)
    started = time.perf_counter()
    result_file = result_name("super_resolution", args.quick, bool(args.presets), args.seed)
    record = {"seed": args.seed, **machine(), "scale": SCALE, "published_set5_x4": PUBLISHED_SET5,
              "tasks": {}, "trained": {}}

    with tempfile.TemporaryDirectory() as folder:
        for name in presets:
            data = resolve_preset(name).data.source
            sources, targets = load_arrays(data, split="test")
            rows = record["tasks"].setdefault(data, {})
            if "bicubic" not in rows:
                rows["bicubic"] = scores(bicubic_upscale(sources, SCALE), targets, FEATURES[data])
            model, seconds, images = train_preset(name, Path(folder), args.seed, epochs=1 if args.quick else None)
            shown = np.linspace(0, len(sources) - 1, GRID_ROWS).round().astype(int)  # spread over classes and photos
            save_png(model.preview(GRID_ROWS, examples=(sources[shown], targets[shown])),
                     picture_path("super_resolution", result_file, f"{name}-grid"))
            method = name.split("-")[0]
            rows[method] = {**scores(model.upscale(sources), targets, FEATURES[data]), "train_seconds": round(seconds, 1)}
            record["trained"][name] = {"data": data, "train_seconds": round(seconds, 1), "images_shown": images,
                                       "scored_images": len(sources)}
            record["targets"] = check_targets(record["tasks"], record["trained"])
            write_result(result_file, {**record, "complete": False})
            print(f"{name}: {seconds:.0f} s; " + ", ".join(f"{k} {v:.4g}" for k, v in rows[method].items()), flush=True)

    print_table(record)
    finish(result_file, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
