"""Packaging for ganzoo; presets in zoo_configs/ ship inside the wheel as ganzoo/zoo_configs."""
from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="keras-ganzoo",  # "ganzoo" on PyPI is an unrelated, empty project; the import name stays ganzoo
    version="0.1.0",
    description="A Generative Adversarial Network model zoo for Keras 3 on TensorFlow",
    long_description=(Path(__file__).parent / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["ganzoo", "ganzoo.*"]) + ["ganzoo.zoo_configs"],
    py_modules=["ganzoo_command"],
    package_dir={"ganzoo.zoo_configs": "zoo_configs"},
    package_data={"ganzoo.zoo_configs": ["*.yaml"], "ganzoo.metrics": ["weights/*.weights.h5"]},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.3,<4",
        "tensorflow-datasets>=4.9",
        "keras-tuner>=1.4",
        "tensorboard>=2.16",
        "pyyaml>=6",
        "pillow>=9",
        "scipy>=1.10",
        "mlxtend>=0.23",
        "scikit-learn>=1.2",
        "scikit-image>=0.22",  # its bundled photographs are the built-in photo super-resolution task
        "threadpoolctl>=3",
        "importlib_resources",  # tensorflow-datasets imports it when it downloads
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "pytest-xdist>=3.5",  # the default suite runs on 2 worker processes (setup.cfg)
            "nbclient>=0.9",
            "nbformat>=5.9",
            "ipykernel>=6",
            "setuptools>=70.1",
            "wheel",
        ],
    },
    entry_points={"console_scripts": ["ganzoo=ganzoo_command:run"]},
)
