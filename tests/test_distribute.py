"""tf.distribute: one step on two replicas equals one step on one device, and replicas draw their own latents."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Logical devices must be configured before TensorFlow starts, so the comparison runs in its own process.
SCRIPT = r"""
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np, ganzoo
from ganzoo.models import GAN

class LatentsAsLabels(GAN):
    # Each example carries its own latent, so splitting the batch across replicas cannot change it.
    uses_labels = True

    def generator_inputs(self, latents, labels):
        return labels

def build():
    keras.utils.set_random_seed(0)
    nets = ganzoo.load("gan-ring", compile=False, model={"generator": {"units": [8]}, "discriminator": {"units": [8]}})
    model = LatentsAsLabels(nets.generator, nets.discriminator, latent_dim=nets.latent_dim)
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
per_replica = strategy.run(tf.function(lambda: sampler.sample_latents(4)))
first, second = (np.array(v) for v in per_replica.values)
with strategy.scope():
    unseeded = ganzoo.load("gan-ring").generate(3)  # cross-replica context: plain sampling
print(json.dumps({
    "replica_latents_equal": bool(np.array_equal(first, second)),
    "replica_latents_shape": list(first.shape),
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
    assert result["unseeded_shape"] == [3, 2]
    for name in ("d_loss", "g_loss"):
        assert abs(result["single_logs"][name][0] - result["mirrored_logs"][name][0]) < 1e-5
