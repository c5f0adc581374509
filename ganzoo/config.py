"""Typed preset configuration: YAML loading, `base:` inheritance, strict keys, overrides.

A preset is a YAML file with sections `model`, `train`, `data` and optionally `tune` (the search
space of `ganzoo tune`). Everything a user can
mistype is checked here, before any TensorFlow work starts, and every error names the
offending key and what would be valid.
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import inspect
import re
import typing
from pathlib import Path
from typing import Any, Optional, Union

import yaml


class ConfigError(ValueError):
    """A preset or override is invalid; the message says which key and how to fix it."""


class _PresetLoader(yaml.SafeLoader):
    """Safe YAML loader that also reads `2e-4` as a float (plain YAML 1.1 reads it as text)."""


_PresetLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def parse_yaml(text: str, source: str = "<string>") -> Any:
    try:
        return yaml.load(text, Loader=_PresetLoader)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from None


def read_yaml(path: Path) -> dict:
    data = parse_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping with sections model, train and data.")
    return data


def deep_merge(base: dict, override: dict) -> dict:
    """Return `base` updated by `override`; nested mappings merge, other values replace.

    A mapping that names a different object (its `name` differs, e.g. an optimizer changed from
    adam to rmsprop) replaces the old one whole, since the old one's options would not apply.
    """
    merged = copy.deepcopy(base)
    for key, value in override.items():
        old = merged.get(key)
        renamed = isinstance(old, dict) and isinstance(value, dict) and value.get("name", old.get("name")) != old.get("name")
        if isinstance(value, dict) and isinstance(old, dict) and not renamed:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_assignment(text: str) -> dict:
    """Turn a CLI `--set model.latent_dim=64` into the nested override {'model': {'latent_dim': 64}}."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects KEY=VALUE such as model.latent_dim=64; got {text!r}.")
    value = parse_yaml(raw, f"--set {text}") if raw.strip() else None
    nested: Any = value
    for part in reversed(key.strip().split(".")):
        nested = {part: nested}
    return nested


def parse_assignments(texts) -> dict:
    """Several `--set KEY=VALUE` options as one nested override, later ones winning."""
    overrides: dict = {}
    for text in texts:
        overrides = deep_merge(overrides, parse_assignment(text))
    return overrides


# --------------------------------------------------------------------------- validation


def _type_name(annotation) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def check_value(value: Any, annotation, where: str) -> Any:
    """Check `value` against a type annotation; ints are accepted where floats are expected."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return value
    if origin is typing.Union:
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return check_value(value, option, where)
            except ConfigError as error:
                errors.append(error)
        raise errors[0]
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list, got {value!r}.")
        return [check_value(item, args[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a mapping, got {value!r}.")
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is int and isinstance(value, bool):
        raise ConfigError(f"{where} must be an int, got the boolean {value!r}.")
    if isinstance(annotation, type) and not isinstance(value, annotation):
        raise ConfigError(
            f"{where} must be {_type_name(annotation)}, got {type(value).__name__} {value!r}."
        )
    return value


def unknown_key_error(key: str, valid, where: str) -> ConfigError:
    valid = sorted(valid)
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigError(f"Unknown key {key!r} in {where}.{hint} Valid keys: {', '.join(valid)}.")


def check_kwargs(function, kwargs: dict, where: str, exclude=()) -> dict:
    """Validate keyword arguments for `function` by its signature: names, then annotated types."""
    params = inspect.signature(function).parameters
    hints = typing.get_type_hints(function)
    accepted = [
        name
        for name, p in params.items()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and name not in exclude
    ]
    checked = {}
    for key, value in kwargs.items():
        if key not in accepted:
            raise unknown_key_error(key, accepted, where)
        checked[key] = check_value(value, hints[key], f"{where}.{key}") if key in hints else value
    return checked


def from_dict(cls, data: Any, where: str, skip=()):
    """Build dataclass `cls` from a mapping, refusing unknown keys and wrong types (fields in
    `skip` are set by the caller)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping, got {data!r}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in data.items():
        if key not in fields:
            raise unknown_key_error(key, fields, where)
        section = _optional_dataclass(hints[key])
        if key in skip:
            values[key] = value
        elif section is not None and value is not None:
            values[key] = from_dict(section, value, f"{where}.{key}")
        else:
            values[key] = check_value(value, hints[key], f"{where}.{key}")
    missing = [
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where} is missing required key(s): {', '.join(missing)}.")
    return cls(**values)


def _optional_dataclass(annotation):
    """The dataclass an annotation names, alone or as Optional[...]; None for other types."""
    options = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else (annotation,)
    return next((option for option in options if dataclasses.is_dataclass(option)), None)


