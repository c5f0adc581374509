"""The unconditional GAN: the original fully connected GAN and DCGAN are presets of this class."""
import keras

from ganzoo.models.base import BaseGAN
from ganzoo.registry import register_model


@register_model("gan")
@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(BaseGAN):
    """Unconditional generator and discriminator; the loss family comes from `compile(loss=...)`."""
