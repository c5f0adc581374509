"""Names to things: model architectures to classes, preset names to YAML files in zoo_configs/."""
from __future__ import annotations

import difflib
from pathlib import Path

from ganzoo.config import ConfigError, Preset, build_preset, deep_merge, read_yaml

_MODEL_CLASSES: dict[str, type] = {}


def register_model(arch: str):
    """Class decorator that makes a BaseGAN subclass buildable from presets as `model.arch: <arch>`."""

    def decorate(cls):
        _MODEL_CLASSES[arch] = cls
        return cls

    return decorate


def model_class(arch: str) -> type:
    if arch not in _MODEL_CLASSES:
        raise ConfigError(
            f"Unknown model.arch {arch!r}. Registered architectures: {', '.join(sorted(_MODEL_CLASSES))}."
        )
    return _MODEL_CLASSES[arch]


def presets_dir() -> Path:
    """zoo_configs/ inside an installed wheel, or beside the package in a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "zoo_configs", package_dir.parent / "zoo_configs"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"No zoo_configs/ folder found next to {package_dir}; reinstall ganzoo.")


def _preset_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(presets_dir().rglob("*.yaml")):
        if path.stem in files:
            raise ConfigError(f"Preset name {path.stem!r} is used twice: {files[path.stem]} and {path}.")
        files[path.stem] = path
    return files


def list_models() -> list[str]:
    """Names of every preset that `ganzoo.load` accepts."""
    return sorted(_preset_files())


def preset_path(name: str) -> Path:
    files = _preset_files()
    if name in files:
        return files[name]
    close = difflib.get_close_matches(name, files, n=3, cutoff=0.4)
    hint = f" Closest names: {', '.join(close)}." if close else ""
    raise ConfigError(f"Unknown preset {name!r}.{hint} Run `ganzoo list` to see all presets.")


def _raw_preset(name: str, chain: tuple[str, ...] = ()) -> dict:
    if name in chain:
        raise ConfigError(f"Preset `base:` chain has a cycle: {' -> '.join(chain + (name,))}.")
    raw = read_yaml(preset_path(name))
    base = raw.get("base")
    if base is None:
        return raw
    merged = deep_merge(_raw_preset(base, chain + (name,)), raw)
    merged.pop("base")
    return merged


def resolve_preset(name: str, overrides: dict | None = None) -> Preset:
    """Read preset `name`, follow its `base:` chain, apply overrides (they win), and validate."""
    return build_preset(name, deep_merge(_raw_preset(name), overrides or {}))
