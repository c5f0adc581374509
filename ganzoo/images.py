"""Turning samples into pictures: image grids and 2-D scatter plots as uint8 arrays and PNGs."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from ganzoo.files import atomic_path


def image_grid(images: np.ndarray, columns: int | None = None, padding: int = 2) -> np.ndarray:
    """Tile NHWC images in [-1, 1] into one uint8 (H, W, C) picture with a white border."""
    images = np.asarray(images, dtype="float32")
    n, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    pixels = np.clip((images + 1.0) * 127.5, 0, 255).round().astype("uint8")
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        255,
        dtype="uint8",
    )
    for index in range(n):
        row, column = divmod(index, columns)
        top, left = padding + row * (height + padding), padding + column * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    return grid


def scatter_image(points: np.ndarray, reference: np.ndarray | None = None, size: int = 256) -> np.ndarray:
    """Plot 2-D samples (blue) over optional reference points (orange) as a uint8 RGB picture."""
    points = np.asarray(points, dtype="float32")
    everything = points if reference is None else np.concatenate([points, reference])
    finite = everything[np.all(np.isfinite(everything), axis=1)]
    extent = (float(np.abs(finite).max()) * 1.1 if len(finite) else 0.0) or 1.0  # all-zero points: avoid 0/0
    canvas = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(canvas)

    def plot(xy, colour):
        for x, y in xy[np.all(np.isfinite(xy), axis=1)]:
            u = (x / extent + 1) * (size - 1) / 2
            v = (1 - y / extent) * (size - 1) / 2
            draw.ellipse((u - 1, v - 1, u + 1, v + 1), fill=colour)

    if reference is not None:
        plot(np.asarray(reference, dtype="float32"), (255, 140, 0))
    plot(points, (31, 119, 180))
    return np.asarray(canvas)


def _as_rgb(images: np.ndarray) -> np.ndarray:
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def comparison_grid(columns: list, padding: int = 2) -> np.ndarray:
    """Rows of images side by side, one column per array (such as source | output | target): each
    array is scaled to the largest height and width (nearest neighbour, so pixels stay visible) and
    grey turns RGB beside colour."""
    columns = [np.asarray(column, dtype="float32") for column in columns]
    height = max(column.shape[1] for column in columns)
    width = max(column.shape[2] for column in columns)
    colour = any(column.shape[-1] == 3 for column in columns)
    scaled = []
    for column in columns:
        rows = np.arange(height) * column.shape[1] // height
        cols = np.arange(width) * column.shape[2] // width
        column = column[:, rows][:, :, cols]
        scaled.append(_as_rgb(column) if colour else column)
    return image_grid(np.stack(scaled, axis=1).reshape(-1, height, width, scaled[0].shape[-1]),
                      columns=len(columns), padding=padding)


def samples_to_picture(samples: np.ndarray) -> np.ndarray:
    """A grid for image batches, a scatter plot for 2-D points."""
    if samples.ndim == 4:
        return image_grid(samples)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return scatter_image(samples)
    raise ValueError(f"Cannot draw samples of shape {samples.shape}; expected NHWC images or (n, 2) points.")


def save_png(picture: np.ndarray, path, text: dict | None = None) -> None:
    """Write a uint8 (H, W, C) picture as PNG, atomically, with optional text chunks."""
    image = Image.fromarray(picture[..., 0] if picture.shape[-1] == 1 else picture)
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    with atomic_path(path) as temporary:
        image.save(temporary, format="PNG", pnginfo=info)
