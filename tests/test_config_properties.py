"""Any valid TrainingConfig survives the trip through a dict and through JSON unchanged.

Configs are drawn from each field's own metadata (its choices and range), the same metadata the form, the CLI
and `validate` read, so a field added to TrainingConfig is covered here at once.
"""

import dataclasses
import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib.engine.config import FIELDS, TrainingConfig


def _values_for(item: dataclasses.Field) -> st.SearchStrategy:
    """Values `validate` accepts for one field, read from its metadata."""
    meta = item.metadata
    if meta.get("path"):
        return st.just("")  # a data set must exist to validate: tests/test_config.py checks those fields
    if isinstance(item.default, bool):
        values = st.booleans()
    elif meta.get("choices"):
        values = st.sampled_from(meta["choices"])
    elif isinstance(item.default, str):
        values = st.text(max_size=40)
    elif isinstance(item.default, int):
        values = st.integers(meta["low"], meta["high"])
    else:
        values = st.floats(meta["low"], meta["high"], allow_nan=False, allow_infinity=False)
    return st.none() | values if meta.get("optional") else values


@st.composite
def training_configs(draw) -> TrainingConfig:
    config = TrainingConfig(**{name: draw(_values_for(item), label=name) for name, item in FIELDS.items()})
    # The rules across fields: the cosine schedule sets every batch's rate, so it excludes ReduceLROnPlateau;
    # the multi-worker loop has no augmentation.
    assume(not (config.lr_schedule == "cosine" and config.reduce_lr_on_plateau))
    assume(not (config.augment and config.strategy == "multiworker"))
    return config.validate()


PROPERTY_SETTINGS = settings(max_examples=30, deadline=None)


@PROPERTY_SETTINGS
@given(training_configs())
def test_config_survives_to_dict_and_from_dict(config):
    assert TrainingConfig.from_dict(config.to_dict()) == config


@PROPERTY_SETTINGS
@given(training_configs())
def test_config_survives_json_as_a_saved_run_stores_it(config):
    assert TrainingConfig.from_dict(json.loads(config.to_json())) == config


@PROPERTY_SETTINGS
@given(training_configs(), st.sampled_from(sorted(FIELDS)))
def test_config_missing_a_field_takes_that_fields_default(config, name):
    values = config.to_dict()
    del values[name]
    assert getattr(TrainingConfig.from_dict(values), name) == FIELDS[name].default
