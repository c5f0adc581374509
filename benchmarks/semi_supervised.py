"""The semi-supervised GAN against the same network trained on the labelled digits alone.

    python benchmarks/semi_supervised.py [--labels 100,20,50,500] [--seeds 5] [--epochs N] [--resume] [--quick]

For each number of labels N and each seed s (0 .. seeds - 1):
1. SGAN: `sgan-mnist` with `data.labelled: N` and `train.seed: s`, trained on its data as
   `ganzoo train` feeds it (`ganzoo.data.preset_epochs`): the 4,000 training digits of mnist-5k
   unlabelled, N of them (class-balanced, chosen by the seed) labelled; the held-out 1,000
   (100 per class) are never seen. Scored by `model.classifier()` on those 1,000.
2. Supervised only: the same network (the classifier of an untrained `sgan-mnist` of the same seed,
   with its Gaussian-noise layers, behind the preset's DiffAugment shifts) trained on the same N
   labelled digits alone, for as many updates and batches of the same size as the SGAN's
   discriminator gets, with the same optimizer; scored on the same 1,000.

Prints, per N, the mean and standard deviation over seeds of both and of the gain, beside the
published figures (Salimans et al. 2016 on 60,000 MNIST digits; a published Keras SGAN, whose
protocol differs too), checks issue 18's targets at 100 labels (SGAN >= 93%, gain >= 20 points),
and writes benchmarks/results/semi_supervised.json (after each run, "complete": false until the
end). `--resume` keeps the runs already in that file (of the same epochs) and adds the missing
ones, so a stopped benchmark, or one run again with more labels or seeds, loses nothing.
`--quick` (2 epochs, 2 seeds, 100 labels) checks the script and writes semi_supervised_quick.json.
"""
from __future__ import annotations

import argparse
import json
import time

import keras
import numpy as np
import tensorflow as tf
from results_file import RESULTS, finish, machine, print_targets, result_name, write_result

import ganzoo
from ganzoo.augment import diff_augment
from ganzoo.data import load_arrays, preset_epochs
from ganzoo.models import make_optimizer
from ganzoo.registry import resolve_preset

PRESET = "sgan-mnist"
PUBLISHED = {
    "Salimans et al. 2016 (60,000 unlabelled digits, 100 labels)": 0.9907,
    "Keras SGAN example (100 labels)": 0.894,
    "  its supervised-only network": 0.692,
}
TARGET_LABELS, MIN_ACCURACY, MIN_GAIN = 100, 0.93, 0.20


def held_out():
    return load_arrays("mnist-5k", labels=True, split="test")


def train_sgan(labels: int, seed: int, epochs: int | None) -> tuple:
    """(held-out accuracy, the classifier of the model before training, for the baseline, the
    discriminator updates made, the resolved preset)."""
    overrides = {"train": {"seed": seed, **({"epochs": epochs} if epochs else {})}, "data": {"labelled": labels}}
    preset = resolve_preset(PRESET, overrides)
    keras.utils.set_random_seed(seed)
    model = ganzoo.load(PRESET, **overrides)
    untrained = model.classifier()
    data, steps = preset_epochs(preset, 0)
    model.fit(data, epochs=preset.train.epochs, steps_per_epoch=steps, verbose=0)
    images, digits = held_out()
    return float(model.classifier().evaluate(images, digits, verbose=0)[1]), untrained, steps * preset.train.epochs, preset


class DiffAugmented(keras.layers.Layer):
    """The preset's DiffAugment policy on training batches, so the baseline sees the same random
    shifts of its images as the SGAN's discriminator does; nothing in inference."""

    def __init__(self, policy: str, seed: int):
        super().__init__()
        self.policy, self.seed_generator = policy, keras.random.SeedGenerator(seed)

    def call(self, images, training=False):
        return diff_augment(images, self.policy, self.seed_generator) if training else images