def check_integer_setting(settings: dict, name: str, default: int, minimum: int = 1) -> int:
    """A model setting that must be an integer of at least `minimum`, or a ConfigError naming it."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ConfigError(f"model.{name} must be {wanted}, got {value!r}.")
    return value


def check_weight_setting(settings: dict, name: str, default: float = 1.0) -> float:
    """A model setting that must be a positive number (a loss weight), or a ConfigError naming it."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"model.{name} must be a positive number, got {value!r}.")
    return value


def _require_positive(section, where: str, names) -> None:
    for name in names:
        value = getattr(section, name)
        if value is not None and value <= 0:
            raise ConfigError(f"{where}.{name} must be positive, got {value}.")


# --------------------------------------------------------------------------- sections


MODEL_KEYS = ("arch", "network", "data_shape", "loss", "generator", "discriminator")


@dataclasses.dataclass
class ModelConfig:
    """What to build: the training algorithm (`arch`), its network family (or one per network role)
    and their options, the data shape and the loss family. Every other key under `model:` is a
    setting of the model class (`latent_dim`, `d_steps`, `penalties`, `ema`...): `settings` holds
    them, and the class named by `arch` checks them against its constructor (see
    `ganzoo.registry.check_model_settings`).
    """

    arch: str
    network: Union[str, dict]
    data_shape: list[int]
    loss: str = "non_saturating"
    generator: dict = dataclasses.field(default_factory=dict)
    discriminator: dict = dataclasses.field(default_factory=dict)
    settings: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if not self.data_shape or any(d <= 0 for d in self.data_shape):
            raise ConfigError(f"model.data_shape must list positive sizes, got {self.data_shape}.")

    @classmethod
    def from_mapping(cls, data, where: str) -> "ModelConfig":
        """The fixed keys typed here; the rest kept as the model class's settings."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where} must be a mapping, got {data!r}.")
        fixed = {key: value for key, value in data.items() if key in MODEL_KEYS}
        config = from_dict(cls, fixed, where)
        config.settings = {key: value for key, value in data.items() if key not in MODEL_KEYS}
        return config

    def to_dict(self) -> dict:
        fixed = {key: getattr(self, key) for key in MODEL_KEYS}
        return {**fixed, **copy.deepcopy(self.settings)}


@dataclasses.dataclass
class TrainConfig:
    """How to train: epochs, batch size, seed, one optimizer per network, and how to compute.

    `precision` is a Keras dtype policy (float32, mixed_bfloat16, mixed_float16); `jit_compile`
    compiles the train step with XLA.
    """

    epochs: int = 10
    batch_size: int = 64
    seed: int = 0
    g_optimizer: dict = dataclasses.field(default_factory=lambda: {"name": "adam"})
    d_optimizer: dict = dataclasses.field(default_factory=lambda: {"name": "adam"})
    precision: str = "float32"
    jit_compile: bool = False

    def __post_init__(self):
        _require_positive(self, "train", ["epochs", "batch_size"])


PAIRINGS = ("none", "labels", "captions", "paired", "unpaired", "semi")
SPLITS = ("train", "test")  # data.split: all the data, or what the sources that have one hold out


@dataclasses.dataclass
class DataConfig:
    """Where training data comes from (see `ganzoo.data.load` for the sources) and how its examples
    pair up: `none` (samples alone), `labels` (samples with class labels), `captions` (digit
    images with captions made from their labels, see `ganzoo.data.captions`), `paired` (source and
    target images), `unpaired` (two sets of images) or `semi` (all samples, and a labelled few
    beside them). It must be what the model class trains on.
    `split` is `train`, or `test` for the held-out data of the sources that have it (the built-in
    translator tasks, labelled sources of single samples, tensorflow-datasets sets, folders with
    testA/ and testB/). `hold_out` keeps a labelled source's `test` examples out of `train`, so a
    model can be scored on examples it never saw; `classes` keeps only the examples of those labels
    (a model of "normal" data); `labelled` keeps the labels of a seeded, class-balanced N examples
    (pairing `labels`: train on those alone; `semi`: on all samples, N of them labelled)."""

    source: str
    pairing: str = "none"
    image_size: Optional[int] = None
    limit: Optional[int] = None
    data_dir: Optional[str] = None
    cache: bool = True
    split: str = "train"
    hold_out: bool = False
    classes: Optional[list[int]] = None
    labelled: Optional[int] = None

    def __post_init__(self):
        _require_positive(self, "data", ["image_size", "limit", "labelled"])
        if self.pairing not in PAIRINGS:
            raise ConfigError(f"data.pairing must be one of {', '.join(PAIRINGS)}; got {self.pairing!r}.")
        if self.split not in SPLITS:
            raise ConfigError(f"data.split must be one of {', '.join(SPLITS)}; got {self.split!r}.")
        if self.pairing == "semi" and self.labelled is None:
            raise ConfigError("data.pairing semi trains on all samples and a labelled few: give data.labelled, such as 100.")
        if self.labelled is not None and self.pairing not in ("labels", "semi"):
            raise ConfigError(
                f"data.labelled is for pairing labels (train on those alone) or semi, not {self.pairing!r}; remove it."
            )
        if self.classes is not None and (
            not isinstance(self.classes, list) or not self.classes
            or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in self.classes)
        ):
            raise ConfigError(f"data.classes is a list of the labels to keep, such as [0, 1, 2]; got {self.classes!r}.")


TUNERS = ("random", "bayesian", "hyperband")


@dataclasses.dataclass
class TuneConfig:
    """A keras-tuner sweep of the preset (`ganzoo tune`, `ganzoo.tuning`).

    `space` maps dotted preset keys to their search range, such as
    `train.g_optimizer.learning_rate: {float: [1.0e-4, 1.0e-2], sampling: log}` (see
    `ganzoo.tuning.space`); `objective` names one metric of `ganzoo.tuning.OBJECTIVES`, or a list
    of them, summed with their directions as keras-tuner does. The budget: `max_trials` (random and
    Bayesian search), `max_epochs` (Hyperband's longest training, default the preset's
    `train.epochs`), each trial trained `executions_per_trial` times from consecutive seeds and
    scored on `n` samples. `ganzoo.tuning` checks the space and the objective against the preset.
    """

    space: dict
    objective: typing.Union[str, list[str]]
    tuner: str = "random"
    max_trials: int = 16
    executions_per_trial: int = 1
    max_epochs: Optional[int] = None
    n: int = 2500

    def __post_init__(self):
        _require_positive(self, "tune", ["max_trials", "executions_per_trial", "max_epochs", "n"])
        if self.tuner not in TUNERS:
            raise ConfigError(f"tune.tuner must be one of {', '.join(TUNERS)}; got {self.tuner!r}.")
        if not self.space:
            raise ConfigError("tune.space is empty; give at least one preset key to search, such as "
                              "train.g_optimizer.learning_rate: {float: [1.0e-4, 1.0e-2], sampling: log}.")
        if self.n < 2:
            raise ConfigError(f"tune.n is the number of samples scored per trial; at least 2, got {self.n}.")


@dataclasses.dataclass
class Preset:
    """A fully resolved, validated preset."""

    name: str
    description: str
    model: ModelConfig
    train: TrainConfig
    data: DataConfig
    tune: Optional[TuneConfig] = None

    def to_dict(self) -> dict:
        """The preset as a mapping (the sweep section only when there is one)."""
        mapping = {**dataclasses.asdict(self), "model": self.model.to_dict()}
        if self.tune is None:
            del mapping["tune"]
        return mapping


def build_preset(name: str, raw: dict) -> Preset:
    """Validate a merged preset mapping (no `base:` left) into a `Preset`; the model class's own
    settings are checked by `ganzoo.registry.check_model_settings`."""
    raw = dict(raw)
    raw.pop("base", None)
    if raw.get("description") is None:
        raw["description"] = ""
    where = f"preset {name!r}"
    model = raw.get("model")
    if model is None:
        raise ConfigError(f"{where} is missing required key(s): model.")
    preset = from_dict(Preset, {"name": name, **raw, "model": {}}, where, skip=("model",))
    preset.model = ModelConfig.from_mapping(model, f"{where}.model")
    return preset


def constructor_parameters(cls) -> dict:
    """The keyword parameters of `cls`'s constructor, through every `__init__` in its ancestry
    that passes `**kwargs` on, up to Keras' own classes (whose arguments are excluded): name -> (default,
    type hint or None). This is how a model class owns its settings: written once, in `__init__`."""
    parameters: dict = {}
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] in ("keras", "tensorflow", "builtins"):
            break
        if "__init__" not in vars(klass):
            continue
        init = vars(klass)["__init__"]
        hints = typing.get_type_hints(init)
        passes_on = False
        for name, parameter in inspect.signature(init).parameters.items():
            if parameter.kind == parameter.VAR_KEYWORD:
                passes_on = True
            elif parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) and name != "self":
                parameters.setdefault(name, (parameter.default, hints.get(name)))
        if not passes_on:
            break
    return parameters
