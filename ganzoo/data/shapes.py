"""Shapes: a colour data set with known factors, drawn procedurally and deterministically from a seed.

Each image shows one shape of one colour on one background (the discrete factors), at a position,
size and rotation (the continuous factors). The 5 x 6 x 4 = 120 combinations of the discrete factors
are the modes that `ganzoo.metrics.factor_coverage` counts, as stacked MNIST's digit triples are.

    images, factors = draw_shapes(1000, seed=0)        # uint8 (1000, 32, 32, 3), dict of arrays
    factors["shape"][0], factors["x"][0]                # index into SHAPE_KINDS, centre as a fraction

Shapes are drawn from their exact signed distance, so edges are anti-aliased at any image size, and
the same seed draws the same scenes at 32x32 and 64x64. The first n images of a seed do not depend on
how many are drawn, and every run of 120 consecutive images holds each combination once.
"""
from __future__ import annotations

import functools

import numpy as np

SHAPE_KINDS = ("circle", "square", "triangle", "star", "cross")
COLOURS = ("red", "yellow", "green", "cyan", "blue", "magenta")
BACKGROUNDS = ("black", "grey", "stripes", "checks")
SHAPE_FACTORS = {"shape": SHAPE_KINDS, "colour": COLOURS, "background": BACKGROUNDS}  # the discrete factors
CONTINUOUS_FACTORS = ("x", "y", "size", "rotation")
SHAPE_COMBINATIONS = len(SHAPE_KINDS) * len(COLOURS) * len(BACKGROUNDS)
SHAPES_SIZE = 20_000

SIZE_RANGE = (0.2, 0.34)  # circumradius as a fraction of the image side: 6.4 to 10.9 pixels at 32x32
MARGIN = 0.03  # the shape stays this far (as a fraction of the side) inside the image

_RGB = {
    "red": (230, 30, 30),
    "yellow": (240, 220, 20),
    "green": (30, 200, 40),
    "cyan": (20, 210, 230),
    "blue": (40, 80, 250),
    "magenta": (220, 40, 220),
}
# Grey backgrounds, so that every saturated colour stands out on every one: flat, or two tones.
_TONES = {"black": (12, 12), "grey": (128, 128), "stripes": (40, 100), "checks": (60, 120)}
TEXTURE_PERIOD = 1 / 8  # stripes and checks repeat 8 times across the image


def shape_combination(shape, colour, background):
    """Combination ids, shape-major: (shape * len(COLOURS) + colour) * len(BACKGROUNDS) + background."""
    return (np.asarray(shape) * len(COLOURS) + np.asarray(colour)) * len(BACKGROUNDS) + np.asarray(background)


