"""Training and sampling throughput of the image presets, against the machine's matmul rate.

    python benchmarks/throughput.py [PRESET ...] [--windows N] [--steps N] [--quick]

Default presets: every image preset that the baseline reproduces (the non-saturating loss, no
stabilizer: dcgan-mnist, dcgan-digits, dcgan-shapes, gan-mnist). Other presets, such as stylegan-lite
and pggan-shapes, can be named: they run without the baseline, and their FLOPs leave out their
gradient penalties (second-order; the JSON names them under flops.penalties_excluded). Prints the
matmul ceilings, one table row per preset, a per-variant table and the targets; writes
benchmarks/results/throughput.json with every timing and the machine it ran on (`--quick` writes
throughput_quick.json and other presets than the default ones throughput_subset.json, so neither
replaces the full table).

What is measured, per preset:
- Training images/s through one full `train_step` for four variants: ganzoo float32, ganzoo
  mixed_bfloat16, ganzoo float32 with XLA (train.jit_compile), and a baseline: `BaselineGAN`
  below, a minimal hand-written Keras GAN (two GradientTapes, D step then G step, its own Adams,
  two loss trackers)
  holding freshly built networks of the same architecture, trained with the same batch size.
  Each model's compiled train function is called directly (`model.train_function(iterator)`,
  as `fit` does, without callbacks) on ONE real batch kept in memory and repeated, so the
  input pipeline costs nothing; a window of --steps steps ends by fetching a result to NumPy.
- Input pipeline: the ganzoo float32 model stepped through the real training pipeline
  (`ganzoo.data.preset_epochs`) vs the in-memory batch; the goal is equal rates.
- Sampling: `model.generate(10_000)` images/s (float32 model, after one warm-up call).
- The ceiling: GFLOP/s of a 4096 x 4096 `tf.matmul` (2 n^3 FLOPs) in float32 and bfloat16, the
  median of all its timings in the run (a few at the start, one per round, one per generate call).
- FLOPs per training and per generated image from `ganzoo.flops` (multiply-add = 2 FLOPs,
  only Dense/convolution layers counted, backward = 2x forward minus the first layer's input
  gradient; see that module), so images/s become achieved GFLOP/s.

The machine may be shared and noisy (+-20% minute to minute), so everything is interleaved:
all variants are built and warmed up first, then each round times one window of every variant
(and one matmul per dtype) in turn, the starting variant rotating each round. Rates are medians
over rounds; ratios (ganzoo/baseline, bf16/f32, % of matmul, ...) are medians of the per-round
ratios of adjacent windows, which cancels most of the drift.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.config import ConfigError  # noqa: E402
from ganzoo.data import preset_epochs  # noqa: E402
from ganzoo.flops import gan_training_flops  # noqa: E402
from ganzoo.networks import build_networks  # noqa: E402
from ganzoo.precision import cpu_has_bfloat16  # noqa: E402
from ganzoo.registry import list_models, resolve_preset  # noqa: E402
from results_file import finish, result_name  # noqa: E402

MATMUL_N = 4096
GENERATE_N = 10_000
WARMUP_STEPS = 3
SAME_WITHIN = 0.97  # a median ratio >= this counts as "not slower" on this noisy machine
TARGET_PRESET = "dcgan-mnist"
# the matmul each training variant is compared with
MATMUL_OF = {"float32": "float32", "mixed_bfloat16": "bfloat16", "xla": "float32", "baseline": "float32",
             "real_data": "float32"}


class BaselineGAN(keras.Model):
    """The least a Keras GAN needs: non-saturating loss, D step(s) then G step, Adam(2e-4, 0.5), and
    epoch-mean losses in two `keras.metrics.Mean` trackers, as in Keras' own DCGAN example."""

    def __init__(self, generator, discriminator, latent_dim, d_steps=1):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim, self.d_steps = latent_dim, d_steps
        self.seed_generator = keras.random.SeedGenerator(0)
        self.g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_opt.build(generator.trainable_variables)
        self.d_opt.build(discriminator.trainable_variables)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    @staticmethod
    def bce(logits, label):  # binary cross-entropy from logits against a constant label
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.fill(tf.shape(logits), label), logits))

    def latents(self, batch):
        return keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)

    def train_step(self, real):
        batch = tf.shape(real)[0]
        for _ in range(self.d_steps):
            fake = self.generator(self.latents(batch), training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake, training=True)
                d_loss = self.bce(real_logits, 1.0) + self.bce(fake_logits, 0.0)
            variables = self.discriminator.trainable_variables
            self.d_opt.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
        with tf.GradientTape() as tape:
            fake = self.generator(self.latents(batch), training=True)
            g_loss = self.bce(self.discriminator(fake, training=True), 1.0)
        variables = self.generator.trainable_variables
        self.g_opt.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


