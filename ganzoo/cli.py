"""The `ganzoo` command: list presets, train one, draw samples from a trained run, evaluate it,
sweep a preset's hyperparameters."""
from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from pathlib import Path

from ganzoo.config import TUNERS, deep_merge, parse_assignments
from ganzoo.distribute import STRATEGIES
from ganzoo.files import write_text_atomic
from ganzoo.images import samples_to_picture, save_png
from ganzoo.metrics import METRICS, evaluate
from ganzoo.metrics.extractors import default_extractor
from ganzoo.precision import PRECISIONS
from ganzoo.registry import list_models, preset_name, resolve_preset
from ganzoo.callbacks import CheckpointError, TrainingDiverged
from ganzoo.runs import RunError, load_run_model, preview_examples, resume_hint, run_preset, train
from ganzoo.anomaly import ANOGAN_STEPS, score_folder
from ganzoo.translating import translate_folder, upscale_file
from ganzoo.tuning import BEST_FILE, OBJECTIVES, RESULTS_FILE, format_report, tune

EXAMPLES = """examples:
  ganzoo list
  ganzoo train dcgan-mnist                       # writes runs/dcgan-mnist/
  ganzoo train dcgan-mnist --resume --epochs 30  # continue the same run for more epochs
  ganzoo train gan-ring --set model.latent_dim=8 --set train.batch_size=128
  ganzoo train dcgan-mnist --precision mixed_bfloat16 --strategy mirrored
  ganzoo sample runs/dcgan-mnist -n 64 --seed 0 -o grid.png
  ganzoo sample runs/cgan-mnist --labels 3,3,7    # or --per-class: one row per class
  ganzoo sample runs/text-mnist --text "a thin four" --text "a thick seven slanted to the right"
  ganzoo eval runs/dcgan-mnist --metrics fid,kid,pr -n 5000
  ganzoo tune gan-grid --tuner random --max-trials 16   # writes sweeps/gan-grid/, best trial in best.yaml
  ganzoo tune gan-grid --resume                          # continue a sweep that was stopped
"""


# Set when training stopped on a failed write: HDF5 left half-written by a full disk prints errors,
# and can crash, while Python shuts down. Everything committed is on disk and the run's lock goes
# with the process, so the command leaves at once.
_LEAVE_AT_ONCE: list = []


