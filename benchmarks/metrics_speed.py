"""Wall-clock cost of the feature metrics at evaluation scale: 10,000 real vs 10,000 generated 2,048-d features.

    python benchmarks/metrics_speed.py [--n 10000] [--dims 2048] [--repeat 1]

Prints a table and writes benchmarks/results/metrics_speed.json. Features are seeded random
float32 with Inception-like structure (a low-rank correlated part plus noise, non-negative
after a ReLU); the generated set is shifted and rescaled so no metric sits at a trivial value.
Peak memory is the process's maximum resident set size (inputs and imported libraries
included; the figure before any metric runs is reported too). KID's float32 kernels are also
checked against a float64 computation on the first few of the same subsets.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np

from ganzoo.metrics.fid import frechet_distance
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.prdc import prdc
from results_file import write_result

TARGETS = {"fid": 5.0, "kid": 5.0, "prdc": 20.0}


def synthetic_features(n: int, dims: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((64, dims), dtype=np.float32) / 8

    def draw(scale, shift):
        latent = rng.standard_normal((n, 64), dtype=np.float32)
        noise = rng.standard_normal((n, dims), dtype=np.float32)
        return np.maximum(scale * latent @ mixing + 0.5 * noise + shift, 0.0)

    return draw(1.0, 0.4), draw(1.1, 0.45)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kid_float32_relative_error(real, fake, subsets: int = 5, size: int = 1000, seed: int = 0) -> float:
    """|KID - KID_float64| / KID_float64 on the first `subsets` of the subsets KID draws with `seed`."""
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), size, replace=False)].astype(np.float64)
        y = fake[rng.choice(len(fake), size, replace=False)].astype(np.float64)
        kxx, kyy, kxy = ((u @ v.T / x.shape[1] + 1) ** 3 for u, v in ((x, x), (y, y), (x, y)))
        within = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (size * (size - 1))
        estimates.append(within - 2 * kxy.mean())
    reference = np.mean(estimates)
    fast = kernel_inception_distance(real, fake, subsets=subsets, subset_size=size, seed=seed)[0]
    return float(abs(fast - reference) / abs(reference))


def timed(function, repeat: int):
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="samples in each set")
    parser.add_argument("--dims", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=1, help="report the fastest of this many runs")
    args = parser.parse_args()

    real, fake = synthetic_features(args.n, args.dims)
    memory_before = peak_memory_mb()
    runs = {
        "fid": lambda: frechet_distance(real, fake),
        "kid": lambda: kernel_inception_distance(real, fake, subsets=100, subset_size=1000),
        "prdc": lambda: prdc(real, fake, k_pr=3, k_dc=5),
    }
    rows = []
    for name, function in runs.items():
        seconds, value = timed(function, args.repeat)
        rows.append(
            {
                "metric": name,
                "seconds": round(seconds, 2),
                "target_seconds": TARGETS[name],
                "ok": seconds < TARGETS[name],
                "value": value,
                "peak_memory_mb_so_far": round(peak_memory_mb()),
            }
        )

    print(f"{'metric':<8}{'seconds':>9}{'target':>8}  ok")
    for row in rows:
        print(f"{row['metric']:<8}{row['seconds']:>9.2f}{row['target_seconds']:>8.1f}  {'yes' if row['ok'] else 'NO'}")
    print(f"peak memory: {peak_memory_mb():.0f} MB max RSS ({memory_before:.0f} MB before the metrics ran)")
    kid_error = kid_float32_relative_error(real, fake)
    print(f"KID float32 vs float64 on 5 subsets: relative difference {kid_error:.1e}")

    result = {
        "n_real": args.n,
        "n_fake": args.n,
        "dims": args.dims,
        "repeat": args.repeat,
        "rows": rows,
        "peak_memory_mb": round(peak_memory_mb()),
        "memory_before_metrics_mb": round(memory_before),
        "kid_float32_relative_error": kid_error,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    print(f"wrote {write_result('metrics_speed', result)}")


if __name__ == "__main__":
    main()
