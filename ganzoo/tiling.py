"""Translating one large image in overlapping tiles, so memory stays bounded whatever its size.

Each tile is translated with a margin of `overlap` source pixels around the part of it that is
kept, so the seams fall where every output pixel still saw `overlap` pixels of context on each
side (a convolutional network's border effects stay in the discarded margins).
"""
from __future__ import annotations

import numpy as np


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start positions of tiles of `tile` pixels covering `length`, each kept part `tile - 2 *
    overlap` long; the last tile ends at the border."""
    if length <= tile:
        return [0]
    stride = tile - 2 * overlap
    starts = list(range(0, length - tile, stride))
    return starts + [length - tile]


def translate_tiled(translate, image: np.ndarray, tile: int = 128, overlap: int = 16, scale: int = 1) -> np.ndarray:
    """`translate` (a batch of (n, h, w, c) source images -> outputs `scale` times larger) applied
    to one (H, W, C) image in tiles of at most `tile` x `tile` source pixels."""
    if tile <= 2 * overlap:
        raise ValueError(f"A tile of {tile} px leaves nothing inside its overlap of {overlap} px on each side; "
                         f"use a tile larger than {2 * overlap}.")
    height, width = image.shape[:2]
    if height <= tile and width <= tile:
        return translate(image[None])[0]
    output = None
    rows, columns = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
    for top in rows:
        for left in columns:
            piece = translate(image[None, top : top + tile, left : left + tile])[0]
            if output is None:
                output = np.zeros((height * scale, width * scale, piece.shape[-1]), piece.dtype)
            # keep the tile's part beyond `overlap` from each inner edge; at the image's border keep it all
            y0 = 0 if top == rows[0] else overlap
            x0 = 0 if left == columns[0] else overlap
            y1 = piece.shape[0] if top == rows[-1] else (min(tile, height) - overlap) * scale
            x1 = piece.shape[1] if left == columns[-1] else (min(tile, width) - overlap) * scale
            y0, x0 = y0 * scale, x0 * scale
            output[top * scale + y0 : top * scale + y1, left * scale + x0 : left * scale + x1] = piece[y0:y1, x0:x1]
    return output