def _quiet_hdf5_close(unraisable) -> None:
    """After a reported failed write, HDF5's objects for that file fail again as they are freed."""
    if "h5py" not in repr(unraisable.object):
        sys.__unraisablehook__(unraisable)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganzoo",
        description="Train and sample Generative Adversarial Networks from ready-made presets.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing_parser = commands.add_parser("list", help="show every preset with a one-line description")
    listing_parser.set_defaults(handler=run_list)

    train_parser = commands.add_parser(
        "train",
        help="train a preset; writes samples, TensorBoard logs and checkpoints each epoch",
        description="Train a preset. Each epoch writes a sample grid, TensorBoard logs and a checkpoint "
        "into the run folder, so an interrupted run can continue with --resume.",
    )
    train_parser.add_argument("preset", help="preset name (see `ganzoo list`) or the path of a preset YAML file")
    train_parser.add_argument("--out", help="run folder (default: runs/<preset>)")
    train_parser.add_argument("--epochs", type=int, help="total number of epochs (overrides train.epochs)")
    train_parser.add_argument("--batch-size", type=int, help="examples per step (overrides train.batch_size)")
    train_parser.add_argument("--seed", type=int, help="random seed for weights, data order and latents")
    train_parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any preset value, e.g. --set model.latent_dim=64 (repeatable; values are YAML)",
    )
    train_parser.add_argument("--sample-every", type=int, default=1, metavar="N", help="write a grid every N epochs")
    train_parser.add_argument(
        "--checkpoint-every",
        type=int,
        metavar="STEPS",
        help="also checkpoint every STEPS steps, for long epochs (default: once per epoch)",
    )
    train_parser.add_argument(
        "--keep-checkpoints",
        type=int,
        default=2,
        metavar="N",
        help="how many of the newest checkpoints to keep for falling back (default 2)",
    )
    train_parser.add_argument(
        "--deterministic",
        action="store_true",
        help="make TensorFlow ops deterministic: same --seed, same weights (a little slower)",
    )
    train_parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="dtype policy (overrides train.precision): mixed_bfloat16 on CPUs with AVX-512 BF16 or AMX "
        "and on TPUs, mixed_float16 on GPUs",
    )
    train_parser.add_argument(
        "--jit-compile",
        action=argparse.BooleanOptionalAction,
        help="compile the train step with XLA (overrides train.jit_compile); falls back with a warning "
        "when an operation cannot be compiled",
    )
    train_parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="none",
        help="tf.distribute strategy: mirrored (all local GPUs) or multiworker (one process per machine, "
        "set up by TF_CONFIG; see the README)",
    )
    mode_parser = train_parser.add_mutually_exclusive_group()
    mode_parser.add_argument("--resume", action="store_true", help="continue the run in the folder from its last checkpoint")
    mode_parser.add_argument("--overwrite", action="store_true", help="delete an existing run in the folder and start over")
    train_parser.set_defaults(handler=run_train)

    sample_parser = commands.add_parser(
        "sample",
        help="draw a grid of samples from a trained run",
        description="Write a PNG grid drawn from a run folder's saved model (or a .keras file). "
        "The same --seed always gives the same picture.",
    )
    sample_parser.add_argument("run", help="run folder (holding model.keras) or a .keras file")
    sample_parser.add_argument(
        "-n", "--num", type=int,
        help="number of samples (default 64; with --labels, their count), of --interpolate steps (default 8), "
        "or of samples per class with --per-class or per text with --text (default 8)",
    )
    sample_parser.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    sample_parser.add_argument("-o", "--output", help="PNG to write (default: <run>/<picture>_seed<SEED>.png)")
    sample_parser.add_argument(
        "--truncation", type=float, metavar="PSI", help="StyleGAN truncation psi, such as 0.7 (1: none)"
    )
    picture = sample_parser.add_mutually_exclusive_group()
    picture.add_argument(
        "--style-mix", action="store_true",
        help="StyleGAN: 5 sources B across the top, 4 A down the left, A with B's coarse / middle / fine styles",
    )
    picture.add_argument(
        "--interpolate", action="store_true", help="StyleGAN: -n steps along W from seed SEED to SEED + 1"
    )
    picture.add_argument(
        "--labels", type=_class_list, metavar="3,3,7",
        help="conditional models: one sample per listed class, in order (-n, if given, must match the count)",
    )
    picture.add_argument(
        "--per-class", action="store_true", help="conditional models: one row per class, -n samples each (default 8)"
    )
    picture.add_argument(
        "--text", action="append", metavar='"a thin four"',
        help="text-to-image models: one row per caption, -n samples each (default 8); repeatable",
    )
    sample_parser.set_defaults(handler=run_sample)

    evaluate_parser = commands.add_parser(
        "eval",
        help="score a trained run with FID, KID, IS, precision/recall, PSNR, SSIM...",
        description="Draw samples from a run folder's saved model (or a .keras file), compare them with "
        "real data, print a table and write JSON. Metrics: " + ", ".join(METRICS) + " (pr: precision and "
        "recall, dc: density and coverage, is: Inception Score, modes: 2-D mixtures, stacked: stacked MNIST, "
        "factors: shapes factor coverage, ppl: perceptual path length, in W for a StyleGAN; for conditional models: "
        "class_accuracy: the classifier reads the class asked for, intra_fid: FID within each class, cas: "
        "accuracy on held-out real data of a classifier trained on generated samples, beside cas_real; for "
        "image-to-image and super-resolution models, on the translations of the data's sources: psnr and ssim "
        "against the targets (Y channel of RGB images, a border as wide as the upscaling factor cropped), l1: "
        "mean absolute error to the targets in [-1, 1] units, label_preservation: the classifier reads the "
        "source's label in its translation; fid compares the translations with the targets).",
    )
    evaluate_parser.add_argument("run", help="run folder (holding model.keras) or a .keras file")
    evaluate_parser.add_argument(
        "--metrics", default="fid,kid,pr", help="comma-separated metric names (default fid,kid,pr)"
    )
    evaluate_parser.add_argument("--data", help="real data source (default: the run's data.source)")
    evaluate_parser.add_argument("-n", "--num", type=int, default=5000, help="samples per side (default 5000)")
    evaluate_parser.add_argument(
        "--features", help="feature extractor: digits, shapes or inception (default: shapes for the shapes data, "
        "else digits)"
    )
    evaluate_parser.add_argument(
        "--split", choices=("train", "test"),
        help="the data's split to compare with (default: the held-out test split for image-to-image runs, "
        "whose tasks have one, else train)",
    )
    evaluate_parser.add_argument("--seed", type=int, default=0, help="latent and subset seed (default 0)")
    evaluate_parser.add_argument("-o", "--output", help="JSON to write (default: <run>/eval.json)")
    evaluate_parser.set_defaults(handler=run_eval)

    translate_parser = commands.add_parser(
        "translate",
        help="translate a folder of images with an image-to-image run (Pix2Pix, CycleGAN, SRGAN)",
        description="Translate every image under INPUT_DIR with a run's model and write PNGs of the same names "
        "under OUT_DIR. Images of any size the network accepts; those larger than --tile source pixels go through "
        "in overlapping tiles. Every input is read and no output file may exist (unless --overwrite) before "
        "anything is written.",
    )
    _folder_arguments(translate_parser, "folder for the translations")
    translate_parser.add_argument("--direction", default="a2b", choices=("a2b", "b2a"),
                                  help="CycleGAN: A -> B (default) or B -> A")
    _tile_options(translate_parser)
    translate_parser.set_defaults(handler=run_translate)

    upscale_parser = commands.add_parser(
        "upscale",
        help="upscale an image with a super-resolution run (SRResNet, SRGAN)",
        description="Upscale one image of any size by the run's factor; large images go through in overlapping tiles.",
    )
    upscale_parser.add_argument("run", help="run folder (holding model.keras) or a .keras file")
    upscale_parser.add_argument("image", help="the image file to upscale")
    upscale_parser.add_argument("-o", "--output", help="PNG to write (default: <image>_x<scale>.png beside it)")
    _tile_options(upscale_parser)
    upscale_parser.set_defaults(handler=run_upscale)

    anomaly_parser = commands.add_parser(
        "anomaly",
        help="score a folder of images for anomalies with a run trained on normal images (GANomaly, or any latent GAN)",
        description="Score every image under INPUT_DIR: a GANomaly run by its latent residual, an unconditional "
        "latent GAN (such as dcgan-mnist trained on normal images) by AnoGAN's latent search. Writes OUT_DIR/scores.csv "
        "(file, score, rank; higher is more anomalous) and OUT_DIR/most_anomalous.png (the top inputs above what "
        "the model made of them). Images must have the training images' size.",
    )
    _folder_arguments(anomaly_parser, "folder for scores.csv and the picture")
    anomaly_parser.add_argument("--top", type=int, default=16, help="inputs shown in most_anomalous.png (default 16)")
    anomaly_parser.add_argument("--steps", type=int, default=ANOGAN_STEPS,
                                help=f"latent search steps for a latent GAN (default {ANOGAN_STEPS}); not for GANomaly")
    anomaly_parser.add_argument("--overwrite", action="store_true", help="replace output files that exist")
    anomaly_parser.set_defaults(handler=run_anomaly)

    tune_parser = commands.add_parser(
        "tune",
        help="sweep a preset's hyperparameters with keras-tuner, from its tune: section",
        description="Search the preset's tune: space with keras-tuner. Each trial trains the preset with its "
        "values and is scored on the objective; a line per trial, then a results table. The sweep folder holds "
        "every trial's runs, TensorBoard HParams (logs/), results.json and the best trial as a preset (best.yaml). "
        "A stopped sweep continues with --resume. With keras-tuner's KERASTUNER_* variables set, this process is "
        "the chief or a worker of a distributed sweep (see the README).",
    )
    tune_parser.add_argument("preset", help="preset name (see `ganzoo list`) or the path of a preset YAML file")
    tune_parser.add_argument("--out", help="sweep folder (default: sweeps/<preset>)")
    tune_parser.add_argument("--tuner", choices=TUNERS, help="search: random, bayesian or hyperband (overrides tune.tuner)")
    tune_parser.add_argument("--max-trials", type=int, metavar="N", help="trials of a random or Bayesian search")
    tune_parser.add_argument("--max-epochs", type=int, metavar="N", help="Hyperband's longest training")
    tune_parser.add_argument(
        "--objective", metavar="METRIC[,METRIC]",
        help="what to optimise: " + ", ".join(OBJECTIVES) + " (several are summed with their directions)",
    )
    tune_parser.add_argument(
        "--executions-per-trial", type=int, metavar="K", help="train each trial K times from consecutive seeds"
    )
    tune_parser.add_argument("-n", "--num", type=int, help="samples per side for scoring (overrides tune.n)")
    tune_parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a preset value for every trial"
    )
    tune_parser.add_argument("--resume", action="store_true", help="continue the sweep in the folder")
    tune_parser.set_defaults(handler=run_tune)
    return parser


