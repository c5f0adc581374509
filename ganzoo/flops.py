"""Floating-point work of a network and of one GAN training step, counted from the layers.

Why: images/s alone cannot say whether training is slow because of the framework or because
of the arithmetic; FLOPs per image turn a measured rate into GFLOP/s comparable with what the
machine's matrix multiply achieves (see benchmarks/throughput.py).

Convention:
- One multiply-add counts as 2 FLOPs; figures are forward FLOPs *per example* (batch dim excluded).
- Only contractions are counted: Dense, Conv1D/2D/3D and Conv1D/2D/3DTranspose. Bias adds,
  normalisation, activations, dropout, reshapes and other element-wise layers count 0: they
  are memory-bound and a few % of the total in these networks. SpectralNormalization counts
  its wrapped layer; its power iteration (a few matrix-vector products per call) is left out.
- ganzoo's own contracting layers (equalized dense and convolutions, modulated convolutions)
  count themselves with a `flops_per_example(input_shape)` method.
- A layer that does contract but is not understood here (anything else with a `kernel`,
  recurrent layers) raises NotImplementedError instead of silently counting 0.
- A backward pass costs 2x the forward pass of each layer: 1x for the weight gradient and 1x
  for the input gradient. The input gradient of a network's first contracting layer is never
  computed when the network's input needs no gradient (TensorFlow prunes it), so
  `NetworkFlops.first_layer` records that layer's FLOPs to subtract.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import keras
from keras import layers as L

_CONV = (L.Conv1D, L.Conv2D, L.Conv3D)
_CONV_TRANSPOSE = (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose)


def _input_shape(layer) -> tuple:
    """The shape a layer was called with in its network's graph (batch dimension included)."""
    if not layer.built:
        raise ValueError(f"Layer {layer.name!r} is not built; call or build it before counting FLOPs.")
    try:
        inputs = layer.input
        return [tuple(x.shape) for x in inputs] if isinstance(inputs, (list, tuple)) else tuple(inputs.shape)
    except (AttributeError, ValueError):
        raise ValueError(f"Cannot tell the input shape of layer {layer.name!r}: it was not called in a network.") from None


def _positions(shape, data_format) -> int:
    """Number of spatial positions of one example of an NHWC (or NCHW) shape."""
    spatial = shape[1:-1] if data_format == "channels_last" else shape[2:]
    if any(size is None for size in spatial):
        raise ValueError(f"FLOPs per example need static spatial sizes; got shape {shape}.")
    return math.prod(spatial)


def layer_flops(layer, shape=None) -> int:
    """Forward FLOPs per example of one built layer (multiply-add = 2; element-wise layers = 0).

    `shape` is the layer's input shape; by default the one it was called with in its network
    (a wrapped layer is given its wrapper's)."""
    if isinstance(layer, keras.Model):
        return network_flops(layer).forward
    if hasattr(layer, "flops_per_example"):  # ganzoo's own contracting layers count themselves
        return layer.flops_per_example(tuple(shape) if shape is not None else _input_shape(layer))
    if not isinstance(layer, (L.TimeDistributed, L.Wrapper, L.Dense, *_CONV, *_CONV_TRANSPOSE)):
        if hasattr(layer, "kernel") or hasattr(layer, "cell"):
            raise NotImplementedError(
                f"ganzoo.flops cannot count layer {layer.name!r} ({type(layer).__name__}); "
                "only Dense and (transposed) convolutions are supported."
            )
        return 0  # element-wise, normalisation, reshaping: memory-bound, not counted
    shape = tuple(shape) if shape is not None else _input_shape(layer)
    if isinstance(layer, L.TimeDistributed):  # the inner layer runs once per time step
        return shape[1] * layer_flops(layer.layer, (shape[0], *shape[2:]))
    if isinstance(layer, L.Wrapper):  # e.g. SpectralNormalization: the wrapped layer does the work
        return layer_flops(layer.layer, shape)
    if isinstance(layer, L.Dense):
        if any(size is None for size in shape[1:]):
            raise ValueError(f"FLOPs per example need static shapes; layer {layer.name!r} gets {shape}.")
        # kernel (in, out), applied at every position of the leading non-batch dimensions
        return 2 * math.prod(shape[1:-1]) * math.prod(layer.kernel.shape)
    if isinstance(layer, _CONV):
        # kernel (k..., in/groups, out), applied at every output position
        output_shape = layer.compute_output_shape(shape)
        return 2 * _positions(output_shape, layer.data_format) * math.prod(layer.kernel.shape)
    # kernel (k..., out, in): every input position scatters a k x k x out patch
    return 2 * _positions(shape, layer.data_format) * math.prod(layer.kernel.shape)


