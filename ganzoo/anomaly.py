"""Anomaly scores from a model of "normal" images: higher means less like what the model learned.

`score(model, images)` takes a GANomaly model (its latent residual, `GANomaly.anomaly_scores`) or
any trained unconditional latent GAN, scored as AnoGAN (Schlegl et al. 2017) does: for each image
x, a latent z is optimised so that G(z) is as close to x as the generator allows, and the score is
(1 - weight) * mean|x - G(z)| + weight * mean|f(x) - f(G(z))|, where f is the discriminator's
last hidden layer. `score_folder` is `ganzoo anomaly`: every image of a folder scored, a CSV of
the scores and a picture of the most anomalous inputs.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.data.checks import DataError
from ganzoo.data.sources import IMAGE_SUFFIXES
from ganzoo.files import write_text_atomic
from ganzoo.images import comparison_grid, save_png
from ganzoo.translating import read_image

ANOGAN_STEPS = 200
ANOGAN_WEIGHT = 0.1  # of the discriminator term, as in Schlegl et al.
ANOGAN_LEARNING_RATE = 0.05
ADAM_BETAS = (0.9, 0.999)


def _check_images(model, images) -> np.ndarray:
    images = np.asarray(images, dtype="float32")
    expected = tuple(model.batch_spec()["real"])
    if images.ndim != 4 or images.shape[1:] != expected:
        raise ValueError(f"{model.name} scores images shaped (n, {', '.join(map(str, expected))}); got a batch of "
                         f"shape {images.shape}. Resize them to the size it was trained on.")
    return images


def _feature_network(discriminator) -> keras.Model:
    """The discriminator up to its last hidden layer (the input of its one-logit output layer)."""
    if len(discriminator.outputs) != 1 or discriminator.outputs[0].shape[-1] != 1:
        raise ValueError("AnoGAN scoring needs a discriminator with one real/fake logit (an unconditional GAN such as "
                         "dcgan-mnist); this one has other outputs.")
    return keras.Model(discriminator.inputs, discriminator.layers[-1].input)


def _check_searchable(model) -> None:
    if getattr(model, "latent_dim", None) is None or model.conditional or not hasattr(model, "generate"):
        raise ValueError(f"AnoGAN scoring searches an unconditional generator's latent space; {model.name} is a "
                         f"{type(model).__name__}. Train a latent GAN such as dcgan-mnist on normal images.")


def anogan_scores(model, images, steps: int = ANOGAN_STEPS, weight: float = ANOGAN_WEIGHT,
                  learning_rate: float = ANOGAN_LEARNING_RATE, seed: int = 0, batch_size: int = 512,
                  return_reconstructions: bool = False):
    """AnoGAN scores of `images` under an unconditional latent GAN: `steps` Adam updates of one
    latent per image from a seeded start (the networks stay fixed); with `return_reconstructions`,
    also the G(z) found."""
    _check_searchable(model)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    if not 0 <= weight <= 1:
        raise ValueError(f"weight (of the discriminator term) must be between 0 and 1, got {weight}.")
    if not learning_rate > 0 or isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"learning_rate must be positive and batch_size a positive integer; got {learning_rate}, {batch_size}.")
    images = _check_images(model, images)
    generator, features = model.sampling_generator, _feature_network(model.discriminator)

    @tf.function(reduce_retracing=True)
    def search(batch, latents):
        target = features(batch, training=False)

        def losses(latents):
            made = generator(latents, training=False)
            size = ops.shape(batch)[0]
            residual = ops.mean(ops.abs(ops.reshape(batch - made, (size, -1))), axis=1)
            discrimination = ops.mean(ops.abs(ops.reshape(target - features(made, training=False), (size, -1))), axis=1)
            return (1.0 - weight) * residual + weight * discrimination, made

        # Adam on the latents alone, written out: a tf.function cannot create an optimizer's variables per call.
        first, second = tf.zeros_like(latents), tf.zeros_like(latents)
        for step in tf.range(1, steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(latents)
                total = ops.sum(losses(latents)[0])
            gradient = tape.gradient(total, latents)
            first = ADAM_BETAS[0] * first + (1 - ADAM_BETAS[0]) * gradient
            second = ADAM_BETAS[1] * second + (1 - ADAM_BETAS[1]) * gradient**2
            count = tf.cast(step, "float32")
            corrected = (first / (1 - ADAM_BETAS[0] ** count)) / (tf.sqrt(second / (1 - ADAM_BETAS[1] ** count)) + 1e-7)
            latents = latents - learning_rate * corrected
        return losses(latents)

    rng = np.random.default_rng(seed)
    scores, made = [], []
    for begin in range(0, len(images), batch_size):
        batch = images[begin : begin + batch_size]
        start = rng.standard_normal((len(batch), model.latent_dim)).astype("float32")
        batch_scores, batch_made = search(tf.constant(batch), tf.constant(start))
        scores.append(ops.convert_to_numpy(batch_scores))
        made.append(ops.convert_to_numpy(batch_made))
    scores = np.concatenate(scores).astype("float32")
    return (scores, np.concatenate(made).astype("float32")) if return_reconstructions else scores


def score(model, images, **options) -> np.ndarray:
    """One anomaly score per image (float32; higher: more anomalous): GANomaly's latent residual for
    a GANomaly model, AnoGAN's score (`anogan_scores`, which takes `options`) for a latent GAN."""
    if hasattr(model, "anomaly_scores"):
        if options:
            raise ValueError(f"{model.name} scores by its latent residual; it takes no options ({', '.join(options)}).")
        return model.anomaly_scores(_check_images(model, images))
    return anogan_scores(model, images, **options)