def decode_shape_combination(ids) -> dict:
    """{"shape", "colour", "background"} index arrays of combination ids (the inverse of shape_combination)."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= SHAPE_COMBINATIONS):
        raise ValueError(f"Shape combination ids lie in [0, {SHAPE_COMBINATIONS}); got values in [{ids.min()}, {ids.max()}].")
    rest, background = np.divmod(ids, len(BACKGROUNDS))
    shape, colour = np.divmod(rest, len(COLOURS))
    return {"shape": shape, "colour": colour, "background": background}


def _factors(n: int, seed: int) -> dict:
    """The factors of the first n scenes of `seed`; row i never depends on n."""
    blocks = -(-n // SHAPE_COMBINATIONS)
    order = np.argsort(np.random.default_rng([seed, 0]).random((blocks, SHAPE_COMBINATIONS)), axis=1)
    factors = decode_shape_combination(order.reshape(-1)[:n].astype("int32"))
    u = np.random.default_rng([seed, 1]).random((n, 4))
    low, high = SIZE_RANGE
    size = low + (high - low) * u[:, 0]
    room = 1.0 - 2.0 * (size + MARGIN)
    factors.update(
        x=size + MARGIN + room * u[:, 1],
        y=size + MARGIN + room * u[:, 2],
        size=size,
        rotation=360.0 * u[:, 3],
    )
    return {key: value.astype("float32" if key in CONTINUOUS_FACTORS else "int32") for key, value in factors.items()}


# Each shape but the circle has k-fold rotational and mirror symmetry, so its signed distance is that
# of the point folded into the wedge 0 <= angle <= pi / k, where its outline is a short polyline
# (vertices at increasing angles; unit circumradius; the shape's own angle 0 points along +x).
_CROSS_ARM, _CROSS_HALF_WIDTH = 0.95, 0.31  # the cross's arm tips' corners lie on the unit circle
_STAR_INNER = 0.45  # inner radius of the 5-pointed star
_OUTLINES = {
    "square": (4, [(0.5**0.5, 0.0), (0.5**0.5, 0.5**0.5)]),
    "triangle": (3, [(0.5, 0.0), (0.5, 0.75**0.5)]),
    "star": (5, [(1.0, 0.0), (_STAR_INNER * np.cos(np.pi / 5), _STAR_INNER * np.sin(np.pi / 5))]),
    "cross": (4, [(_CROSS_ARM, 0.0), (_CROSS_ARM, _CROSS_HALF_WIDTH), (_CROSS_HALF_WIDTH, _CROSS_HALF_WIDTH)]),
}


def _signed_distance(kind: str, x, y, rotation):
    """Signed distance (negative inside) from points (x, y), in units of the circumradius and relative
    to the shape's centre, to the outline of a shape turned by `rotation` radians."""
    radius = np.hypot(x, y)
    if kind == "circle":
        return radius - 1.0
    folds, outline = _OUTLINES[kind]
    wedge = 2 * np.pi / folds
    angle = np.mod(np.arctan2(y, x) - rotation, wedge)
    angle = np.minimum(angle, wedge - angle)
    px, py = radius * np.cos(angle), radius * np.sin(angle)
    distance, inside = None, None
    for (ax, ay), (bx, by) in zip(outline, outline[1:]):
        ex, ey = bx - ax, by - ay
        wx, wy = px - ax, py - ay
        t = np.clip((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        squared = (wx - t * ex) ** 2 + (wy - t * ey) ** 2
        # Inside this segment's part of the wedge when on the origin's side of its line.
        segment_inside = ex * wy - ey * wx > 0
        if distance is None:
            distance, inside = squared, segment_inside
        else:
            distance = np.minimum(distance, squared)
            inside = np.where(angle < np.arctan2(ay, ax), inside, segment_inside)
    return np.where(inside, -1.0, 1.0) * np.sqrt(distance)


def _backgrounds(image_size: int) -> np.ndarray:
    """(len(BACKGROUNDS), size, size) grey levels; stripes are diagonal and anti-aliased."""
    centres = (np.arange(image_size) + 0.5) / image_size
    x, y = np.meshgrid(centres, centres)
    period = TEXTURE_PERIOD * image_size  # pixels
    # Distance in pixels across the diagonal stripes from the edge of the light band (negative inside).
    across = (x + y) * image_size / np.sqrt(2.0)
    band = np.abs(np.mod(across, period / np.sqrt(2.0)) - period / (2 * np.sqrt(2.0))) - period / (4 * np.sqrt(2.0))
    patterns = {
        "stripes": np.clip(0.5 - band, 0.0, 1.0),
        "checks": ((np.floor(x / TEXTURE_PERIOD) + np.floor(y / TEXTURE_PERIOD)) % 2).astype("float64"),
    }
    levels = []
    for name in BACKGROUNDS:
        dark, light = _TONES[name]
        levels.append(dark + (light - dark) * patterns.get(name, np.zeros_like(x)))
    return np.stack(levels).astype("float32")


def _render(factors: dict, image_size: int, chunk: int = 256) -> np.ndarray:
    n = len(factors["shape"])
    centres = ((np.arange(image_size) + 0.5) / image_size).astype("float32")
    backgrounds = _backgrounds(image_size)
    colours = np.array([_RGB[name] for name in COLOURS], "float32")
    images = np.empty((n, image_size, image_size, 3), "uint8")
    for start in range(0, n, chunk):  # chunks keep the intermediate arrays in cache
        part = slice(start, min(start + chunk, n))
        size = factors["size"][part, None, None]
        x = (centres[None, None, :] - factors["x"][part, None, None]) / size
        y = (centres[None, :, None] - factors["y"][part, None, None]) / size
        rotation = np.deg2rad(factors["rotation"][part, None, None])
        distance = np.empty((len(x), image_size, image_size), "float32")
        kinds = factors["shape"][part]
        for index, kind in enumerate(SHAPE_KINDS):
            mask = kinds == index
            if mask.any():
                distance[mask] = _signed_distance(kind, *np.broadcast_arrays(x[mask], y[mask]), rotation[mask])
        # Coverage of a pixel by the shape, from its distance to the edge in pixels.
        alpha = np.clip(0.5 - distance * size * image_size, 0.0, 1.0)[..., None]
        background = backgrounds[factors["background"][part]][..., None]
        colour = colours[factors["colour"][part]][:, None, None, :]
        images[part] = np.rint(background + alpha * (colour - background))
    return images


@functools.lru_cache(maxsize=2)
def _cached(n: int, seed: int, image_size: int):
    factors = _factors(n, seed)
    images = _render(factors, image_size)
    for array in (images, *factors.values()):
        array.flags.writeable = False
    return images, factors


def draw_shapes(n: int = SHAPES_SIZE, seed: int = 0, image_size: int = 32) -> tuple[np.ndarray, dict]:
    """`n` scenes of `seed`: uint8 RGB images (n, image_size, image_size, 3) and their factors.

    The factors are a dict of arrays: "shape", "colour" and "background" (int32 indices into
    SHAPE_KINDS, COLOURS and BACKGROUNDS), "x" and "y" (the shape's centre as a fraction of the image
    side, from the left and from the top), "size" (its circumradius as a fraction of the side) and
    "rotation" (degrees, clockwise as seen on screen). Shapes with
    symmetry look the same under turns by 360 / 4 (square, cross), 360 / 3 (triangle) or 360 / 5
    (star) degrees, and a circle under any. Results are cached per process and read-only.
    """
    if n < 0 or image_size < 8:
        raise ValueError(f"draw_shapes needs n >= 0 and image_size >= 8, got n={n}, image_size={image_size}.")
    images, factors = _cached(int(n), int(seed), int(image_size))
    return images, dict(factors)


def shapes_loader(image_size: int):
    """A built-in source's loader: `limit` (default 20,000) scenes, labelled with their combination id."""

    def load(limit=None, seed=0, **_):
        images, factors = draw_shapes(SHAPES_SIZE if limit is None else limit, seed, image_size)
        return images, shape_combination(factors["shape"], factors["colour"], factors["background"]).astype("int32")

    load.__doc__ = f"Shapes at {image_size}x{image_size} (see ganzoo.data.shapes), labelled by combination."
    return load
