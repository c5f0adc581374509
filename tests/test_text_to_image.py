"""The text-to-image GAN: captions measured on the digits, the matching-aware discriminator,
`generate(texts=...)` and its errors, saving with the vocabulary, and `ganzoo sample --text`."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.data.captions import VOCABULARY, caption, make_captions, slant, stroke_thickness
from ganzoo.models import Step

TINY = {"generator": {"base_filters": 4, "text_dim": 8}, "discriminator": {"base_filters": 4, "text_dim": 8}}


@pytest.fixture(scope="module")
def model():
    return ganzoo.load("text-mnist", model=TINY, train={"batch_size": 8})


@pytest.fixture(scope="module")
def saved(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "model.keras"
    model.save(path)
    return path


def blank(size=28):
    return -np.ones((size, size), "float32")


def vertical_bar(width):
    image = blank()
    image[4:24, 12 : 12 + width] = 1.0
    return image


def diagonal(leaning_right: bool):
    """A two-pixel-wide line from the bottom-left to the top-right corner ("/"), or mirrored."""
    image = blank()
    for row in range(4, 24):
        column = 27 - row if leaning_right else row
        image[row, column : column + 2] = 1.0
    return image


# ---------------------------------------------------------------------- captions


def test_captions_follow_the_grammar_and_use_only_the_vocabulary():
    assert caption(7, 2, 2) == "a thick seven slanted to the right"
    assert caption(4, 0, 1) == "a thin four"
    assert caption(0) == "a zero"
    assert caption(3, 1, 0) == "a three slanted to the left"
    every = {caption(digit, t, s) for digit in range(10) for t in range(3) for s in range(3)}
    assert len(every) == 90
    assert set(" ".join(every).split()) == set(VOCABULARY)


def test_stroke_thickness_measures_the_pen_width_not_the_ink():
    thin, thick = stroke_thickness(np.stack([vertical_bar(1), vertical_bar(4)]))
    assert thin == pytest.approx(1, abs=0.1) and thick == pytest.approx(4, abs=0.8)
    long_thin = blank()
    long_thin[2:26, 5], long_thin[2:26, 20] = 1.0, 1.0  # twice the ink of one bar, the same width
    assert stroke_thickness(long_thin[None])[0] == pytest.approx(thin, abs=0.1)
    assert stroke_thickness(blank()[None])[0] == 0


def test_slant_is_positive_leaning_right_negative_leaning_left_and_zero_upright():
    right, left, upright = slant(np.stack([diagonal(True), diagonal(False), vertical_bar(2)]))
    assert right == pytest.approx(1, abs=0.1) and left == pytest.approx(-1, abs=0.1)
    assert upright == pytest.approx(0, abs=1e-6)


def test_captions_describe_what_is_measured_on_each_image():
    images = np.stack([vertical_bar(1), vertical_bar(3), vertical_bar(6), diagonal(True), diagonal(False)])[..., None]
    captions = make_captions(images, [1, 1, 1, 7, 7])
    assert captions[0] == "a thin one" and captions[2] == "a thick one"
    assert captions[3].endswith("seven slanted to the right") and captions[4].endswith("seven slanted to the left")
    np.testing.assert_array_equal(captions, make_captions(images, [1, 1, 1, 7, 7]))  # deterministic
    with pytest.raises(ValueError, match="one digit label per image"):
        make_captions(images, [1, 2])


def test_the_captions_pairing_yields_images_with_their_captions():
    images, captions = next(iter(ganzoo.data.load("mnist-5k", batch_size=8, limit=64, captions=True)))
    assert images.shape == (8, 28, 28, 1) and captions.dtype == tf.string and captions.shape == (8,)
    assert all(text.decode().startswith("a ") for text in captions.numpy())


def test_captions_need_a_digits_source():
    with pytest.raises(ganzoo.data.DataError, match="Captions describe digits"):
        ganzoo.load("text-mnist", data={"source": "ring"}, model={"data_shape": [2]})


# ---------------------------------------------------------------------- text encoder


@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_the_encoder_adds_an_attributes_words_whatever_the_digit(model, network):
    """The digit's word counts fully in every caption: naming an attribute adds the same vector to
    the summed embeddings of any digit (a mean would instead scale the digit's part down)."""
    net = getattr(model, network)
    encoder = keras.Model(net.get_layer("words").input, net.get_layer("word_embeddings_summed").output)
    seven, thick_seven, two, thick_two = keras.ops.convert_to_numpy(
        encoder(tf.constant(["a seven", "a thick seven slanted to the left", "a two", "a thick two slanted to the left"]))
    )
    np.testing.assert_allclose(thick_seven - seven, thick_two - two, rtol=1e-5, atol=1e-6)
    assert not np.allclose(seven, two)


# ---------------------------------------------------------------------- matching-aware discriminator


def batch(captions):
    images = np.stack([vertical_bar(2)] * len(captions))[..., None]
    return {"real": tf.constant(images), "captions": tf.constant(captions)}


def test_a_real_image_with_the_next_examples_caption_is_scored_as_fake(model):
    captions = ["a thin one", "a thick seven", "a two slanted to the left", "a four"]
    step = Step(batch(captions))
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    seen = []

    def critic(samples, conditioning=None, **_):
        """Judges every pair real (+5) unless the caption is not the batch's own (-5)."""
        seen.append((samples, [text.decode() for text in conditioning.numpy()]))
        return tf.where(tf.equal(conditioning, step.batch["captions"]), 5.0, -5.0)[:, None]

    model.critic = critic
    try:
        terms = model.discriminator_terms(step)
    finally:
        del model.critic
    mismatched_images, mismatched_captions = seen[2]
    assert mismatched_captions == captions[-1:] + captions[:-1]
    np.testing.assert_array_equal(np.asarray(mismatched_images), np.asarray(step.batch["real"]))
    np.testing.assert_array_equal(seen[1][1], captions)  # fakes are judged with the captions they were made from
    # Scored fake (-5) for a mismatched pair: a small loss; had it been scored real, a large one.
    assert np.all(np.asarray(terms["mismatch"]) < 0.02)
    model.critic = lambda samples, conditioning=None, **_: tf.fill((len(captions), 1), 5.0)
    try:
        assert np.all(np.asarray(model.discriminator_terms(step)["mismatch"]) > 4.9)
    finally:
        del model.critic


def test_a_rolled_caption_equal_to_the_images_own_is_no_mismatch(model):
    step = Step(batch(["a four", "a four", "a thin one", "a thin one"]))
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    mismatch = np.asarray(model.discriminator_terms(step)["mismatch"])
    assert mismatch[1] == 0 and mismatch[3] == 0 and mismatch[0] > 0 and mismatch[2] > 0


# ---------------------------------------------------------------------- generate and its errors


def test_generate_draws_one_image_per_text_reproducibly(model):
    texts = ["a thin four", "a thick seven slanted to the right", "a zero"]
    samples = model.generate(3, texts=texts, seed=0)
    assert samples.shape == (3, 28, 28, 1) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, model.generate(3, texts=texts, seed=0))
    other = model.generate(3, texts=["a thick eight"] * 3, seed=0)
    assert not np.allclose(samples, other)  # the text reaches the generator
    assert model.generate(2, labels=[3, 5], seed=0).shape == (2, 28, 28, 1)
    assert model.preview(20, seed=0).dtype == np.uint8