# ---------------------------------------------------------------------------------------- helpers


class _PerModelTracing(logging.Filter):
    """TensorFlow counts traces per function *code*, so one model per variant (each train function
    traced once) trips its "excessive retracing" warning; it says nothing about this benchmark."""

    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


tf.get_logger().addFilter(_PerModelTracing())


def image_presets() -> list[str]:
    """The image presets `BaselineGAN` reproduces: the non-saturating loss with no stabilizer (its
    step has none, and `ganzoo.flops` refuses what it cannot count, such as gradient penalties)."""
    plain = []
    for name in list_models():
        model = resolve_preset(name).model
        if len(model.data_shape) == 3 and model.loss == "non_saturating" and set(model.settings) <= {"latent_dim", "d_steps"}:
            plain.append(name)
    return plain


def machine_info() -> dict:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        cpuinfo = []
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "bfloat16_instructions": cpu_has_bfloat16(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "ganzoo": ganzoo.__version__,
        "env": {key: os.environ[key] for key in ("OPENBLAS_CORETYPE", "TF_ENABLE_ONEDNN_OPTS") if key in os.environ},
    }


class Matmul:
    """A compiled n x n matmul in one dtype; `time()` returns (and keeps) the seconds of one product."""

    def __init__(self, dtype: str, n: int = MATMUL_N):
        self.dtype, self.n = dtype, n
        self.a = tf.cast(tf.random.stateless_normal((n, n), seed=(1, 2)), dtype)
        self.b = tf.cast(tf.random.stateless_normal((n, n), seed=(3, 4)), dtype)
        self.product = tf.function(tf.matmul)
        self.product(self.a, self.b)[0, 0].numpy()  # warm-up: trace and first run
        self.timings = []  # every timing of the run: the ceiling is their median

    def time(self) -> float:
        start = time.perf_counter()
        self.product(self.a, self.b)[0, 0].numpy()  # fetching one element waits for the result
        self.timings.append(time.perf_counter() - start)
        return self.timings[-1]

    def ceiling(self) -> dict:
        median = statistics.median(self.timings)
        return {"n": self.n, "timings": len(self.timings), "median_seconds": median,
                "gflops_per_second": self.gflops(median)}

    def gflops(self, seconds: float) -> float:
        return 2 * self.n**3 / seconds / 1e9


