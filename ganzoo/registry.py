"""Names to things: model architectures to classes, network families to builders, preset names to
YAML files in zoo_configs/ (or a preset's own file, given by its path)."""
from __future__ import annotations

import difflib
from pathlib import Path

from ganzoo.config import (
    MODEL_KEYS, ConfigError, Preset, build_preset, check_value, constructor_parameters, deep_merge, read_yaml,
    unknown_key_error,
)

_MODEL_CLASSES: dict[str, type] = {}
_NETWORK_FAMILIES: dict[str, dict] = {}

# Constructor arguments a preset does not set under `model:`: the seed comes from train.seed.
_NOT_SETTINGS = ("seed",)


def register_model(arch: str):
    """Class decorator that makes a model class buildable from presets as `model.arch: <arch>`."""

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


def register_network(name: str, **builders) -> None:
    """Make a network family buildable as `model.network: <name>`: one builder function per network
    role (`generator=...`, `discriminator=...`), each returning a Keras model."""
    _NETWORK_FAMILIES[name] = dict(builders)


def network_family(name: str) -> dict:
    if name not in _NETWORK_FAMILIES:
        raise ConfigError(f"Unknown model.network {name!r}. Available: {', '.join(sorted(_NETWORK_FAMILIES))}.")
    return _NETWORK_FAMILIES[name]


def model_settings(cls) -> dict:
    """The settings a preset may give model class `cls` under `model:`: its constructor's keyword
    parameters but the networks and the seed; name -> (default, type hint)."""
    return {
        name: spec
        for name, spec in constructor_parameters(cls).items()
        if name not in cls.network_names and name not in _NOT_SETTINGS
    }


def check_model_settings(preset: Preset) -> None:
    """The class named by `model.arch` checks the rest of `model:` against its own constructor:
    names, annotated types, then its own `check_settings` (ranges and combinations)."""
    cls = model_class(preset.model.arch)
    accepted = model_settings(cls)
    where = f"preset {preset.name!r}.model"
    for key, value in preset.model.settings.items():
        if key not in accepted:
            raise unknown_key_error(key, [*MODEL_KEYS, *accepted], where)
        hint = accepted[key][1]
        if hint is not None:
            check_value(value, hint, f"model.{key}")
    cls.check_settings(preset.model.settings, tuple(preset.model.data_shape))


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


PRESET_SUFFIXES = (".yaml", ".yml")


def is_preset_file(name: str) -> bool:
    """Whether `name` is the path of a preset file (such as the best trial `ganzoo tune` writes)
    rather than the name of a preset in zoo_configs/."""
    return str(name).endswith(PRESET_SUFFIXES)


def preset_name(name: str) -> str:
    """The name a preset goes by: its own name, or the stem of its file."""
    return Path(name).stem if is_preset_file(name) else name


def preset_path(name: str) -> Path:
    if is_preset_file(name):
        if not Path(name).is_file():
            raise ConfigError(f"No preset file at {name}. Give the path of a YAML preset, or a preset name "
                              "(`ganzoo list`).")
        return Path(name)
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
    if isinstance(raw.get("tune"), dict) and "space" in raw["tune"]:  # a search space is searched whole
        merged["tune"]["space"] = raw["tune"]["space"]
    return merged


def preset_from_mapping(name: str, raw: dict) -> Preset:
    """A validated preset from a merged mapping (a saved run's config.yaml, say)."""
    preset = build_preset(name, raw)
    check_model_settings(preset)
    return preset


def resolve_preset(name: str, overrides: dict | None = None) -> Preset:
    """Read preset `name` (or the preset file at that path), follow its `base:` chain (names in
    zoo_configs/), apply overrides (they win), and validate."""
    return preset_from_mapping(preset_name(name), deep_merge(_raw_preset(name), overrides or {}))