@dataclass(frozen=True)
class NetworkFlops:
    """Per-layer forward FLOPs per example of a network, nested models flattened.

    `layers`: (name, FLOPs) for every leaf layer in the model's order ("outer/inner" when nested).
    `first_layer`: FLOPs of the first contracting layer when no trainable layer comes before it,
    i.e. the layer whose input gradient backprop never needs; 0 otherwise.
    """

    layers: tuple
    first_layer: int

    @property
    def forward(self) -> int:
        return sum(flops for _, flops in self.layers)


def _leaves(model, prefix=""):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaves(layer, f"{prefix}{layer.name}/")
        else:
            yield f"{prefix}{layer.name}", layer


def network_flops(model) -> NetworkFlops:
    """Forward FLOPs per example of each layer of `model`, and those of its first contracting layer.

    Assumes the layers run as a chain in `model.layers` order, as every ganzoo network does.
    """
    rows, first_layer, trainable_before = [], None, False
    for name, layer in _leaves(model):
        flops = layer_flops(layer)
        rows.append((name, flops))
        if first_layer is None:
            if flops:
                first_layer = 0 if trainable_before else flops
            trainable_before = trainable_before or bool(layer.trainable_weights)
    return NetworkFlops(tuple(rows), first_layer or 0)


def gan_training_flops(model, exclude_penalties: bool = False) -> dict:
    """FLOPs per training image of one `train_step` of a latent GAN, and per generated image.

    Follows `AdversarialCore.discriminator_gradients` / `generator_gradients` (Gf, Df: forward FLOPs
    of the generator and of the discriminator per example it judges; G1, D1: their first
    contracting layers, see `NetworkFlops`; P: the PacGAN degree, so D judges N / P examples):

    - discriminator step: generator forward outside the tape (Gf); discriminator forward on the
      real and on the fake batch (2 Df / P); backward of both = weight gradients (2 Df / P) + input
      gradients of every layer but the first (2 (Df - D1) / P), since neither input needs a gradient.
    - generator step: generator forward (Gf); discriminator forward (Df / P); input gradients through
      the whole discriminator (Df / P; its weights are not differentiated); generator weight
      gradients (Gf) and input gradients but the first layer's (Gf - G1).
    - total = (d_steps + unrolled_steps) * discriminator step + generator step: each look-ahead
      step of an unrolled GAN is one more discriminator step.

    Optimizer updates, losses and element-wise layers are not counted (see the module docstring).
    Gradient penalties (second-order gradients) and models with other networks or loss terms are
    refused rather than guessed; `exclude_penalties=True` counts the step without its penalties
    and names them under "penalties_excluded". A StyleGAN counts as one generator (its mapping and
    synthesis networks); its second mapping pass for style mixing (under 0.1% of the FLOPs) is left out.
    """
    from ganzoo.models import LatentGAN  # late: the models import this package's neighbours

    plain = isinstance(model, LatentGAN) and tuple(model.network_names) == ("generator", "discriminator")
    if not plain or any(terms != ("adversarial",) for terms in model.loss_terms.values()):
        raise NotImplementedError(
            f"gan_training_flops counts the plain latent GAN step only; {type(model).__name__} has other "
            "networks or loss terms, whose FLOPs it does not know."
        )
    if model.penalties and not exclude_penalties:
        raise NotImplementedError(
            f"gan_training_flops does not count gradient penalties ({', '.join(model.penalties)}): their "
            "second-order gradients are not a multiple of the layers' forward FLOPs."
        )
    generator, discriminator = network_flops(model.generator), network_flops(model.discriminator)
    gf, g1 = generator.forward, generator.first_layer
    df, d1 = discriminator.forward, discriminator.first_layer
    pack = model.pack
    d_step = gf + (2 * df + 2 * df + 2 * (df - d1)) / pack
    g_step = gf + (df + df) / pack + gf + (gf - g1)
    return {
        "generator_forward": gf,
        "generator_first_layer": g1,
        "discriminator_forward": df,
        "discriminator_first_layer": d1,
        "pack": pack,
        "d_steps": model.d_steps,
        "unrolled_steps": model.unrolled_steps,
        "d_step": d_step,
        "g_step": g_step,
        "total": (model.d_steps + model.unrolled_steps) * d_step + g_step,
        "generate_flops": gf,
        "penalties_excluded": sorted(model.penalties),
    }