def conv_kernel_rates(repeats: int, batch: int = 64) -> dict:
    """GFLOP/s of the three kernels of dcgan-mnist's largest layer (4x4, stride 2, 64 -> 128 channels,
    14x14 -> 7x7; the generator's largest layer is its mirror image) in float32 and bfloat16:
    forward, input gradient and filter gradient. Shows which parts of a step bfloat16 speeds up."""
    flops = 2 * batch * 7 * 7 * 4 * 4 * 64 * 128
    strides = [1, 2, 2, 1]
    rates = {}
    for dtype in ("float32", "bfloat16"):
        x = tf.cast(tf.random.stateless_normal((batch, 14, 14, 64), seed=(1, 1)), dtype)
        w = tf.cast(tf.random.stateless_normal((4, 4, 64, 128), seed=(2, 2)), dtype)
        dy = tf.cast(tf.random.stateless_normal((batch, 7, 7, 128), seed=(3, 3)), dtype)
        kernels = {
            "forward": lambda: tf.nn.conv2d(x, w, 2, "SAME"),
            "input gradient": lambda: tf.raw_ops.Conv2DBackpropInput(
                input_sizes=x.shape, filter=w, out_backprop=dy, strides=strides, padding="SAME"),
            "filter gradient": lambda: tf.raw_ops.Conv2DBackpropFilter(
                input=x, filter_sizes=w.shape, out_backprop=dy, strides=strides, padding="SAME"),
        }  # fmt: skip
        for name, kernel in kernels.items():
            compiled = tf.function(kernel)
            compiled().numpy()
            timings = []
            for _ in range(repeats):
                start = time.perf_counter()
                compiled().numpy()
                timings.append(time.perf_counter() - start)
            rates.setdefault(name, {})[dtype] = flops / statistics.median(timings) / 1e9
    return rates


def train_function(model):
    model.make_train_function()  # builds `model.train_function` (returns None the first time)
    return model.train_function


def run_window(function, iterator, steps: int) -> float:
    """Seconds for `steps` train steps; fetching a result at the end synchronises."""
    start = time.perf_counter()
    for _ in range(steps):
        logs = function(iterator)
    tf.nest.flatten(logs)[0].numpy()
    return time.perf_counter() - start


def median_ratio(numerators, denominators) -> float:
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def summary(values) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "per_round": values}


# ---------------------------------------------------------------------------------------- one preset


def baseline_model(preset) -> BaselineGAN:
    """The hand-written step on the preset's own networks, latent size and discriminator steps."""
    networks, settings = build_networks(preset.model), preset.model.settings
    return BaselineGAN(networks["generator"], networks["discriminator"], settings.get("latent_dim", 100),
                       settings.get("d_steps", 1))


def build_variants(name: str, preset, steps_needed: int) -> tuple[dict, dict]:
    """The models, and name -> (compiled train function, iterator) for every variant."""
    in_memory = preset_epochs(preset, 0)[0].take(1).cache().repeat()
    models = {
        "float32": ganzoo.load(name),
        "mixed_bfloat16": ganzoo.load(name, train={"precision": "mixed_bfloat16"}),
        "xla": ganzoo.load(name, train={"jit_compile": True}),
    }
    if name in image_presets():  # the hand-written step reproduces only the plain GAN
        models["baseline"] = baseline_model(preset)
        models["baseline"].compile(optimizer=None, jit_compile=False)  # as ganzoo float32
    variants = {key: (train_function(model), iter(in_memory)) for key, model in models.items()}
    real, steps_per_epoch = preset_epochs(preset, 0)
    if steps_needed > preset.train.epochs * steps_per_epoch:  # more steps than the preset's epochs hold
        real = real.repeat()
    variants["real_data"] = (variants["float32"][0], iter(real))  # the same compiled step, real pipeline
    return models, variants


