"""ganzoo.images and ganzoo.files: image grids, scatter plots, PNG output and atomic writes."""
import numpy as np
import pytest
from PIL import Image

from ganzoo.files import atomic_path
from ganzoo.images import image_grid, samples_to_picture, save_png, scatter_image

BLUE = (31, 119, 180)
ORANGE = (255, 140, 0)


def test_image_grid_tiles_images_with_white_padding():
    images = np.full((5, 4, 4, 3), -1.0, "float32")  # five black 4x4 images
    grid = image_grid(images, padding=2)
    # ceil(sqrt(5)) = 3 columns, 2 rows; each cell is 4 pixels plus 2 of padding, plus the outer border.
    assert grid.shape == (2 * 6 + 2, 3 * 6 + 2, 3)
    assert grid.dtype == np.uint8
    for index in range(5):
        row, column = divmod(index, 3)
        top, left = 2 + row * 6, 2 + column * 6
        assert (grid[top : top + 4, left : left + 4] == 0).all(), f"image {index} is not where expected"
    # Borders and the gaps between cells are white, and so is the unused sixth cell.
    assert (grid[:2] == 255).all() and (grid[:, :2] == 255).all()
    assert (grid[6:8] == 255).all() and (grid[:, 6:8] == 255).all()
    assert (grid[8:12, 14:18] == 255).all()
    assert (grid == 0).sum() == 5 * 4 * 4 * 3


def test_image_grid_respects_columns_and_channels():
    grid = image_grid(np.zeros((6, 3, 5, 1), "float32"), columns=2, padding=1)
    assert grid.shape == (3 * 4 + 1, 2 * 6 + 1, 1)


def test_image_grid_maps_pixel_values():
    values = np.array([-1.0, 0.0, 1.0, -3.0, 3.0], "float32").reshape(1, 1, 5, 1)
    grid = image_grid(values, padding=0)
    assert grid.shape == (1, 5, 1)
    low, middle, high, below, above = grid[0, :, 0].tolist()
    assert low == 0 and high == 255
    assert middle in (127, 128)
    assert below == 0 and above == 255, "out-of-range values are clipped"


def test_scatter_image_draws_points():
    picture = scatter_image(np.array([[0.5, 0.5], [-0.5, -0.5]], "float32"))
    assert picture.shape == (256, 256, 3) and picture.dtype == np.uint8
    non_white = (picture != 255).any(axis=-1)
    assert non_white.any()
    assert (picture == BLUE).all(axis=-1).any()
    # (0.5, 0.5) is upper right, (-0.5, -0.5) lower left: nothing in the other two quadrants.
    assert non_white[:128, 128:].any() and non_white[128:, :128].any()
    assert not non_white[:128, :128].any() and not non_white[128:, 128:].any()


def test_scatter_image_draws_reference_points_in_orange():
    picture = scatter_image(np.array([[1.0, 0.0]]), reference=np.array([[-1.0, 0.0]]), size=64)
    assert picture.shape == (64, 64, 3)
    assert (picture == ORANGE).all(axis=-1).any()
    assert (picture == BLUE).all(axis=-1).any()


def test_scatter_image_of_collapsed_samples_still_shows_them():
    # A generator that collapsed to the origin must still be visible, not a blank picture.
    with np.errstate(all="raise"):
        picture = scatter_image(np.zeros((10, 2), "float32"))
    blue = (picture == BLUE).all(axis=-1)
    assert blue.any()
    rows, columns = np.nonzero(blue)
    assert abs(rows.mean() - 127.5) < 3 and abs(columns.mean() - 127.5) < 3


def test_scatter_image_skips_non_finite_points():
    picture = scatter_image(np.array([[np.nan, 0.0], [0.5, 0.5], [np.inf, 1.0]], "float32"))
    assert (picture == BLUE).all(axis=-1).any()


def test_samples_to_picture_dispatches_and_rejects_other_shapes():
    assert samples_to_picture(np.zeros((4, 3, 3, 1), "float32")).shape == (2 * 5 + 2, 2 * 5 + 2, 1)
    assert samples_to_picture(np.ones((7, 2), "float32")).shape == (256, 256, 3)
    with pytest.raises(ValueError, match="Cannot draw samples of shape"):
        samples_to_picture(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError):
        samples_to_picture(np.zeros((5, 3), "float32"))


@pytest.mark.parametrize("channels", [1, 3])
def test_save_png_writes_a_readable_png_atomically(tmp_path, channels):
    rng = np.random.default_rng(0)
    picture = image_grid(rng.uniform(-1, 1, (3, 5, 5, channels)).astype("float32"))
    path = tmp_path / "out" / "samples.png"
    save_png(picture, path)
    assert [p.name for p in path.parent.iterdir()] == ["samples.png"], "temporary files were left behind"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.mode == ("L" if channels == 1 else "RGB")
        reopened = np.asarray(image)
    expected = picture[..., 0] if channels == 1 else picture
    np.testing.assert_array_equal(reopened, expected)


def test_save_png_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "samples.png"
    save_png(np.zeros((4, 4, 3), "uint8"), path)
    save_png(np.full((6, 6, 3), 200, "uint8"), path)
    with Image.open(path) as image:
        assert image.size == (6, 6)
        assert np.asarray(image)[0, 0].tolist() == [200, 200, 200]
    assert [p.name for p in tmp_path.iterdir()] == ["samples.png"]


def test_atomic_path_keeps_the_original_when_the_body_raises(tmp_path):
    path = tmp_path / "state.txt"
    path.write_text("original", encoding="utf-8")
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(path) as temporary:
            assert temporary != path and temporary.parent == path.parent
            temporary.write_text("half-writ", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["state.txt"]


def test_atomic_path_replaces_the_file_on_success(tmp_path):
    path = tmp_path / "nested" / "state.txt"
    with atomic_path(path) as temporary:
        assert temporary.suffix == ".txt", "writers choose formats by extension"
        temporary.write_text("new", encoding="utf-8")
        assert not path.exists(), "the final name must appear only once the write is complete"
    assert path.read_text(encoding="utf-8") == "new"
    assert [p.name for p in path.parent.iterdir()] == ["state.txt"]