def _folder_arguments(parser, output_help: str) -> None:
    """RUN INPUT_DIR -o OUT_DIR, for the commands that process a folder of images with a run."""
    parser.add_argument("run", help="run folder (holding model.keras) or a .keras file")
    parser.add_argument("input_dir", help="folder of images (searched recursively)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR", help=output_help)


def _tile_options(parser) -> None:
    parser.add_argument("--tile", type=int, default=256, help="largest tile side in source pixels (default 256)")
    parser.add_argument("--overlap", type=int, default=16, help="context pixels around each kept tile part (default 16)")
    parser.add_argument("--overwrite", action="store_true", help="replace output files that exist")


def run_translate(args) -> int:
    model = load_run_model(args.run)
    outputs = translate_folder(model, args.input_dir, args.output, args.direction, args.tile, args.overlap, args.overwrite)
    print(f"Wrote {len(outputs)} translation(s) to {args.output}")
    return 0


def run_upscale(args) -> int:
    model = load_run_model(args.run)
    output = upscale_file(model, args.image, args.output, args.tile, args.overlap, args.overwrite)
    print(f"Wrote {output}")
    return 0


def run_anomaly(args) -> int:
    if args.top < 1:
        raise ValueError(f"--top must be at least 1, got {args.top}.")
    model = load_run_model(args.run)
    options = {} if hasattr(model, "anomaly_scores") else {"steps": args.steps}
    result = score_folder(model, args.input_dir, args.output, args.top, args.overwrite, **options)
    print(f"Scored {len(result['files'])} image(s); wrote {result['table']} and {result['picture']}")
    return 0