def measure_preset(name: str, args, matmuls: dict) -> dict:
    preset = resolve_preset(name)
    batch = preset.train.batch_size
    models, variants = build_variants(name, preset, WARMUP_STEPS + args.windows * args.steps)

    failed = {}
    for key, (function, iterator) in list(variants.items()):
        start = time.perf_counter()
        try:
            run_window(function, iterator, WARMUP_STEPS)
        except Exception as error:  # e.g. XLA cannot compile an operation: report, keep going
            failed[key] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            del variants[key]
        print(f"  {name}: warmed up {key} in {time.perf_counter() - start:.1f} s", flush=True)

    seconds = {key: [] for key in variants}
    matmul_seconds = {dtype: [] for dtype in matmuls}
    order = list(variants) + [f"matmul_{dtype}" for dtype in matmuls]
    for round_ in range(args.windows):
        shift = round_ % len(order)
        for key in order[shift:] + order[:shift]:
            if key.startswith("matmul_"):
                matmul_seconds[key[7:]].append(matmuls[key[7:]].time())
            else:
                seconds[key].append(run_window(*variants[key], args.steps))
    rates = {key: [args.steps * batch / s for s in values] for key, values in seconds.items()}
    matmul_rates = {dtype: [matmuls[dtype].gflops(s) for s in values] for dtype, values in matmul_seconds.items()}

    flops = gan_training_flops(models["float32"], exclude_penalties=True)
    result_variants = {}
    for key, values in rates.items():
        gflops = [rate * flops["total"] / 1e9 for rate in values]
        result_variants[key] = {
            "images_per_second": summary(values),
            "gflops_per_second": statistics.median(gflops),
            "percent_of_matmul": 100 * median_ratio(gflops, matmul_rates[MATMUL_OF[key]]),
            "matmul_dtype": MATMUL_OF[key],
        }
    ratios = {}
    for label, (a, b) in {
        "ganzoo_over_baseline": ("float32", "baseline"),
        "bf16_over_f32": ("mixed_bfloat16", "float32"),
        "xla_over_f32": ("xla", "float32"),
        "real_data_over_in_memory": ("real_data", "float32"),
    }.items():
        if a in rates and b in rates:
            per_round = [x / y for x, y in zip(rates[a], rates[b])]
            ratios[label] = summary(per_round)

    sampler = models["float32"]
    sampler.generate(GENERATE_N)  # warm-up: traces the full and the last partial chunk
    generate_seconds, generate_matmul = [], []
    for _ in range(args.generate_calls):  # each call paired with a float32 matmul, like the rounds
        start = time.perf_counter()
        sampler.generate(GENERATE_N)
        generate_seconds.append(time.perf_counter() - start)
        generate_matmul.append(matmuls["float32"].gflops(matmuls["float32"].time()))
    generate_rate = GENERATE_N / statistics.median(generate_seconds)
    generate_gflops = [GENERATE_N * flops["generate_flops"] / s / 1e9 for s in generate_seconds]

    return {
        "preset": name,
        "batch_size": batch,
        "d_steps": preset.model.settings.get("d_steps", 1),
        "flops": flops,
        "gflop_per_train_image": flops["total"] / 1e9,
        "gflop_per_generated_image": flops["generate_flops"] / 1e9,
        "variants": result_variants,
        "failed": failed,
        "ratios": ratios,
        "matmul_gflops_in_rounds": {dtype: summary(values) for dtype, values in matmul_rates.items()},
        "generate": {
            "n": GENERATE_N,
            "seconds": generate_seconds,
            "images_per_second": generate_rate,
            "gflops_per_second": generate_rate * flops["generate_flops"] / 1e9,
            "percent_of_matmul": 100 * median_ratio(generate_gflops, generate_matmul),
            "matmul_gflops": generate_matmul,
        },
    }


# ---------------------------------------------------------------------------------------- report


def _median(row, key):
    entry = row["variants"].get(key)
    return entry["images_per_second"]["median"] if entry else None


def _ratio(row, key):
    entry = row["ratios"].get(key)
    return entry["median"] if entry else None


def _fmt(value, spec, width):
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}{spec}}"


COLUMNS = (
    ("preset", 14), ("f32", 7), ("bf16", 7), ("xla", 7), ("baseline", 9), ("ganzoo/base", 12), ("bf16/f32", 9),
    ("GFLOP/img", 10), ("f32 GFLOP/s (%mm)", 18), ("real/in-mem", 12), ("gen img/s", 10),
)


def header() -> str:
    names = [f"{name:<{width}}" if i == 0 else f"{name:>{width}}" for i, (name, width) in enumerate(COLUMNS)]
    return " ".join(names) + "\n" + " ".join("-" * width for _, width in COLUMNS)


