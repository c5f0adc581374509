"""A preset as a keras-tuner HyperModel: its `tune.space` declares the hyperparameters, and each
set of values is the preset with those values as overrides."""
from __future__ import annotations

import keras_tuner

from ganzoo.config import ConfigError, Preset, deep_merge
from ganzoo.models import build_model, validate_preset
from ganzoo.registry import resolve_preset
from ganzoo.tuning.space import Dimension, declare, lookup, nested, parse_space


def check_space(preset_name: str, overrides: dict, dimensions: list[Dimension]) -> None:
    """Every value of the space, each on its own, makes a valid preset that holds it at its key:
    each choice, and both ends of a range. A mistyped key or an impossible value stops the sweep
    before its first trial, with the error the preset itself would give."""
    for dimension in dimensions:
        for value in dimension.probes():
            where = f"tune.space[{dimension.key!r}] = {value!r}"
            try:
                preset = resolve_preset(preset_name, deep_merge(overrides, nested(dimension.key, value)))
                validate_preset(preset)
            except ConfigError as error:
                raise ConfigError(f"{where} does not make a valid preset: {error}") from None
            try:
                landed = lookup(preset.to_dict(), dimension.key)
            except KeyError:
                landed = None
            if landed != value:
                raise ConfigError(f"{where} is not a key of the preset: after the override, {dimension.key} reads "
                                  f"{landed!r}. Check the key's spelling and section.")


class PresetHyperModel(keras_tuner.HyperModel):
    """The HyperModel of preset `preset_name` (a name or a YAML file) with `overrides` applied:
    `build(hp)` returns the compiled model of the preset with `hp`'s values. The search space is
    the preset's `tune.space` unless `space` is given; every value of it is checked first.

    Any keras-tuner tuner can use it (its trials then train with `model.fit` on data you pass to
    `search`); `ganzoo tune` trains each trial as a run instead (`ganzoo.tuning.SweepTuner`).
    """

    def __init__(self, preset_name: str, overrides: dict | None = None, space: dict | None = None):
        self.preset_name, self.base_overrides = preset_name, overrides or {}
        preset = resolve_preset(preset_name, self.base_overrides)
        if space is None:
            if preset.tune is None:
                raise ConfigError(f"Preset {preset.name!r} has no tune: section to sweep. Add one with a space, an "
                                  "objective and a budget (see the README's Sweeps section), or give the space.")
            space = preset.tune.space
        self.dimensions = parse_space(space)
        check_space(preset_name, self.base_overrides, self.dimensions)
        self.seed = preset.train.seed
        super().__init__(name=preset.name, tunable=True)

    def declare_hyperparameters(self, hp) -> None:
        declare(hp, self.dimensions)

    def values(self, hp) -> dict:
        """`hp`'s active values of the searched keys, as preset values by dotted key."""
        by_key = {dimension.key: dimension for dimension in self.dimensions}
        return {key: by_key[key].decode(value) for key, value in hp.values.items() if key in by_key and hp.is_active(key)}

    def overrides(self, hp) -> dict:
        """The preset overrides for `hp`'s values, over the base overrides."""
        overrides = self.base_overrides
        for key, value in self.values(hp).items():
            overrides = deep_merge(overrides, nested(key, value))
        return overrides

    def preset(self, hp) -> Preset:
        return resolve_preset(self.preset_name, self.overrides(hp))

    def build(self, hp):
        return build_model(self.preset(hp))
