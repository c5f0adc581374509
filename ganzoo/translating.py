"""Translating and upscaling image files with a trained translator: what `ganzoo translate` and
`ganzoo upscale` do. Every input is read and every output name checked before anything is
written; large images go through the network in overlapping tiles (`ganzoo.tiling`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ganzoo.data.checks import DataError
from ganzoo.data.sources import IMAGE_SUFFIXES, read_image_file
from ganzoo.images import save_png
from ganzoo.tiling import translate_tiled

DIRECTIONS = {"a2b": "generator", "b2a": "generator_ba"}


def read_image(path: Path, channels: int) -> np.ndarray:
    """One image file as float32 (H, W, `channels`) in [-1, 1] (grey or RGB, converted as needed)."""
    pixels = read_image_file(path, channels).astype("float32")
    pixels = pixels[..., None] if pixels.ndim == 2 else pixels
    return pixels / 127.5 - 1.0


def to_pixels(image: np.ndarray) -> np.ndarray:
    """Float (H, W, C) in [-1, 1] -> uint8 pixels."""
    return np.round((np.clip(image, -1.0, 1.0) + 1.0) * 127.5).astype("uint8")


def _network(model, direction: str) -> str:
    if model.pairing not in ("paired", "unpaired"):
        raise ValueError(f"The run holds a {type(model).__name__}, which draws samples; translate needs an image-to-image "
                         "or super-resolution model (pix2pix, cyclegan, srgan presets).")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction is a2b or b2a; got {direction!r}.")
    network = DIRECTIONS[direction]
    if not hasattr(model, network):
        raise ValueError(f"{type(model).__name__} translates one way only (a2b); b2a needs a CycleGAN.")
    return network


def _scale(model, network: str) -> int:
    net = getattr(model, network)
    return net.output_shape[1] // net.input_shape[1]


def _check_free(outputs: list[Path], overwrite: bool) -> None:
    taken = [path for path in outputs if path.exists()]
    if taken and not overwrite:
        shown = ", ".join(str(path) for path in taken[:3]) + (" ..." if len(taken) > 3 else "")
        raise FileExistsError(f"{len(taken)} output file(s) exist already ({shown}); choose another output or pass --overwrite.")


def translate_image(model, image: np.ndarray, direction: str = "a2b", tile: int = 256, overlap: int = 16) -> np.ndarray:
    """One (H, W, C) image in [-1, 1] translated (tiled when larger than `tile` source pixels)."""
    network = _network(model, direction)
    return translate_tiled(lambda batch: model.translate(batch, network=network), image, tile, overlap,
                           _scale(model, network))


def translate_folder(model, input_dir, output_dir, direction: str = "a2b", tile: int = 256, overlap: int = 16,
                     overwrite: bool = False) -> list[Path]:
    """Every image under `input_dir` translated into a PNG of the same relative name in `output_dir`."""
    network = _network(model, direction)
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir} is not a folder of images.")
    if output_dir.resolve() == input_dir.resolve():
        raise ValueError("The output folder is the input folder; give another one, so no input is overwritten.")
    files = sorted(path for path in input_dir.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"No image files ({', '.join(sorted(IMAGE_SUFFIXES))}) under {input_dir}.")
    outputs = [output_dir / path.relative_to(input_dir).with_suffix(".png") for path in files]
    _check_free(outputs, overwrite)
    channels = getattr(model, network).input_shape[-1]
    images = [read_image(path, channels) for path in files]  # all read before anything is written
    for image, output in zip(images, outputs):
        output.parent.mkdir(parents=True, exist_ok=True)
        save_png(to_pixels(translate_image(model, image, direction, tile, overlap)), output)
    return outputs


def upscale_file(model, input_path, output_path=None, tile: int = 256, overlap: int = 16, overwrite: bool = False) -> Path:
    """One image file upscaled by a super-resolution model into a PNG (default: <name>_x<scale>.png beside it)."""
    if not hasattr(model, "upscale"):
        raise ValueError(f"The run holds a {type(model).__name__}; upscale needs a super-resolution model (srresnet or "
                         "srgan presets). For other translators use `ganzoo translate`.")
    input_path = Path(input_path)
    output_path = Path(output_path) if output_path else input_path.with_name(f"{input_path.stem}_x{model.scale}.png")
    if output_path.resolve() == input_path.resolve():
        raise ValueError("The output is the input file; give another name.")
    _check_free([output_path], overwrite)
    image = read_image(input_path, model.generator.input_shape[-1])
    output_path.parent.mkdir(parents=True, exist_ok=True)
    save_png(to_pixels(translate_image(model, image, "a2b", tile, overlap)), output_path)
    return output_path