def table_row(row) -> str:
    w = [width for _, width in COLUMNS]
    f32 = row["variants"].get("float32")
    f32_gflops = "n/a" if f32 is None else f"{f32['gflops_per_second']:.0f} ({f32['percent_of_matmul']:.0f}%)"
    cells = [
        f"{row['preset']:<{w[0]}}",
        _fmt(_median(row, "float32"), ".0f", w[1]),
        _fmt(_median(row, "mixed_bfloat16"), ".0f", w[2]),
        _fmt(_median(row, "xla"), ".0f", w[3]),
        _fmt(_median(row, "baseline"), ".0f", w[4]),
        _fmt(_ratio(row, "ganzoo_over_baseline"), ".2f", w[5]),
        _fmt(_ratio(row, "bf16_over_f32"), ".2f", w[6]),
        _fmt(row["gflop_per_train_image"], ".4f", w[7]),
        f"{f32_gflops:>{w[8]}}",
        _fmt(_ratio(row, "real_data_over_in_memory"), ".2f", w[9]),
        _fmt(row["generate"]["images_per_second"], ".0f", w[10]),
    ]
    return " ".join(cells)


def variant_table(rows) -> list[str]:
    lines = [f"{'preset':<14} {'variant':<15} {'img/s median':>12} {'(min-max)':>15} {'GFLOP/s':>8} "
             f"{'% of matmul':>16}"]
    for row in rows:
        for key, entry in row["variants"].items():
            images = entry["images_per_second"]
            spread = f"({images['min']:.0f}-{images['max']:.0f})"
            lines.append(
                f"{row['preset']:<14} {key:<15} {images['median']:>12.0f} {spread:>15} "
                f"{entry['gflops_per_second']:>8.1f} {entry['percent_of_matmul']:>5.1f}% of {entry['matmul_dtype']:<8}"
            )
        generate = row["generate"]
        spread = f"({GENERATE_N / max(generate['seconds']):.0f}-{GENERATE_N / min(generate['seconds']):.0f})"
        lines.append(
            f"{row['preset']:<14} {'generate f32':<15} {generate['images_per_second']:>12.0f} {spread:>15} "
            f"{generate['gflops_per_second']:>8.1f} {generate['percent_of_matmul']:>5.1f}% of float32"
        )
        for key, reason in row["failed"].items():
            lines.append(f"{row['preset']:<14} {key:<15} failed: {reason}")
    return lines