def score_and_reconstruct(model, images, **options) -> tuple[np.ndarray, np.ndarray]:
    """(`score`, what each image was compared with): GANomaly's reconstruction, or the G(z) that
    AnoGAN's search found and scored."""
    if hasattr(model, "reconstruct"):
        return score(model, images, **options), model.reconstruct(_check_images(model, images))
    return anogan_scores(model, images, return_reconstructions=True, **options)


def score_folder(model, input_dir, output_dir, top: int = 16, overwrite: bool = False, **options) -> dict:
    """Score every image under `input_dir`; write `scores.csv` (file, score, rank 1 = most anomalous)
    and `most_anomalous.png` (the `top` highest-scoring inputs above what the model made of them)
    into `output_dir`. Everything is read and checked before anything is written. Returns the
    scores, the files in their order, and the paths of the `table` and the `picture`."""
    if not hasattr(model, "anomaly_scores"):
        _check_searchable(model)
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir} is not a folder of images.")
    files = sorted(path for path in input_dir.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"No image files ({', '.join(sorted(IMAGE_SUFFIXES))}) under {input_dir}.")
    outputs = {"table": output_dir / "scores.csv", "picture": output_dir / "most_anomalous.png"}
    taken = [str(path) for path in outputs.values() if path.exists()]
    if taken and not overwrite:
        raise FileExistsError(f"{', '.join(taken)} exist already; choose another output folder or pass --overwrite.")
    shape = model.batch_spec()["real"]
    images = [read_image(path, shape[-1]) for path in files]
    wrong = [(path, image.shape) for path, image in zip(files, images) if image.shape != tuple(shape)]
    if wrong:
        path, found = wrong[0]
        raise DataError(f"{len(wrong)} image(s) are not {shape[0]}x{shape[1]} as the model's training images were, "
                        f"such as {path} ({found[0]}x{found[1]}); resize them first.")
    images = np.stack(images)
    scores, made = score_and_reconstruct(model, images, **options)
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(order), int)
    rank[order] = np.arange(1, len(order) + 1)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["file", "score", "rank"])
    for path, value, place in zip(files, scores, rank):
        writer.writerow([str(path.relative_to(input_dir)), f"{value:.6g}", place])
    worst = order[: max(1, top)]
    output_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(outputs["table"], table.getvalue())
    save_png(comparison_grid([images[worst], made[worst]]), outputs["picture"])
    return {"scores": scores, "files": files, **outputs}
