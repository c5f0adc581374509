"""The unconditional GAN: the original fully connected GAN, DCGAN, WGAN(-GP), LSGAN, SNGAN, PacGAN and
the unrolled GAN are presets of this one class; the loss family and stabilizers are settings."""
import keras

from ganzoo.models.latent import LatentGAN
from ganzoo.registry import register_model


@register_model("gan")
@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(LatentGAN):
    """Unconditional generator and discriminator; the loss family comes from `compile(loss=...)`."""
