"""The `ganzoo` command: list presets, train one, draw samples from a trained run."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganzoo.config import deep_merge, parse_assignment
from ganzoo.images import samples_to_picture, save_png
from ganzoo.registry import list_models, resolve_preset
from ganzoo.runs import RunError, RunFolder, load_run_model, prepare_run, train_run

EXAMPLES = """examples:
  ganzoo list
  ganzoo train dcgan-mnist                       # writes runs/dcgan-mnist/
  ganzoo train dcgan-mnist --resume --epochs 30  # continue the same run for more epochs
  ganzoo train gan-ring --set model.latent_dim=8 --set train.batch_size=128
  ganzoo sample runs/dcgan-mnist -n 64 --seed 0 -o grid.png
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganzoo",
        description="Train and sample Generative Adversarial Networks from ready-made presets.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="show every preset with a one-line description")
    listing.set_defaults(handler=run_list)

    train = commands.add_parser(
        "train",
        help="train a preset; writes samples, TensorBoard logs and checkpoints each epoch",
        description="Train a preset. Each epoch writes a sample grid, TensorBoard logs and a checkpoint "
        "into the run folder, so an interrupted run can continue with --resume.",
    )
    train.add_argument("preset", help="preset name, see `ganzoo list`")
    train.add_argument("--out", help="run folder (default: runs/<preset>)")
    train.add_argument("--epochs", type=int, help="total number of epochs (overrides train.epochs)")
    train.add_argument("--batch-size", type=int, help="examples per step (overrides train.batch_size)")
    train.add_argument("--seed", type=int, help="random seed for weights, data order and latents")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any preset value, e.g. --set model.latent_dim=64 (repeatable; values are YAML)",
    )
    train.add_argument("--sample-every", type=int, default=1, metavar="N", help="write a grid every N epochs")
    mode = train.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true", help="continue the run in the folder from its last checkpoint")
    mode.add_argument("--overwrite", action="store_true", help="delete an existing run in the folder and start over")
    train.set_defaults(handler=run_train)

    sample = commands.add_parser(
        "sample",
        help="draw a grid of samples from a trained run",
        description="Write a PNG grid drawn from a run folder's saved model (or a .keras file). "
        "The same --seed always gives the same picture.",
    )
    sample.add_argument("run", help="run folder (holding model.keras) or a .keras file")
    sample.add_argument("-n", "--num", type=int, default=64, help="number of samples (default 64)")
    sample.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    sample.add_argument("-o", "--output", help="PNG to write (default: <run>/sample_seed<SEED>.png)")
    sample.set_defaults(handler=run_sample)
    return parser


def run_list(args) -> int:
    names = list_models()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {resolve_preset(name).description}")
    return 0


def _train_overrides(args) -> dict:
    overrides: dict = {}
    for assignment in args.set:
        overrides = deep_merge(overrides, parse_assignment(assignment))
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size), ("seed", args.seed)):
        if value is not None:
            overrides = deep_merge(overrides, {"train": {key: value}})
    return overrides


def run_train(args) -> int:
    if args.sample_every < 1:
        raise ValueError(f"--sample-every must be at least 1, got {args.sample_every}.")
    run = RunFolder(args.out or Path("runs") / args.preset)
    preset = prepare_run(run, args.preset, _train_overrides(args), resume=args.resume, overwrite=args.overwrite)
    train_run(preset, run, sample_every=args.sample_every)
    print(f"Run saved in {run.root}: samples/, logs/ (tensorboard --logdir {run.logs}), model.keras")
    return 0


def run_sample(args) -> int:
    if args.num < 1:
        raise ValueError(f"-n must be at least 1, got {args.num}.")
    model = load_run_model(args.run)
    run = Path(args.run)
    output = Path(args.output) if args.output else (run if run.is_dir() else run.parent) / f"sample_seed{args.seed}.png"
    save_png(samples_to_picture(model.generate(args.num, seed=args.seed)), output)
    print(f"Wrote {args.num} samples to {output}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (RunError, ValueError) as error:  # ConfigError and DataError are ValueErrors
        print(f"ganzoo: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