def train_supervised(classifier, labels: int, seed: int, updates: int, preset) -> float:
    """The same network on the N labelled digits alone, `updates` batches of the preset's size,
    with the preset's DiffAugment on its inputs."""
    if preset.model.settings.get("augment"):
        inputs = keras.Input(classifier.input_shape[1:])
        classifier = keras.Model(inputs, classifier(DiffAugmented(preset.model.settings["augment"], seed)(inputs)))
    images, digits = load_arrays("mnist-5k", labels=True, hold_out=True, labelled=labels, seed=seed)
    batch = preset.train.batch_size
    repeats = -(-updates * batch // len(images))
    order = np.concatenate([np.random.default_rng([seed, r]).permutation(len(images)) for r in range(repeats)])
    # Batches gathered as they are needed: the whole sequence at once would take gigabytes.
    batches = tf.data.Dataset.from_tensor_slices(order[: updates * batch]).batch(batch)
    batches = batches.map(lambda index: (tf.gather(images, index), tf.gather(digits, index)))
    classifier.compile(optimizer=make_optimizer(preset.train.d_optimizer, "d_optimizer"),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(batches, epochs=1, verbose=0)
    test_images, test_digits = held_out()
    return float(classifier.evaluate(test_images, test_digits, verbose=0)[1])


def summary(values: list) -> dict:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "runs": len(values)}


def print_table(record: dict) -> None:
    print(f"\n{'labels':>6} {'SGAN':>15} {'supervised only':>17} {'gain':>15} seeds  (held-out accuracy, mean ± sd)")
    for labels, row in sorted(record["results"].items(), key=lambda item: int(item[0])):
        cells = [f"{row[key]['mean']:.4f} ± {row[key]['std']:.4f}" for key in ("sgan", "supervised", "gain")]
        print(f"{labels:>6} {cells[0]:>15} {cells[1]:>17} {cells[2]:>15} {row['sgan']['runs']:>5}")
    print("\npublished, for comparison (other protocols):")
    for name, value in PUBLISHED.items():
        print(f"  {name:<62} {value:.4f}")


def results(runs: list) -> dict:
    """Mean and spread over seeds of each measure, per number of labels."""
    grouped = {}
    for run in runs:
        row = grouped.setdefault(str(run["labels"]), {"sgan": [], "supervised": [], "gain": []})
        for key, value in (("sgan", run["sgan"]), ("supervised", run["supervised"]), ("gain", run["sgan"] - run["supervised"])):
            row[key].append(value)
    return {labels: {key: summary(values) for key, values in row.items()} for labels, row in grouped.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", default="100,20,50,500", help="comma-separated label counts, in the order run")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, help="override the preset's epochs")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in the result file and run only the missing ones")
    parser.add_argument("--quick", action="store_true", help="2 epochs, 2 seeds, 100 labels: checks the script")
    args = parser.parse_args()
    counts = [100] if args.quick else [int(part) for part in args.labels.split(",")]
    seeds = 2 if args.quick else args.seeds
    epochs = 2 if args.quick else args.epochs
    name = result_name("semi_supervised", args.quick, subset=False)
    record = {"preset": PRESET, "epochs": epochs or resolve_preset(PRESET).train.epochs,
              "test": "the held-out 1,000 of mnist-5k (100 per class)", "published": PUBLISHED, "runs": [],
              "results": {}, **machine()}
    if args.resume and (RESULTS / f"{name}.json").is_file():
        earlier = json.loads((RESULTS / f"{name}.json").read_text())
        if earlier["epochs"] != record["epochs"]:
            parser.error(f"{name}.json was trained for {earlier['epochs']} epochs, not {record['epochs']}; do not --resume it")
        record["runs"] = earlier["runs"]
    done = {(run["labels"], run["seed"]) for run in record["runs"]}
    started = time.perf_counter()
    for labels in counts:
        for seed in range(seeds):
            if (labels, seed) in done:
                continue
            began = time.perf_counter()
            sgan, untrained, updates, preset = train_sgan(labels, seed, epochs)
            supervised = train_supervised(untrained, labels, seed, updates, preset)
            run = {"labels": labels, "seed": seed, "sgan": sgan, "supervised": supervised, "updates": updates,
                   "seconds": round(time.perf_counter() - began, 1)}
            print(f"labels {labels:>3} seed {seed}: SGAN {sgan:.4f}, supervised only {supervised:.4f} "
                  f"({run['seconds']:.0f} s)", flush=True)
            record["runs"].append(run)
            record["results"] = results(record["runs"])
            write_result(name, {**record, "complete": False})
    record["results"] = results(record["runs"])
    print_table(record)
    at_target = record["results"].get(str(TARGET_LABELS))
    record["targets"] = {
        f"SGAN accuracy at {TARGET_LABELS} labels (mean)": {
            "value": at_target and at_target["sgan"]["mean"], "threshold": MIN_ACCURACY,
            "met": None if at_target is None else at_target["sgan"]["mean"] >= MIN_ACCURACY},
        f"gain over supervised only at {TARGET_LABELS} labels (mean)": {
            "value": at_target and at_target["gain"]["mean"], "threshold": MIN_GAIN,
            "met": None if at_target is None else at_target["gain"]["mean"] >= MIN_GAIN},
    }
    print_targets("Issue 18's semi-supervised targets", record["targets"])
    finish(name, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