@pytest.mark.parametrize(
    "options, message",
    [
        ({"texts": ["a banana"]}, "does not know \\(banana\\)"),
        ({"texts": ["a thin fuor"]}, "does not know \\(fuor\\)"),
        ({"texts": ["   "]}, "is empty"),
        ({"texts": ["a four", "a five"]}, "one text per sample: 1 samples asked for, 2 texts"),
        ({"texts": "a four"}, "list of captions"),
        ({"texts": ["a four"], "labels": [4]}, "not both"),
        ({"labels": [12]}, "Labels must be integers in \\[0, 9\\]"),
    ],
)
def test_generate_refuses_bad_texts(model, options, message):
    with pytest.raises(ValueError, match=message):
        model.generate(1, **options)


def test_evaluation_draws_for_the_datas_captions_or_labels(model):
    images = np.zeros((4, 28, 28, 1), "float32")
    captions = (images, np.array([b"a thin four", b"a seven", b"a thick two", b"a four"]))
    labels = model.evaluation_labels(6, seed=2, data=captions)
    assert set(labels) <= {2, 4, 7}
    np.testing.assert_array_equal(model.evaluation_labels(6, seed=2, data=(images, np.array([3, 3, 3, 3]))), [3] * 6)
    assert model.evaluation_samples(6, seed=2, data=captions).shape == (6, 28, 28, 1)


# ---------------------------------------------------------------------- saving and the CLI


def test_save_and_load_keep_the_outputs_and_the_vocabulary(model, saved):
    restored = keras.models.load_model(saved)
    assert type(restored) is type(model) and restored.vocabulary == list(VOCABULARY)
    texts = ["a thin four", "a thick two slanted to the left"]
    np.testing.assert_allclose(restored.generate(2, texts=texts, seed=1), model.generate(2, texts=texts, seed=1), atol=1e-6)


def test_sample_text_writes_one_row_per_caption(model, saved, tmp_path):
    output = tmp_path / "four.png"
    assert main(["sample", str(saved), "--text", "a thin four", "--text", "a thick one", "-n", "3", "-o", str(output)]) == 0
    expected = model.text_grid(["a thin four", "a thick one"], 3, seed=0)
    np.testing.assert_array_equal(np.asarray(Image.open(output)).reshape(expected.shape), expected)


def test_sample_text_errors_are_one_line(saved, tmp_path, capsys):
    assert main(["sample", str(saved), "--text", "a purple four", "-o", str(tmp_path / "x.png")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("ganzoo: error: The text 'a purple four' has words the model does not know (purple)")
    assert error.count("\n") == 1 and not (tmp_path / "x.png").exists()
    unconditional = tmp_path / "dcgan.keras"
    ganzoo.load("dcgan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}).save(unconditional)
    assert main(["sample", str(unconditional), "--text", "a four"]) == 2
    assert "not a text-to-image model" in capsys.readouterr().err
