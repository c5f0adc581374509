"""CGAN, ACGAN, projection, InfoGAN and text-to-image GANs on the MNIST subset, at one wall-clock budget.

    python benchmarks/conditional_zoo.py [PRESET ...] [--budget SECONDS] [--n 5000] [--seed 0] [--quick]

1. Trains `cgan-mnist`, `acgan-mnist`, `projection-mnist`, `infogan-mnist` and `text-mnist` (or
   the PRESETs named) exactly as `ganzoo train <preset>` does (`ganzoo.runs.train`, with its sample
   grids and checkpoints), one after the other on the same data (mnist-5k, 5,000 digits; captioned
   for text-mnist) and from the same seed, each stopped when the same wall-clock budget is spent
   (`--budget`, 300 s by default; the epoch limit is raised to one epoch per 2 s of budget, about
   3x more than a 2-core CPU gets through, so the budget is what stops them; a preset that runs out
   of epochs first is flagged `"budget_bound": false`).
2. Scores each final model against n real digits with the shipped digits classifier's features
   (`ganzoo.metrics.Evaluator`): FID, KID, precision/recall; for the conditional presets, with
   labels drawn from the real data's class frequencies, the generated-class accuracy (the digits
   classifier reads the digit asked for), the mean intra-FID (FID within each class; each class's
   value is in the JSON) and CAS (a fixed small classifier trained on the n generated digits only,
   tested on a held-out fifth of mnist-5k); the same classifier trained on up to n of the other
   real digits (`cas_real`) is the ceiling. text-mnist is one of them: a label asks it for
   "a <digit>", a medium, upright digit, so its FID and recall carry a floor the others do not
   (the 600 real digits captioned so are at FID 1.3 from all 5,000). For InfoGAN, which sees no
   labels: the accuracy of the best one-to-one mapping from its 10-way categorical code to the
   digits the classifier reads (`code_accuracy`).
   For text-mnist, what its captions add, on 1,000 samples whatever n is (the issue's count):
   `text_digit_accuracy`, the share of samples drawn for 1,000 random captions in which the digits
   classifier reads the digit the caption names; and, for thickness ("a thin <digit>" against
   "a thick <digit>", `stroke_thickness`) and slant ("a <digit> slanted to the left" against "...
   to the right", `slant`), 500 pairs drawn with the same digit and the same latents, so only the
   attribute word differs: each side's mean, the share of pairs ordered as asked, and the p-value
   of a one-sided Mann-Whitney U test (scipy.stats.mannwhitneyu) that the high side's values
   (thick, right) tend to exceed the low side's. The measures are those that captioned the
   training digits (`ganzoo.data.captions`).
3. Checks issue 15's targets: ACGAN and projection class accuracy >= 97%, the best CAS of the
   class-conditional presets (cgan, acgan, projection) >= 90%, InfoGAN code accuracy >= 85%;
   text-mnist's digit accuracy >= 90%, and thick > thin and right > left each met when the high
   side's mean is the larger and the Mann-Whitney p < 0.01.

Prints a table (one row per preset and the real-data ceiling), text-mnist's attribute orderings
and the targets, writes benchmarks/results/conditional_zoo.json (after each preset, with
"complete": false until the end) and docs/<preset>-grid.png (one row per class; InfoGAN: one row
per categorical code, its first continuous code swept along the row; text-mnist: one row per
caption of `PREVIEW_CAPTIONS`). One seed. `--quick` (20 s budgets, n=500: too few digits a class
for a reliable intra-FID, and too little training for meaningful scores) checks the script and
writes conditional_zoo_quick.json; a subset of presets writes conditional_zoo_subset.json
(conditional_zoo_quick_subset.json) and a seed other than 0 adds _seed<N>, so neither replaces
the full table; their grids go beside their JSON (`results_file.picture_path`).
"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from budget import train_preset
from results_file import chosen_presets, finish, machine, picture_path, result_name, write_result
from scipy.stats import mannwhitneyu

from ganzoo.data import load_arrays
from ganzoo.data.captions import (
    caption,
    caption_digit,
    random_captions,
    slant,
    stroke_thickness,
)
from ganzoo.images import save_png
from ganzoo.metrics import Evaluator, get_extractor
from ganzoo.metrics.conditional import class_accuracy
from ganzoo.registry import resolve_preset

DATA, EXTRACTOR = "mnist-5k", "digits"
CLASS_CONDITIONAL = ("cgan-mnist", "acgan-mnist", "projection-mnist")
INFOGAN, TEXT = "infogan-mnist", "text-mnist"
PRESETS = CLASS_CONDITIONAL + (INFOGAN, TEXT)  # text-mnist last: the others train as before it was added
CONDITIONAL_METRICS = ("fid", "kid", "pr", "class_accuracy", "intra_fid", "cas")
INFOGAN_METRICS = ("fid", "kid", "pr", "code_accuracy")
SECONDS_PER_EPOCH = 2  # an epoch (78 steps of 64) takes about 6 s here, so the budget stops training first
QUICK_BUDGET, QUICK_N = 20.0, 500
TEXT_SAMPLES = 1000  # issue 15 counts its text targets over 1,000 samples; cheap, so --quick draws as many
TEXT_DIGIT_ACCURACY = 0.90
ORDER_P = 0.01  # an attribute is ordered when its high side's mean is the larger and the one-sided p is below this
LOW, HIGH = 0, 2  # the named bins of an attribute (thin/thick, left/right); the middle one goes unnamed
ATTRIBUTES = {  # attribute: (its measure, the `caption` argument that sets its bin, the words of LOW and HIGH)
    "thickness": (stroke_thickness, "thickness_bin", ("thin", "thick")),
    "slant": (slant, "slant_bin", ("left", "right")),
}
COLUMNS = (  # (JSON key, table heading)
    ("train_seconds", "train s"),
    ("images_shown", "images"),
    ("class_accuracy", "class acc"),
    ("intra_fid", "intra-FID"),
    ("cas", "CAS"),
    ("fid", "FID"),
    ("kid", "KID"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("code_accuracy", "code acc"),
    ("text_digit_accuracy", "text acc"),
)


def paired_captions(digits, argument: str) -> tuple[list, list]:
    """For each digit, its caption with one attribute at its LOW bin and at its HIGH bin (`argument`
    names the attribute's `caption` argument), the other attribute unnamed."""
    return tuple([caption(int(digit), **{argument: which}) for digit in digits] for which in (LOW, HIGH))


def ordering(low, high) -> dict:
    """How a measure of the samples asked for an attribute's high bin compares with the low bin's:
    the means, the share of pairs (same digit, same latents) in which high exceeds low, and the
    p-value of the one-sided Mann-Whitney U test that high tends to exceed low. A rank test, as it
    assumes nothing of the measure's distribution, and a few blank or broken samples cannot swing
    it as they swing a difference of means."""
    low, high = np.asarray(low, dtype="float64"), np.asarray(high, dtype="float64")
    return {
        "mean_low": float(low.mean()),
        "mean_high": float(high.mean()),
        "share_ordered": float(np.mean(high > low)),
        "p_value": float(mannwhitneyu(high, low, alternative="greater").pvalue),
    }


def is_ordered(order: dict) -> bool:
    """The ordering target: the high side's mean is the larger, and not by chance (p < ORDER_P)."""
    return order["mean_high"] > order["mean_low"] and order["p_value"] < ORDER_P


def text_scores(model, extractor, seed: int) -> dict:
    """text-mnist's text targets, measured on TEXT_SAMPLES samples: `text_digit_accuracy` for random
    captions, and each attribute's `ordering` over half as many pairs that share their digit (every
    digit equally often) and their latents (the same seed), so that only the attribute word differs."""
    texts = random_captions(TEXT_SAMPLES, seed)
    asked = np.array([caption_digit(text) for text in texts])
    samples = model.generate(TEXT_SAMPLES, texts=texts, seed=seed)
    scores = {"text_digit_accuracy": class_accuracy(samples, asked, extractor)}
    digits = np.arange(TEXT_SAMPLES // 2) % 10
    for attribute, (measure, argument, (low_word, high_word)) in ATTRIBUTES.items():
        low, high = (measure(model.generate(len(digits), texts=captions, seed=seed))
                     for captions in paired_captions(digits, argument))
        scores[attribute] = {"low": low_word, "high": high_word, "pairs": len(digits), **ordering(low, high)}
    return scores


def check_targets(presets: dict) -> dict:
    """Issue 15's targets for what was measured: {target: {"value", "threshold", "met"}}; a target
    whose presets were not run has value None and met None. An attribute ordering's value is its
    p-value, and its "criterion" says what "met" asks of it and of the means."""

    def target(value, threshold, **extra):
        return {"value": value, "threshold": threshold, "met": None if value is None else value >= threshold, **extra}

    targets = {}
    for name in ("acgan-mnist", "projection-mnist"):
        targets[f"{name} class_accuracy"] = target(presets.get(name, {}).get("class_accuracy"), 0.97)
    cas = {name: presets[name]["cas"] for name in CLASS_CONDITIONAL if "cas" in presets.get(name, {})}
    best = max(cas, key=cas.get) if cas else None
    targets["best conditional CAS"] = target(cas.get(best), 0.90, preset=best)
    targets["infogan-mnist code_accuracy"] = target(presets.get(INFOGAN, {}).get("code_accuracy"), 0.85)
    text = presets.get(TEXT, {})
    targets[f"{TEXT} text_digit_accuracy"] = target(text.get("text_digit_accuracy"), TEXT_DIGIT_ACCURACY)
    for attribute, (_, _, (low, high)) in ATTRIBUTES.items():
        order = text.get(attribute)
        targets[f"{TEXT} {high} > {low}"] = {
            "value": None if order is None else order["p_value"],
            "threshold": ORDER_P,
            "met": None if order is None else is_ordered(order),
            "criterion": f"mean {attribute} of '{high}' samples > of '{low}' ones, one-sided Mann-Whitney U p < {ORDER_P}",
        }
    return targets


def cell(value) -> str:
    if value is None:
        return f"{'-':>11}"
    if isinstance(value, int):
        return f"{value:>11d}"
    return f"{value:>11.4g}"


def print_text_scores(row: dict) -> None:
    """text-mnist's digit accuracy for random captions and its attribute orderings."""
    pairs = row[next(iter(ATTRIBUTES))]["pairs"]
    print(f"{TEXT}: the digit named read in {row['text_digit_accuracy']:.1%} of {TEXT_SAMPLES} samples for random "
          f"captions; {pairs} caption pairs per attribute, each pair with the same digit and latents:")
    print(f"  {'attribute':<10}{'low':>6}{'high':>6}{'mean low':>10}{'mean high':>11}{'high > low':>12}{'p':>10}")
    for attribute in ATTRIBUTES:
        order = row[attribute]
        print(f"  {attribute:<10}{order['low']:>6}{order['high']:>6}{order['mean_low']:>10.4g}{order['mean_high']:>11.4g}"
              f"{order['share_ordered']:>12.1%}{order['p_value']:>10.2g}")


def print_report(record: dict) -> None:
    print(f"\nSame data ({DATA}, {record['n']} samples per side for the metrics, {EXTRACTOR} classifier's "
          f"features) and the same wall-clock budget for every preset: {record['budget_seconds']:.0f} s of "
          f"`ganzoo train`, seed {record['seed']}")
    print(f"{'preset':<18}" + "".join(f"{heading:>11}" for _, heading in COLUMNS))
    for name, row in record["presets"].items():
        print(f"{name:<18}" + "".join(cell(row.get(key)) for key, _ in COLUMNS))
    if record.get("cas_real") is not None:
        ceiling = {"cas": record["cas_real"]}
        print(f"{'real data (ceiling)':<18}" + "".join(cell(ceiling.get(key)) for key, _ in COLUMNS))
        print(f"  (CAS ceiling: the CAS classifier trained on {record['cas_real_train_size']} real digits "
              f"instead of generated ones: {record['cas_real']:.4f})")
    if TEXT in record["presets"]:
        print()
        print_text_scores(record["presets"][TEXT])
    print("\nIssue 15's targets:")
    for name, target in record["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "not run"}[target["met"]]
        where = f" ({target['preset']})" if target.get("preset") else ""
        if "criterion" in target:  # an attribute ordering: its p-value, and its means in the table above
            value = "-" if target["value"] is None else f"p {target['value']:.2g}"
            print(f"  {name + where:<44} {value:>8} <  {target['threshold']:.2f} and means ordered  {verdict}")
        else:
            value = "-" if target["value"] is None else f"{target['value']:.4f}"
            print(f"  {name + where:<44} {value:>8} >= {target['threshold']:.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help=f"a subset of {', '.join(PRESETS)} (default: all)")
    parser.add_argument("--budget", type=float, default=300.0, help="wall-clock seconds of training per preset")
    parser.add_argument("--n", type=int, default=5000, help="samples per side for the metrics")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_BUDGET:.0f} s budgets, n={QUICK_N}: checks the script")
    args = parser.parse_args()
    presets = chosen_presets(parser, args.presets, PRESETS)
    started = time.perf_counter()
    budget, n = (QUICK_BUDGET, QUICK_N) if args.quick else (args.budget, args.n)
    result_file = result_name("conditional_zoo", args.quick, bool(args.presets), args.seed)
    if args.quick:  # ~50 digits a class: intra-FID's covariances are singular, which the quick check accepts
        warnings.filterwarnings("ignore", message=r"Only \d+ samples for \d+-dimensional features")
    extractor = get_extractor(EXTRACTOR, verbose=0)
    evaluators = {
        kind: Evaluator(DATA, metrics=metrics, n=n, features=extractor, seed=args.seed, verbose=0)
        for kind, metrics in (("conditional", CONDITIONAL_METRICS), ("infogan", INFOGAN_METRICS))
    }
    record = {
        "data": DATA, "extractor": EXTRACTOR, "budget_seconds": budget, "n": n, "seed": args.seed,
        **machine(), "presets": {}, "cas_real": None,
    }

    real_size = len(load_arrays(DATA))
    with tempfile.TemporaryDirectory() as folder:
        for name in presets:
            epochs = max(5, math.ceil(budget / SECONDS_PER_EPOCH))
            model, seconds, images = train_preset(name, Path(folder), args.seed, budget=budget, epochs=epochs)
            batch_size = resolve_preset(name).train.batch_size
            budget_bound = images < epochs * (real_size // batch_size) * batch_size
            if not budget_bound:
                print(f"warning: {name} ran out of its {epochs} epochs before the budget; lower SECONDS_PER_EPOCH")
            grid = picture_path("conditional_zoo", result_file, f"{name}-grid")
            save_png(model.preview(100, seed=args.seed), grid)  # 10 per class / code / caption
            evaluator = evaluators["infogan" if name == INFOGAN else "conditional"]
            scores = evaluator(model)
            text = text_scores(model, extractor, args.seed) if name == TEXT else {}
            if "cas_real" in scores:  # the same for every preset: the ceiling, kept once
                record["cas_real"] = scores.pop("cas_real")
                tested = len(evaluator.cas_test_and_ceiling()[0][1])
                record["cas_test_size"] = tested
                record["cas_real_train_size"] = min(n, real_size - tested)
            record["presets"][name] = {"train_seconds": round(seconds, 1), "images_shown": images, "budget_bound": budget_bound, **scores, **text}
            record["targets"] = check_targets(record["presets"])
            write_result(result_file, {**record, "complete": False})  # what is measured survives a later crash
            print(f"{name}: {seconds:.0f} s, {images} images; "
                  + ", ".join(f"{key} {value:.4g}" for key, value in scores.items() if not key.startswith("intra_fid_")),
                  flush=True)
            if text:
                print_text_scores(record["presets"][name])

    record["targets"] = check_targets(record["presets"])
    print_report(record)
    finish(result_file, {**record, "complete": True}, started)


if __name__ == "__main__":
    main()
