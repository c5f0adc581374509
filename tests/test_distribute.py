"""tf.distribute: mirrored replicas match one device; two workers on loopback train and agree."""
import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo  # noqa: F401  (registers the model classes for load_model)
from ganzoo.config import ConfigError
from ganzoo.distribute import make_strategy, worker_name
from tiny_runs import ROOT, train

# Logical devices must be configured before TensorFlow starts, so the comparison runs in its own process.
SCRIPT = r"""
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np, ganzoo
from ganzoo.models import GAN

class LatentsInTheBatch(GAN):
    # Each example carries its own latent, so splitting the batch across replicas cannot change it.
    batch_structure = ("real", "latents")

    def batch_spec(self):
        return {"real": (2,), "latents": (16,)}

    def draw(self, step):
        return {"latents": step.batch["latents"]}

def build():
    keras.utils.set_random_seed(0)
    nets = ganzoo.load("gan-ring", compile=False, model={"generator": {"units": [8]}, "discriminator": {"units": [8]}})
    model = LatentsInTheBatch(nets.generator, nets.discriminator, latent_dim=nets.latent_dim)
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    return model

points = ganzoo.data.sample_mixture("ring", 8, seed=1)[0]
latents = np.random.default_rng(2).standard_normal((8, 16)).astype("float32")
batches = tf.data.Dataset.from_tensor_slices((points, latents)).batch(8)
initial = [np.array(v) for v in build().trainable_weights]
single = build()
single_logs = single.fit(batches, epochs=1, verbose=0).history
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = build()
mirrored_logs = mirrored.fit(batches, epochs=1, verbose=0).history
with strategy.scope():
    sampler = build()
per_replica = strategy.run(tf.function(lambda: sampler.draw_random(keras.random.normal, (4, 16))))
first, second = (np.array(v) for v in per_replica.values)
from ganzoo.augment import diff_augment
augmented = strategy.run(tf.function(lambda: diff_augment(tf.zeros((4, 8, 8, 1)), "color", sampler.draw_random)))
augmented = [np.array(v) for v in augmented.values]
with strategy.scope():
    unseeded = ganzoo.load("gan-ring").generate(3)  # cross-replica context: plain sampling
print(json.dumps({
    "replica_latents_equal": bool(np.array_equal(first, second)),
    "replica_latents_shape": list(first.shape),
    "replica_augment_equal": bool(np.array_equal(*augmented)),
    "unseeded_shape": list(unseeded.shape),
    "replicas": strategy.num_replicas_in_sync,
    "difference": max(float(np.abs(np.array(a) - np.array(b)).max())
                      for a, b in zip(single.trainable_weights, mirrored.trainable_weights)),
    "update": max(float(np.abs(np.array(a) - b).max()) for a, b in zip(single.trainable_weights, initial)),
    "single_logs": single_logs, "mirrored_logs": mirrored_logs,
}))
"""


def test_two_replicas_match_one_device():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert result["update"] > 1e-3, "the step did not move the weights, so the comparison proves nothing"
    assert result["difference"] < 1e-6 * max(1.0, result["update"]) + 1e-7
    assert not result["replica_latents_equal"], "both replicas drew the same latents"
    assert result["replica_latents_shape"] == [4, 16]
    assert not result["replica_augment_equal"], "both replicas augmented with the same random numbers"
    assert result["unseeded_shape"] == [3, 2]
    for name in ("d_loss", "g_loss"):
        assert abs(result["single_logs"][name][0] - result["mirrored_logs"][name][0]) < 1e-5


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def test_two_workers_on_loopback_finish_and_agree(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    command = [sys.executable, "-m", "ganzoo.cli", "train", "gan-ring", "--strategy", "multiworker",
               "--out", str(tmp_path / "run"), "--epochs", "2", "--batch-size", "64", "--set", "data.limit=256",
               "--set", "model.generator.units=[16]", "--set", "model.discriminator.units=[16]"]  # fmt: skip
    processes = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(tf_config),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        processes.append(subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))  # fmt: skip
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    chief = keras.models.load_model(tmp_path / "run" / "model.keras")
    other = keras.models.load_model(tmp_path / "run" / "workers" / "worker-1" / "model.keras")
    assert int(chief.g_optimizer.iterations) == int(other.g_optimizer.iterations) == 2 * (256 // 64)
    for a, b in zip(chief.weights, other.weights):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    assert sorted(p.name for p in (tmp_path / "run" / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]


def test_multiworker_without_tf_config_says_how_to_set_it(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="TF_CONFIG.*cluster"):
        make_strategy("multiworker")
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    with pytest.raises(ConfigError, match="not in its cluster"):
        make_strategy("multiworker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ConfigError, match="not valid"):
        make_strategy("multiworker")


class _Cluster:
    def __init__(self, jobs, task_type, task_id):
        self.cluster_resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec(jobs), task_type=task_type, task_id=task_id
        )


def test_the_chief_owns_the_run_folder():
    two_workers = {"worker": ["a:1", "b:1"]}
    assert worker_name(_Cluster(two_workers, "worker", 0)) is None
    assert worker_name(_Cluster(two_workers, "worker", 1)) == "worker-1"
    with_chief = {"chief": ["c:1"], "worker": ["a:1"]}
    assert worker_name(_Cluster(with_chief, "chief", 0)) is None
    assert worker_name(_Cluster(with_chief, "worker", 0)) == "worker-0"
    assert worker_name(tf.distribute.get_strategy()) is None


def test_cli_trains_under_mirrored_strategy(tmp_path):
    assert train(tmp_path / "run", "--epochs", "1", "--strategy", "mirrored") == 0
    assert (tmp_path / "run" / "model.keras").is_file()
