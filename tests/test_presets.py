"""Training presets (lib.engine.config.PRESET_LIST): an id that the command line, the forms and the class board keep,
a label that people read, and a help sentence read from the values each one sets."""

import re

import pytest

import lib.engine.config as config_module
from lib.cli import build_parser, parse_config
from lib.engine.config import FIELDS, OWN_DATA_PRESETS, PRESET_LABELS, PRESETS, TrainingConfig, preset_id
from lib.i18n import language_override
from lib.runs.class_entries import preset_label
from lib.runs.labels import describe_config
from tests.conftest import open_app
from ui.training_form import MNIST_PRESETS, OWN_PRESETS, preset_summary


def test_ids_are_short_words_and_not_their_labels():
    assert list(PRESETS) == list(PRESET_LABELS)
    for name, label in PRESET_LABELS.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name) and name != label
    assert set(OWN_PRESETS) == set(OWN_DATA_PRESETS) and not set(OWN_PRESETS) & set(MNIST_PRESETS)
    assert set(OWN_PRESETS) | set(MNIST_PRESETS) == set(PRESETS)


def test_the_command_line_takes_an_id_or_the_english_label_and_refuses_anything_else_in_one_line(cli):
    for text in ("quick", "Quick look", "quick LOOK"):
        assert preset_id(text) == "quick"
        assert parse_config(build_parser(), ["--preset", text])[0] == TrainingConfig(**PRESETS["quick"])
    result = cli("--preset", "Slow")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --preset: Unknown preset 'Slow'; choose from "
                                     + ", ".join(PRESETS) + ".")


def test_rewording_a_label_changes_what_people_read_and_nothing_else(monkeypatch):
    monkeypatch.setitem(config_module.PRESET_LABELS, "quick", "Speedy look")
    assert parse_config(build_parser(), ["--preset", "quick"])[0] == TrainingConfig(**PRESETS["quick"])
    app = open_app("pages/training/train.py", timeout=60)
    box = app.selectbox(key="train_preset")
    assert box.value == "quick" and "Speedy look" in box.options and "Quick look" not in box.options
    assert "Speedy look: " in box.help


def test_the_train_pages_preset_box_shows_labels_in_korean_and_keeps_ids():
    app = open_app("pages/training/train.py", timeout=60)
    app.query_params["lang"] = "ko"
    app.run()
    box = app.selectbox(key="train_preset")
    with language_override("ko"):
        korean = [preset_label(name) for name in MNIST_PRESETS]
    assert box.value == "quick" and box.options == korean and korean != [PRESET_LABELS[name] for name in MNIST_PRESETS]
    box.set_value("book").run()
    assert app.number_input(key="train_batch_size").value == PRESETS["book"]["batch_size"]
    assert app.number_input(key="train_train_samples").value == PRESETS["book"]["train_samples"]


@pytest.mark.parametrize("name", PRESETS)
def test_each_presets_help_sentence_says_the_values_it_sets(name):
    values = {**TrainingConfig().to_dict(), **PRESETS[name]}
    sentence = preset_summary(name)
    # The recipe as History names a run with these values: optimizer and rate, schedule, epochs, images, augmentation.
    assert sentence.startswith(f"{PRESET_LABELS[name]}: {describe_config(values)}, batch {values['batch_size']}")
    assert f"{values['epochs']} epochs" in sentence
    assert ("augmented" in sentence) == bool(values.get("augment"))
    momentum = PRESETS[name].get("batch_norm_momentum")
    if momentum is None:
        assert "momentum" not in sentence
    else:
        assert (f"momentum {momentum:g} (its epochs are too short for Keras's "
                f"{FIELDS['batch_norm_momentum'].default:g})") in sentence
    with language_override("ko"):
        korean = preset_summary(name)
    assert korean != sentence and str(values["batch_size"]) in korean


def test_a_class_entry_shows_its_preset_by_label_whether_it_kept_an_id_or_an_older_label():
    assert preset_label("quick") == preset_label("Quick look") == "Quick look"
    assert preset_label(None) == "—"
    with language_override("ko"):
        assert preset_label("quick") == preset_label("Quick look") != "Quick look"
