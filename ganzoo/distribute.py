"""tf.distribute strategies by name, and which worker of a multi-worker run owns the run folder.

`mirrored` uses every local GPU (or the CPU); `multiworker` runs one process per machine, each told
the cluster and its own place in it by the `TF_CONFIG` environment variable (see the README).
"""
from __future__ import annotations

import json
import os

import tensorflow as tf

from ganzoo.config import ConfigError

STRATEGIES = ("none", "mirrored", "multiworker")


def _check_tf_config() -> None:
    text = os.environ.get("TF_CONFIG")
    example = (
        'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
        '"task": {"type": "worker", "index": 0}}\''
    )
    if not text:
        raise ConfigError(
            "--strategy multiworker needs the TF_CONFIG environment variable on every worker, naming the "
            f"cluster and this worker's place in it, e.g. {example} (index 1 on the second machine)."
        )
    try:
        config = json.loads(text)
        workers = config["cluster"]["worker"]
        task = config["task"]
        task_type, index = task["type"], int(task["index"])
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"TF_CONFIG is not valid: {text!r}. It should look like {example}.") from None
    jobs = config["cluster"]
    if task_type not in jobs or not 0 <= index < len(jobs[task_type]) or not workers:
        raise ConfigError(
            f"TF_CONFIG's task {task} is not in its cluster {jobs}; index counts from 0 within its job."
        )


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The strategy called `name`; create it before anything else runs TensorFlow operations."""
    if name == "none":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        _check_tf_config()
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ConfigError(f"Unknown strategy {name!r}. Available: {', '.join(STRATEGIES)}.")


def worker_name(strategy: tf.distribute.Strategy) -> str | None:
    """None for the process that writes the run folder (the chief); otherwise e.g. 'worker-1'.

    As in TensorFlow, the chief is the `chief` task, or worker 0 when the cluster has none.
    """
    resolver = strategy.cluster_resolver
    if resolver is None or not resolver.cluster_spec().as_dict():
        return None
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type == "chief" or (task_type == "worker" and task_id == 0 and "chief" not in resolver.cluster_spec().jobs):
        return None
    return f"{task_type}-{task_id}"


def spans_several_workers(strategy: tf.distribute.Strategy) -> bool:
    """True for a MultiWorkerMirroredStrategy whose cluster has more than one task."""
    resolver = strategy.cluster_resolver
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return False
    spec = resolver.cluster_spec()
    return sum(spec.num_tasks(job) for job in spec.jobs) > 1