def targets(row) -> list[dict]:
    f32 = row["variants"].get("float32", {})
    checks = [
        ("float32 training >= 50% of float32 matmul rate", f32.get("percent_of_matmul"), 50.0, "%"),
        ("mixed_bfloat16 training >= 1.4x float32", _ratio(row, "bf16_over_f32"), 1.4, "x"),
        ("generate >= 10,000 img/s", row["generate"]["images_per_second"], 10_000.0, " img/s"),
        (f"ganzoo >= baseline (median paired ratio >= {SAME_WITHIN})",
         _ratio(row, "ganzoo_over_baseline"), SAME_WITHIN, "x"),
        (f"goal: real pipeline = in-memory (median paired ratio >= {SAME_WITHIN})",
         _ratio(row, "real_data_over_in_memory"), SAME_WITHIN, "x"),
    ]
    return [
        {"target": text, "value": value, "threshold": threshold, "unit": unit,
         "met": value is not None and value >= threshold}
        for text, value, threshold, unit in checks
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help="default: every image preset the baseline reproduces")
    parser.add_argument("--windows", type=int, help="timed rounds per preset (default 7; --quick 3)")
    parser.add_argument("--steps", type=int, help="train steps per timed window (default 30; --quick 5)")
    parser.add_argument("--quick", action="store_true", help="few short windows: a ~1 minute smoke run")
    args = parser.parse_args()
    args.windows = args.windows or (3 if args.quick else 7)
    args.steps = args.steps or (5 if args.quick else 30)
    args.generate_calls = 2 if args.quick else 5
    matmul_repeats = 3 if args.quick else 7
    names = args.presets or image_presets()
    for name in names:  # before any timing, so an unknown preset or one whose FLOPs it cannot count costs no minutes
        try:
            gan_training_flops(ganzoo.load(name), exclude_penalties=True)
        except (ConfigError, NotImplementedError) as error:
            parser.error(f"cannot measure {name}: {error}")

    started, load_start = time.perf_counter(), os.getloadavg()[0]
    machine = machine_info()
    print(f"{machine['cpu']}, {machine['cores']} cores, TensorFlow {machine['tensorflow']}, Keras {machine['keras']}"
          + (f", env {machine['env']}" if machine["env"] else "") + f"; load average {load_start:.2f}")
    matmuls = {dtype: Matmul(dtype) for dtype in ("float32", "bfloat16")}
    for dtype, matmul in matmuls.items():
        start_rate = matmul.gflops(statistics.median(matmul.time() for _ in range(matmul_repeats)))
        print(f"matmul {dtype:<9} at start: {start_rate:4.0f} GFLOP/s "
              f"({MATMUL_N}x{MATMUL_N}, median of {matmul_repeats})")
    kernels = conv_kernel_rates(repeats=matmul_repeats * 3)
    print("\ndcgan-mnist's largest convolution, batch 64    float32  bfloat16  (GFLOP/s)")
    for name, rate in kernels.items():
        print(f"  {name:<43} {rate['float32']:7.0f} {rate['bfloat16']:9.0f}  {rate['bfloat16'] / rate['float32']:.2f}x")
    print(f"{args.windows} interleaved rounds x {args.steps} steps per variant; img/s are medians over rounds, "
          "ratios medians of per-round ratios\n", flush=True)

    rows = []
    for name in names:
        rows.append(measure_preset(name, args, matmuls))
    ceiling = {dtype: matmul.ceiling() for dtype, matmul in matmuls.items()}
    print()
    for dtype, entry in ceiling.items():
        print(f"matmul ceiling {dtype:<9} {entry['gflops_per_second']:4.0f} GFLOP/s "
              f"({MATMUL_N}x{MATMUL_N} tf.matmul, median of all {entry['timings']} timings of this run)")
    print(header())
    for row in rows:
        print(table_row(row))
    print("\n" + "\n".join(variant_table(rows)))
    print("\n(% of matmul: achieved GFLOP/s over the matmul of the same dtype timed in the same round, median)")

    print(f"\nTargets (set for {TARGET_PRESET}; a ratio counts as met within noise when its median over "
          f"rounds of paired adjacent windows is >= the threshold):")
    all_targets = {}
    shown = [row for row in rows if row["preset"] == TARGET_PRESET] or rows
    if not any(row["preset"] == TARGET_PRESET for row in rows):
        print(f"  {TARGET_PRESET} was not measured in this run; shown for the measured presets, for reference only")
    for row in rows:
        all_targets[row["preset"]] = targets(row)
    for row in shown:
        for check in all_targets[row["preset"]]:
            spec = {"%": ".1f", "x": ".2f"}.get(check["unit"], ".0f")
            value = "n/a" if check["value"] is None else f"{check['value']:{spec}}{check['unit']}"
            print(f"  {row['preset']}: {check['target']:<62} {value:>12}  {'met' if check['met'] else 'NOT met'}")
        bound = ceiling["float32"]["gflops_per_second"] * 1e9 / row["flops"]["generate_flops"]
        print(f"  {row['preset']}: (at {row['gflop_per_generated_image'] * 1e3:.1f} MFLOP per generated image, "
              f"the float32 matmul rate above allows at most {bound:,.0f} img/s)")

    result = {
        "settings": {"windows": args.windows, "steps": args.steps, "quick": args.quick, "warmup_steps": WARMUP_STEPS,
                     "generate_calls": args.generate_calls, "matmul_repeats": matmul_repeats},
        "machine": machine,
        "load_average_1min": {"start": load_start, "end": os.getloadavg()[0]},
        "matmul_ceiling": ceiling,
        "conv_kernels_gflops_per_second": kernels,
        "presets": rows,
        "targets": all_targets,
        "target_preset": TARGET_PRESET,
        "same_within": SAME_WITHIN,
    }
    subset = sorted(names) != sorted(image_presets())
    finish(result_name("throughput", args.quick, subset), result, started)


if __name__ == "__main__":
    main()