def run_list(args) -> int:
    names = list_models()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {resolve_preset(name).description}")
    return 0


def _train_overrides(args) -> dict:
    overrides = parse_assignments(args.set)
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size), ("seed", args.seed),
                       ("precision", args.precision), ("jit_compile", args.jit_compile)):
        if value is not None:
            overrides = deep_merge(overrides, {"train": {key: value}})
    return overrides


def run_train(args) -> int:
    out = args.out or Path("runs") / preset_name(args.preset)
    try:
        run, _ = train(
            args.preset,
            out,
            _train_overrides(args),
            resume=args.resume,
            overwrite=args.overwrite,
            sample_every=args.sample_every,
            deterministic=args.deterministic,
            checkpoint_every=args.checkpoint_every,
            keep_checkpoints=args.keep_checkpoints,
            strategy=args.strategy,
        )
    except KeyboardInterrupt:
        print(f"ganzoo: training interrupted. {resume_hint(args.preset, out)}", file=sys.stderr)
        return 130
    except OSError as error:  # a full disk, a file too large, a folder that cannot be written
        print(f"ganzoo: error: {_io_failure(error)} {resume_hint(args.preset, out)}", file=sys.stderr)
        _LEAVE_AT_ONCE.append(True)
        sys.unraisablehook = _quiet_hdf5_close
        return 2
    print(f"Run saved in {run.root}: samples/, logs/ (tensorboard --logdir {run.logs}), model.keras")
    return 0


def _io_failure(error: OSError) -> str:
    """One line for a failed read or write: the path, what went wrong, and a hint for a full disk.
    HDF5's errors carry the path and the system's message inside a multi-line text; they are read
    from there."""
    text = " ".join(str(error).split())

    def field(pattern, default):
        match = re.search(pattern, text)
        return match.group(1) if match else default

    code = error.errno or int(field(r"errno = (\d+)", 0))
    filename = error.filename or field(r"filename = '([^']+)'", None)
    what = error.strerror or field(r"error message = '([^']+)'", text)
    hint = " Free some disk space first." if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else ""
    return f"{filename + ': ' if filename else ''}{what.rstrip('.')}.{hint}"


