"""A preset's search space: `tune.space` entries parsed, checked, declared to keras-tuner, and
turned back into preset overrides.

Each entry maps a dotted preset key to its range:

    train.g_optimizer.learning_rate: {float: [1.0e-4, 1.0e-2], sampling: log}
    model.d_steps: {choice: [1, 2, 5]}
    model.generator.units: {choice: [[128, 128], [256, 256, 256]]}
    model.ema: {choice: [null, 0.99, 0.999]}
    train.batch_size: {int: [64, 512], step: 64}
    model.penalties.gp: {float: [1, 20], when: {model.loss: [wasserstein]}}

`float` and `int` take [min, max] with optional `sampling` (linear, log, reverse_log) and `step`;
`choice` takes a list of values; `when` makes the key a keras-tuner conditional scope: it is
searched only while a `choice` key of the space takes one of the listed values. Choices that
keras-tuner cannot hold as they are (null, lists, mixed types) are kept as their YAML text.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from ganzoo.config import ConfigError, parse_yaml

KINDS = ("float", "int", "choice")
SAMPLINGS = ("linear", "log", "reverse_log")
OPTIONS = {"float": ("sampling", "step", "when"), "int": ("sampling", "step", "when"), "choice": ("when",)}


@dataclasses.dataclass(frozen=True)
class Dimension:
    """One searched preset key: its kind, range or choices, and the choices of other keys it
    depends on (`when`: ((key, choices), ...))."""

    key: str
    kind: str
    values: tuple
    sampling: str = "linear"
    step: Any = None
    when: tuple = ()

    @property
    def as_text(self) -> bool:
        """Whether keras-tuner holds this choice's values as YAML text (see `encode`)."""
        if self.kind != "choice":
            return False
        kinds = {type(value) for value in self.values}
        native = kinds <= {int, float} or len(kinds) == 1 and kinds <= {str, bool}
        return not native

    def encode(self, value):
        """`value` as keras-tuner holds it."""
        if self.as_text:
            return yaml_text(value)
        if self.kind == "float" or (self.kind == "choice" and any(isinstance(v, float) for v in self.values)):
            return float(value)
        return value

    def decode(self, value):
        """A keras-tuner value back as the preset value it stands for."""
        return parse_yaml(value) if self.as_text else value

    def probes(self) -> list:
        """The values that check a range or every choice: each choice, or a range's two ends."""
        return list(self.values)


def yaml_text(value) -> str:
    """`value` as one line of YAML: null, [128, 128], 0.5."""
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _check_numbers(key: str, kind: str, entry: dict) -> tuple:
    bounds = entry[kind]
    number = int if kind == "int" else (int, float)
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, number) and not isinstance(b, bool) for b in bounds)):
        raise ConfigError(f"tune.space[{key!r}].{kind} takes [min, max] as two {'integers' if kind == 'int' else 'numbers'}; "
                          f"got {bounds!r}.")
    low, high = bounds
    if not low < high:
        raise ConfigError(f"tune.space[{key!r}].{kind}: min {low} must be below max {high}.")
    sampling = entry.get("sampling", "linear")
    if sampling not in SAMPLINGS:
        raise ConfigError(f"tune.space[{key!r}].sampling must be one of {', '.join(SAMPLINGS)}; got {sampling!r}.")
    if sampling != "linear" and low <= 0:
        raise ConfigError(f"tune.space[{key!r}]: {sampling} sampling needs a positive min; got {low}.")
    step = entry.get("step")
    if step is not None and (not isinstance(step, number) or isinstance(step, bool) or step <= 0):
        raise ConfigError(f"tune.space[{key!r}].step must be a positive {'integer' if kind == 'int' else 'number'}; "
                          f"got {step!r}.")
    return (low, high), sampling, step


