"""The wheel carries the presets and the console script, so `pip install ganzoo` works without the repo."""
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
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        cwd=build,
    )
    (path,) = out.glob("ganzoo-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_contains_every_preset(wheel):
    names = set(wheel.namelist())
    for preset in ganzoo.list_models():
        assert f"ganzoo/zoo_configs/{preset}.yaml" in names


def test_wheel_declares_the_console_script(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    assert "ganzoo = ganzoo.cli:main" in wheel.read(entry_points).decode()


def test_wheel_contains_the_package_modules(wheel):
    names = set(wheel.namelist())
    assert {"ganzoo/__init__.py", "ganzoo/models/base.py", "ganzoo/data/__init__.py", "ganzoo/cli.py"} <= names


def test_wheel_contains_the_digits_classifier_weights(wheel):
    assert "ganzoo/metrics/weights/digits_classifier.weights.h5" in set(wheel.namelist())
