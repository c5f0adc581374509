"""Proof that a refactor changed no arithmetic: the weights every preset trains to, as digests.

    python benchmarks/weights_digest.py --record benchmarks/results/weights_digest.json
    python benchmarks/weights_digest.py --compare benchmarks/results/weights_digest.json

Each preset trains as `ganzoo train PRESET --deterministic` does (`ganzoo.runs.train`), for
`--steps` steps of batch `--batch-size` (one epoch of a seeded `data.limit` subset), each in a
fresh Python process so no preset sees another's random state. The digest is the SHA-256 of
every weight of every network the model trains (generator, discriminator, generator average),
in network order. `--compare` prints a table and exits 1 when any preset differs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

NETWORKS = ("generator", "discriminator", "generator_ema")


def network_digests(model) -> dict:
    """SHA-256 of each trained network's weights (values, shapes and dtypes, in order)."""
    digests = {}
    for name in NETWORKS:
        network = getattr(model, name, None)
        if network is None:
            continue
        digest = hashlib.sha256()
        for variable in network.weights:
            value = variable.numpy()
            digest.update(f"{value.dtype}{value.shape}".encode())
            digest.update(value.tobytes())
        digests[name] = digest.hexdigest()
    return digests


def digest_preset(name: str, steps: int, batch_size: int) -> dict:
    """Train `name` deterministically for `steps` steps in a temporary run folder; its digests."""
    from ganzoo.runs import train

    overrides = {"train": {"epochs": 1, "batch_size": batch_size}, "data": {"limit": steps * batch_size}}
    with tempfile.TemporaryDirectory() as folder:
        run, history = train(name, Path(folder) / name, overrides, verbose=0, deterministic=True)
        model = history.model
        return {"steps": int(model.g_optimizer.iterations), "digests": network_digests(model)}


def _in_subprocess(name: str, steps: int, batch_size: int) -> dict:
    command = [sys.executable, __file__, "--one", name, "--steps", str(steps), "--batch-size", str(batch_size)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def digest_all(names, steps: int, batch_size: int, jobs: int) -> dict:
    with ThreadPoolExecutor(jobs) as pool:
        results = pool.map(lambda name: _in_subprocess(name, steps, batch_size), names)
        return dict(zip(names, results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--record", metavar="JSON", help="write every preset's digests here")
    action.add_argument("--compare", metavar="JSON", help="train again and compare with a recorded file")
    action.add_argument("--one", metavar="PRESET", help=argparse.SUPPRESS)  # the per-process worker
    parser.add_argument("--steps", type=int, default=4, help="training steps per preset (default 4)")
    parser.add_argument("--batch-size", type=int, default=16, help="batch size (default 16)")
    parser.add_argument("--jobs", type=int, default=2, help="presets trained at once (default 2)")
    parser.add_argument("presets", nargs="*", help="presets to check (default: every preset)")
    args = parser.parse_args()

    if args.one:
        print(json.dumps(digest_preset(args.one, args.steps, args.batch_size)))
        return 0
    import ganzoo

    started = time.perf_counter()
    if args.record:
        names = args.presets or ganzoo.list_models()
        results = digest_all(names, args.steps, args.batch_size, args.jobs)
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        record = {"commit": commit, "steps": args.steps, "batch_size": args.batch_size, "presets": results}
        Path(args.record).parent.mkdir(parents=True, exist_ok=True)
        Path(args.record).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        failed = [name for name, result in results.items() if "error" in result]
        print(f"recorded {len(results) - len(failed)} presets on {commit[:10]} in {args.record}"
              f" ({time.perf_counter() - started:.0f} s)" + (f"; failed: {failed}" if failed else ""))
        return 1 if failed else 0

    recorded = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    names = args.presets or sorted(recorded["presets"])
    results = digest_all(names, recorded["steps"], recorded["batch_size"], args.jobs)
    width = max(map(len, names))
    print(f"{'preset':<{width}}  result  (against commit {recorded['commit'][:10]})")
    differ = []
    for name in names:
        then, now = recorded["presets"].get(name), results[name]
        same = then is not None and "error" not in now and then == now
        print(f"{name:<{width}}  {'same' if same else 'DIFFERS'}" + ("" if same else f"  {now.get('error', '')}"))
        differ += [] if same else [name]
    print(f"{len(names) - len(differ)} of {len(names)} presets bit-identical ({time.perf_counter() - started:.0f} s)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
