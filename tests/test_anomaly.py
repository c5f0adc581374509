"""Anomaly detection: GANomaly's score, AnoGAN's latent search, `ganzoo.anomaly.score`, and the
`ganzoo anomaly` command's CSV and picture."""
import csv

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo.anomaly import anogan_scores, score, score_folder
from ganzoo.cli import main
from ganzoo.data import load_arrays

SMALL = {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}


@pytest.fixture(scope="module")
def ganomaly():
    model = ganzoo.load("ganomaly-mnist", model={**SMALL, "latent_dim": 8})
    model.fit(load_arrays("mnist-5k", hold_out=True, classes=[1, 2], limit=64), batch_size=16, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="module")
def dcgan():
    return ganzoo.load("dcgan-mnist", model=SMALL)


def digits(n=6):
    return load_arrays("mnist-5k", split="test", limit=n)


def test_ganomaly_scores_the_latent_residual(ganomaly):
    images = digits()
    reconstruction, code, code_again = (np.asarray(part) for part in ganomaly.generator(images, training=False))
    np.testing.assert_allclose(score(ganomaly, images), np.mean((code - code_again) ** 2, axis=1), rtol=1e-5)
    np.testing.assert_allclose(ganomaly.reconstruct(images), reconstruction, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="takes no options"):
        score(ganomaly, images, steps=3)


def test_the_ganomaly_protocol_data_leaves_the_anomaly_and_the_test_digits_out():
    preset = ganzoo.resolve_preset("ganomaly-mnist")
    assert 0 not in preset.data.classes and preset.data.hold_out
    batch = next(iter(ganzoo.data.preset_dataset(preset, batch_size=4000, drop_remainder=False, labels=True)))
    assert 0 not in set(batch[1].numpy()) and len(batch[1]) == 3600


def test_anogan_moves_the_latent_toward_the_image(dcgan):
    images = digits(4)
    few, made_few = anogan_scores(dcgan, images, steps=1, return_reconstructions=True)
    many, made_many = anogan_scores(dcgan, images, steps=60, return_reconstructions=True)
    assert np.all(many < few)  # the search lowers every image's loss
    assert np.mean(np.abs(made_many - images)) < np.mean(np.abs(made_few - images))
    np.testing.assert_array_equal(anogan_scores(dcgan, images, steps=5), anogan_scores(dcgan, images, steps=5))


def test_scoring_refuses_what_it_cannot_score(dcgan, ganomaly):
    with pytest.raises(ValueError, match="shaped \\(n, 28, 28, 1\\); got a batch of shape \\(2, 8, 8, 1\\)"):
        score(ganomaly, np.zeros((2, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="shaped \\(n, 28, 28, 1\\)"):
        score(dcgan, np.zeros((2, 28, 28), "float32"))
    acgan = ganzoo.load("acgan-mnist", model=SMALL)
    with pytest.raises(ValueError, match="unconditional generator's latent space"):
        score(acgan, digits(2))
    pix2pix = ganzoo.load("pix2pix-edges", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    with pytest.raises(ValueError, match="unconditional generator's latent space"):
        score(pix2pix, digits(2))
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        score(dcgan, digits(2), steps=0)


def write_digits(folder, images):
    folder.mkdir(parents=True, exist_ok=True)
    for index, image in enumerate(images):
        Image.fromarray(np.round((image[..., 0] + 1) * 127.5).astype("uint8")).save(folder / f"digit{index}.png")


def test_the_command_writes_ranked_scores_and_a_picture(ganomaly, tmp_path):
    images = digits(5)
    write_digits(tmp_path / "in", images)
    ganomaly.save(tmp_path / "run.keras")
    out = tmp_path / "out"
    assert main(["anomaly", str(tmp_path / "run.keras"), str(tmp_path / "in"), "-o", str(out), "--top", "3"]) == 0
    rows = list(csv.DictReader(open(out / "scores.csv")))
    assert [row["file"] for row in rows] == [f"digit{i}.png" for i in range(5)]
    scores = np.array([float(row["score"]) for row in rows])
    stored = score(ganomaly, np.stack([np.asarray(Image.open(tmp_path / "in" / row["file"]))[..., None] / 127.5 - 1
                                       for row in rows]).astype("float32"))
    np.testing.assert_allclose(scores, stored, rtol=1e-4)
    assert sorted(int(row["rank"]) for row in rows) == [1, 2, 3, 4, 5]
    assert int(rows[int(np.argmax(scores))]["rank"]) == 1
    picture = np.asarray(Image.open(out / "most_anomalous.png"))
    worst = images[int(np.argmax(scores))]
    top_left = picture[2:30, 2:30].astype(float) / 127.5 - 1  # the first row's input, after the 2-pixel border
    assert picture.shape[0] > picture.shape[1] and np.abs(top_left - worst[..., 0]).max() < 0.01
    before = (out / "scores.csv").read_bytes()
    assert main(["anomaly", str(tmp_path / "run.keras"), str(tmp_path / "in"), "-o", str(out)]) == 2
    assert (out / "scores.csv").read_bytes() == before


def test_the_command_checks_every_input_before_writing(dcgan, tmp_path, capsys):
    write_digits(tmp_path / "in", digits(2))
    Image.fromarray(np.zeros((8, 8), "uint8")).save(tmp_path / "in" / "small.png")
    dcgan.save(tmp_path / "gan.keras")
    out = tmp_path / "out"
    assert main(["anomaly", str(tmp_path / "gan.keras"), str(tmp_path / "in"), "-o", str(out), "--steps", "2"]) == 2
    assert "1 image(s) are not 28x28" in capsys.readouterr().err and not out.exists()
    (tmp_path / "in" / "small.png").unlink()
    result = score_folder(dcgan, tmp_path / "in", out, top=2, steps=2)
    assert len(result["scores"]) == 2 and result["picture"].is_file()
