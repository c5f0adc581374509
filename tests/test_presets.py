"""Every preset in zoo_configs/ is validated, built, trained one step and round-tripped through .keras,
from its own data: dataset elements go to the checks unchanged, whatever the model's batch structure."""
import numpy as np
import pytest

import ganzoo
from ganzoo import testing
from ganzoo.models import validate_preset

PRESETS = ganzoo.list_models()


def test_the_zoo_has_the_foundation_presets():
    assert {"gan-mnist", "gan-ring", "gan-grid", "dcgan-mnist", "dcgan-digits"} <= set(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_validates_and_describes_itself(name):
    preset = ganzoo.resolve_preset(name)
    validate_preset(preset)
    assert preset.description.strip(), f"{name} needs a one-line description for `ganzoo list`"


@pytest.mark.parametrize("name", PRESETS)
def test_preset_trains_and_round_trips(name, tmp_path):
    model = ganzoo.load(name, train={"batch_size": 8})
    preset = ganzoo.resolve_preset(name)
    element = next(iter(ganzoo.data.preset_dataset(preset, batch_size=8, limit=64)))
    batch = tuple(np.asarray(part) for part in element) if isinstance(element, tuple) else np.asarray(element)
    testing.run_model_checks(model, tmp_path, batch=batch)