def _class_list(text: str) -> list[int]:
    """`--labels 3,3,7` as [3, 3, 7]."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated class numbers such as 3,3,7; got {text!r}") from None


def _check_class_options(args, model, run) -> None:
    """--labels and --per-class need a conditional model, --text a text-to-image one, and --labels as
    many labels as -n asks for."""
    option = "--labels" if args.labels is not None else "--per-class" if args.per_class else None
    if option and not getattr(model, "conditional", False):
        raise ValueError(f"{option} draws given classes, but {run} holds an unconditional {type(model).__name__}.")
    if args.text and not hasattr(model, "text_grid"):
        raise ValueError(f"--text draws what a caption says, but {run} holds a {type(model).__name__}, not a text-to-image model.")
    if args.labels is not None and args.num is not None and args.num != len(args.labels):
        raise ValueError(
            f"--labels lists {len(args.labels)} classes but -n asks for {args.num} samples; give one label per "
            "sample, or leave out -n."
        )


def run_sample(args) -> int:
    if args.num is not None and args.num < 1:
        raise ValueError(f"-n must be at least 1, got {args.num}.")
    model = load_run_model(args.run)
    _check_class_options(args, model, args.run)
    if args.num is None:
        args.num = len(args.labels) if args.labels is not None else 8 if args.interpolate or args.per_class or args.text else 64
    run = Path(args.run)
    folder = run if run.is_dir() else run.parent
    examples = None
    if model.takes_examples:  # a translator shows its run's own examples
        examples = preview_examples(model, run_preset(folder), args.num)
    options = {} if args.truncation is None else {"truncation": args.truncation}
    kind = ("style_mix" if args.style_mix else "interpolation" if args.interpolate else "per_class" if args.per_class
            else "labels" if args.labels is not None else "text" if args.text else "sample")
    if kind in ("style_mix", "interpolation") and not hasattr(model, "style_mixing_grid"):
        raise ValueError(f"--{kind.replace('_', '-')} works in a StyleGAN's W space; {run} holds a {type(model).__name__}.")
    psi = f"_psi{args.truncation:g}" if options else ""
    output = Path(args.output) if args.output else folder / f"{kind}_seed{args.seed}{psi}.png"
    if args.style_mix:
        seeds = range(args.seed, args.seed + 4)
        picture = model.style_mixing_grid(seeds, range(args.seed + 100, args.seed + 105), **options)
    elif args.interpolate:
        picture = model.interpolate(args.seed, args.seed + 1, steps=args.num, **options)
    elif args.per_class:
        picture = model.class_grid(args.num, seed=args.seed, **options)
    elif args.text:
        picture = model.text_grid(args.text, args.num, seed=args.seed, **options)
    elif args.labels is not None:
        picture = samples_to_picture(model.generate(args.num, labels=args.labels, seed=args.seed, **options))
    else:
        picture = model.preview(args.num, seed=args.seed, examples=examples, **options)
    save_png(picture, output)
    print(f"Wrote {output}")
    return 0


def run_eval(args) -> int:
    run = Path(args.run)
    folder = run if run.is_dir() else run.parent
    preset = run_preset(folder) if (folder / "config.yaml").is_file() else None
    if args.data is None and preset is None:
        raise ValueError(f"No --data given and no config.yaml in {folder} to read the data source from.")
    source = args.data or preset.data.source
    # The run's own data is compared at the size the model was trained on (data.image_size).
    image_size = preset.data.image_size if preset is not None and source == preset.data.source else None
    metrics = [name.strip() for name in args.metrics.split(",") if name.strip()]
    if not metrics:
        raise ValueError(f"--metrics names no metric; give a comma-separated list of {', '.join(METRICS)}.")
    model = load_run_model(run)
    features = args.features or default_extractor(source)
    split = args.split or ("test" if model.pairing in ("paired", "unpaired") else "train")
    results = evaluate(model, source, metrics=metrics, n=args.num, features=features, seed=args.seed,
                       image_size=image_size, split=split)
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:.6g}")
    output = Path(args.output) if args.output else folder / "eval.json"
    record = {"run": str(run), "data": source, "split": split, "n": args.num, "features": features, "seed": args.seed}
    write_text_atomic(output, json.dumps({**record, "metrics": results}, indent=2) + "\n")
    print(f"Wrote {output}")
    return 0


def run_tune(args) -> int:
    out = args.out or Path("sweeps") / preset_name(args.preset)
    try:
        report = tune(args.preset, out, parse_assignments(args.set), resume=args.resume, tuner=args.tuner,
                      max_trials=args.max_trials, max_epochs=args.max_epochs, objective=args.objective,
                      executions_per_trial=args.executions_per_trial, n=args.num)
    except KeyboardInterrupt:
        print(f"ganzoo: sweep interrupted; continue it with: ganzoo tune {args.preset} --out {out} --resume",
              file=sys.stderr)
        return 130
    if not report:
        print("Worker finished: the chief holds the results.")
        return 0
    print(format_report(report))
    best = f"; best trial as a preset: {Path(out) / BEST_FILE}" if report["best_trial"] is not None else ""
    print(f"Sweep saved in {out}: {RESULTS_FILE}, logs/ (tensorboard --logdir {Path(out) / 'logs'}){best}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    # ConfigError and DataError are ValueErrors.
    except (RunError, CheckpointError, ValueError) as error:
        print(f"ganzoo: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # missing weights or data, an output path under a file, a full disk...
        print(f"ganzoo: error: {_io_failure(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ganzoo: interrupted.", file=sys.stderr)
        return 130
    except TrainingDiverged as error:
        print(f"ganzoo: training stopped: {error}", file=sys.stderr)
        return 3


def run() -> None:
    """The `ganzoo` console command: `main`, then exit with its status."""
    status = main()
    if _LEAVE_AT_ONCE:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    run()
