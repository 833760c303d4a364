"""TrainingConfig: validation, round trips, and the command-line flags a config is written back as."""

import pytest

from lib.engine.config import TrainingConfig, command_for, config_flags, flag


@pytest.mark.parametrize("field, value, message", [
    ("optimizer", "bogus", "optimizer: must be one of"),
    ("batch_size", 0, "batch_size: must be between 1 and 8192"),
    ("dropout", 0.95, "dropout: must be between 0 and 0.9"),
    ("epochs", 2.5, "epochs: must be a whole number"),
    ("l2", float("nan"), "l2: must be a finite number"),
    ("batch_norm", "yes", "batch_norm: must be true or false"),
    ("batch_norm_momentum", 1.0, "batch_norm_momentum: must be between 0 and 0.999"),
    ("batch_norm_momentum", -0.1, "batch_norm_momentum: must be between 0 and 0.999"),
])
def test_out_of_range_values_are_refused_naming_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**{field: value}).validate()


def test_config_round_trips_through_a_dict():
    config = TrainingConfig(optimizer="adam", dropout=0.25, learning_rate=0.01)
    assert TrainingConfig.from_dict(config.to_dict()) == config


def test_unknown_config_keys_are_refused():
    with pytest.raises(ValueError, match="unknown config field"):
        TrainingConfig.from_dict({"optimiser": "adam"})


def test_a_field_flag_spells_underscores_as_dashes():
    assert flag("batch_norm_momentum") == "--batch-norm-momentum"


def test_the_default_config_needs_no_flags():
    assert config_flags(TrainingConfig()) == []


def test_only_changed_fields_become_flags_and_a_false_switch_is_spelled_no():
    config = TrainingConfig(optimizer="adam", epochs=3, early_stopping_restore_best=False, batch_norm=True)
    assert config_flags(config) == ["--optimizer=adam", "--epochs=3", "--batch-norm",
                                    "--no-early-stopping-restore-best"]


def test_the_command_quotes_what_a_shell_would_split():
    command = command_for(TrainingConfig(name="my run; rm"), out="runs dir")
    assert command == "python -m lib.cli '--name=my run; rm' --out 'runs dir'"


@pytest.mark.parametrize("name", ["-x", "--epochs", "-", "--name=y", "a=b"])
def test_a_name_that_looks_like_an_option_reaches_the_command_line_as_itself(name):
    from lib.cli import build_parser, parse_config

    config = TrainingConfig(name=name, epochs=2)
    assert parse_config(build_parser(), config_flags(config))[0] == config


# --- your own classes ----------------------------------------------------------------------------------------

def test_a_data_set_that_is_not_there_is_refused_naming_the_field(tmp_path):
    with pytest.raises(ValueError, match=r"^data: there is no folder or .zip file at .*nowhere$"):
        TrainingConfig(data=str(tmp_path / "nowhere")).validate()
    (tmp_path / "set").mkdir()
    with pytest.raises(ValueError, match="^test_data: there is no folder"):
        TrainingConfig(data=str(tmp_path / "set"), test_data=str(tmp_path / "held")).validate()


def test_test_data_needs_data_and_augmentation_needs_a_single_machine(tmp_path):
    with pytest.raises(ValueError, match="^test_data: needs data"):
        TrainingConfig(test_data=str(tmp_path)).validate()
    with pytest.raises(ValueError, match="^augment: is not available with the multiworker strategy"):
        TrainingConfig(augment=True, strategy="multiworker").validate()


def test_a_data_path_may_be_longer_than_a_name(tmp_path):
    deep = tmp_path / ("d" * 240)
    deep.mkdir()
    assert TrainingConfig(data=str(deep)).validate().data == str(deep)
    with pytest.raises(ValueError, match="name: must be text of at most 200"):
        TrainingConfig(name="n" * 201).validate()


def test_a_runs_recorded_class_names_do_not_stop_its_config_being_read_back(tmp_path):
    values = TrainingConfig(data=str(tmp_path)).to_dict() | {"class_names": ["cat", "dog"]}
    assert TrainingConfig.from_dict(values) == TrainingConfig(data=str(tmp_path))


def test_own_data_flags_start_from_the_own_data_preset_as_the_command_line_does(tmp_path):
    from lib.cli import build_parser, parse_config
    from lib.engine.config import OWN_DATA_PRESET, PRESETS

    preset = TrainingConfig(**PRESETS[OWN_DATA_PRESET], data=str(tmp_path))
    assert config_flags(preset) == [f"--data={tmp_path}"]
    changed = TrainingConfig(**{**PRESETS[OWN_DATA_PRESET], "augment": False, "optimizer": "sgd"}, data=str(tmp_path))
    assert set(config_flags(changed)) >= {"--no-augment", "--optimizer=sgd"}
    for config in (preset, changed, TrainingConfig(data=str(tmp_path)), TrainingConfig(data=str(tmp_path), epochs=7)):
        assert parse_config(build_parser(), config_flags(config))[0] == config