def parse_dimension(key: str, entry) -> Dimension:
    """One `tune.space` entry, its form checked (its values are checked against the preset by
    `ganzoo.tuning.hypermodel.check_space`)."""
    if not isinstance(key, str) or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"tune.space keys are dotted preset keys such as train.batch_size; got {key!r}.")
    if key.split(".")[0] not in ("model", "train", "data"):
        raise ConfigError(f"tune.space[{key!r}]: a searched key starts with model., train. or data.")
    kinds = [kind for kind in KINDS if isinstance(entry, dict) and kind in entry]
    if len(kinds) != 1:
        raise ConfigError(
            f"tune.space[{key!r}] must be a mapping with one of {', '.join(KINDS)}, such as "
            f"{{float: [1.0e-4, 1.0e-2], sampling: log}} or {{choice: [1, 2, 5]}}; got {entry!r}."
        )
    kind = kinds[0]
    unknown = [option for option in entry if option not in (kind, *OPTIONS[kind])]
    if unknown:
        raise ConfigError(f"tune.space[{key!r}]: unknown option(s) {', '.join(map(str, unknown))}; "
                          f"{kind} takes {', '.join(OPTIONS[kind])}.")
    when = entry.get("when") or {}
    if not isinstance(when, dict):
        raise ConfigError(f"tune.space[{key!r}].when maps a choice key of the space to its values; got {when!r}.")
    when = tuple((parent, tuple(v if isinstance(v, list) else [v])) for parent, v in when.items())
    if kind == "choice":
        choices = entry["choice"]
        if not isinstance(choices, list) or not choices:
            raise ConfigError(f"tune.space[{key!r}].choice takes a non-empty list of values; got {choices!r}.")
        texts = [yaml.safe_dump(choice) for choice in choices]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"tune.space[{key!r}].choice lists a value twice: {choices!r}.")
        return Dimension(key, kind, tuple(choices), when=when)
    bounds, sampling, step = _check_numbers(key, kind, entry)
    return Dimension(key, kind, bounds, sampling=sampling, step=step, when=when)


def parse_space(space: dict) -> list[Dimension]:
    """Every entry of `tune.space`, parents of a `when` before the keys that depend on them."""
    dimensions = {key: parse_dimension(key, entry) for key, entry in space.items()}
    for dimension in dimensions.values():
        for parent, choices in dimension.when:
            if parent not in dimensions or dimensions[parent].kind != "choice":
                raise ConfigError(f"tune.space[{dimension.key!r}].when names {parent!r}, which must be a choice key "
                                  "of the same space.")
            missing = [c for c in choices if c not in dimensions[parent].values]
            if missing:
                raise ConfigError(f"tune.space[{dimension.key!r}].when: {parent} never takes {missing!r}; its choices "
                                  f"are {list(dimensions[parent].values)!r}.")
    ordered: list[Dimension] = []

    def place(dimension, chain=()):
        if dimension in ordered:
            return
        if dimension.key in chain:
            raise ConfigError(f"tune.space: the `when` conditions form a cycle: {' -> '.join(chain + (dimension.key,))}.")
        for parent, _ in dimension.when:
            place(dimensions[parent], chain + (dimension.key,))
        ordered.append(dimension)

    for dimension in dimensions.values():
        place(dimension)
    return ordered


def declare(hp, dimensions: list[Dimension]) -> None:
    """Declare the space to a keras-tuner `HyperParameters`, with a conditional scope per `when`."""
    by_key = {dimension.key: dimension for dimension in dimensions}
    for dimension in dimensions:
        _declare_within(hp, dimension, list(dimension.when), by_key)


def _declare_within(hp, dimension: Dimension, conditions: list, by_key: dict) -> None:
    if conditions:
        parent, choices = conditions[0]
        with hp.conditional_scope(parent, [by_key[parent].encode(choice) for choice in choices]):
            _declare_within(hp, dimension, conditions[1:], by_key)
        return
    if dimension.kind == "choice":
        hp.Choice(dimension.key, [dimension.encode(value) for value in dimension.values])
    else:
        low, high = dimension.values
        declare_number = hp.Int if dimension.kind == "int" else hp.Float
        declare_number(dimension.key, low, high, step=dimension.step, sampling=dimension.sampling)


def nested(key: str, value) -> dict:
    """{'a': {'b': value}} for the dotted key 'a.b'."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def lookup(mapping: dict, key: str):
    """The value at dotted `key` of a nested mapping; KeyError when it is not there."""
    for part in key.split("."):
        if not isinstance(mapping, dict) or part not in mapping:
            raise KeyError(key)
        mapping = mapping[part]
    return mapping
