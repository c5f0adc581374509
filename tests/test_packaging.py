"""The wheel (distribution keras-ganzoo, import name ganzoo) carries the presets and the console script,
so installing it works without the repo."""
import fcntl
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import ganzoo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    # Builds write into the checkout's build/ folder, so two test workers building at once collide.
    with open(tmp_path_factory.getbasetemp().parent / "wheel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
            check=True,
            cwd=build,
        )
    (path,) = out.glob("keras_ganzoo-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_contains_every_preset(wheel):
    names = set(wheel.namelist())
    for preset in ganzoo.list_models():
        assert f"ganzoo/zoo_configs/{preset}.yaml" in names


def test_wheel_declares_the_console_script(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    assert "ganzoo = ganzoo_command:run" in wheel.read(entry_points).decode()
    assert "ganzoo_command.py" in wheel.namelist()


def test_wheel_contains_the_package_modules(wheel):
    names = set(wheel.namelist())
    assert {"ganzoo/__init__.py", "ganzoo/models/core.py", "ganzoo/data/__init__.py", "ganzoo/cli.py"} <= names


@pytest.mark.parametrize("classifier", ["digits", "shapes", "digits8x8"])
def test_wheel_contains_the_shipped_classifier_weights(wheel, classifier):
    assert f"ganzoo/metrics/weights/{classifier}_classifier.weights.h5" in set(wheel.namelist())


def test_the_distribution_has_a_name_of_its_own(wheel):
    """`ganzoo` on PyPI is an unrelated, empty project: installing that name gives an empty module."""
    (metadata,) = [n for n in wheel.namelist() if n.endswith("METADATA")]
    assert "Name: keras-ganzoo" in wheel.read(metadata).decode().splitlines()


def test_tutorials_install_this_project_and_check_what_they_import():
    for notebook in sorted((ROOT / "tutorials").glob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        assert "keras_ganzoo-*.whl" in text and 'hasattr(ganzoo, \\"load\\")' in text, notebook.name
        assert '\\"install\\", \\"-q\\", \\"ganzoo\\"' not in text, notebook.name
