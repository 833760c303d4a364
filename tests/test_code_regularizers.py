"""'Code for what you see' on Dropout and batch norm: every program the page shows runs as a learner runs it
(tests/code_programs.py) and leaves the page's numbers.

The page is rendered with its default controls and three seeded random settings (test digit, dropout rate, batch
norm layer and feature, frozen layer). Its dropout, batch norm and freezing programs are run for every setting (all
each from its own folder); the programs that read only stored runs (weight histograms,
early stopping, dropout placement) do not depend on the controls, so each runs once. Arrays agree to 1e-5,
parameter counts exactly. The weight histograms' notebook runs once through nbclient.
"""

from __future__ import annotations

import numpy as np
import pytest

from lib.keras_views.freezing import FREEZABLE
from tests.code_programs import assert_matches, run_notebook, run_program
from tests.test_code_draw_optimizers import folder_with_models, no_exception, open_page, run_programs, shown_code
from ui.code_panel import CODE_CHECKS

SEEDS = (1, 2, 3)
BN_LAYERS = {"conv1": 6, "conv2": 16, "dense1": 120, "dense2": 84}
# Each panel's key, and a line only its program holds.
PANELS = {"regularizers_dropout": "keras.layers.Dropout(rate=RATE)",
          "regularizers_batch_norm": "BatchNormalization.from_config",
          "regularizers_freezing": ".trainable = False",
          "regularizers_weights": "MODEL_PATHS =",
          "regularizers_early_stopping_code": "HISTORY =",
          "regularizers_placement": "PLACES ="}
PER_SETTING = ("regularizers_dropout", "regularizers_batch_norm", "regularizers_freezing")


def settings() -> list[dict]:
    shown = [{}]  # the page as it opens
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        layer = str(rng.choice(list(BN_LAYERS)))
        shown.append(dict(index=int(rng.integers(10_000)), rate=round(float(rng.integers(0, 19)) * 0.05, 2),
                          layer=layer, feature=int(rng.integers(BN_LAYERS[layer])),
                          frozen=str(rng.choice(FREEZABLE))))
    return shown


@pytest.fixture(scope="module")
def regularizer_pages(tmp_path_factory):
    """(settings, {panel: code}, {panel: checks}) for each setting, from one AppTest session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path_factory.mktemp("regularizer_runs")))
        app = open_page("pages/training/regularizers.py")
        no_exception(app)
        shown = []
        for setting in settings():
            if setting:
                app.number_input(key="regularizers_mnist_index").set_value(setting["index"])
                app.slider(key="regularizers_dropout_rate").set_value(setting["rate"])
                app.selectbox(key="regularizers_bn_layer").set_value(setting["layer"]).run()
                app.slider(key=f"regularizers_bn_{setting['layer']}").set_value(setting["feature"])
                app.selectbox(key="regularizers_freeze").set_value(setting["frozen"])
                app.run()
            no_exception(app)
            checks = app.session_state[CODE_CHECKS]
            shown.append((setting, {key: shown_code(app, marker) for key, marker in PANELS.items()},
                          {key: dict(checks[key]) for key in PANELS}))
        return shown


def test_dropout_batch_norm_and_freezing_code_gives_the_pages_numbers_for_every_setting(regularizer_pages, tmp_path):
    programs, folders, expected = [], [], []
    for index, (setting, codes, checks) in enumerate(regularizer_pages):
        for key in PER_SETTING:
            programs.append(codes[key])
            folders.append(folder_with_models(tmp_path / f"{key}{index}"))
            expected.append((key, setting, codes[key], checks[key]))
    names = sorted({name for _key, _setting, _code, checks in expected for name in checks} | {"training_output"})
    # Every program leaves only its own variables: the runner reads them all, so each program defines the others.
    padded = [code + "\n" + "\n".join(f"{name} = globals().get({name!r})" for name in names) + "\n"
              for code in programs]
    results = run_programs(padded, names, folders)
    for (key, setting, code, checks), values in zip(expected, results):
        assert_matches(values, checks, atol=1e-5)
        if setting and key == "regularizers_dropout":
            assert f"RATE = {setting['rate']!r}" in code
        if setting and key == "regularizers_batch_norm":
            assert f"LAYER = {setting['layer']!r}" in code and f"FEATURE = {setting['feature']}" in code
        if setting and key == "regularizers_freezing":
            assert f"FROZEN = {setting['frozen']!r}" in code
    for (key, _setting, _code, checks), values in zip(expected, results):
        if key == "regularizers_dropout":
            # Each unit of the training-mode output is dropped (0) or its activation times 1 / (1 - rate).
            output, activations = np.asarray(values["training_output"]), checks["activations"]
            kept = output != 0
            np.testing.assert_allclose(output[kept], activations[kept] * checks["scale"], rtol=1e-5)
        if key == "regularizers_freezing":
            # Freezing moved weights out of the trainable count, and one step left the frozen layer as it was.
            assert checks["frozen_trainable"] < checks["trainable_params"] and checks["frozen_change"] == 0
            assert (checks["frozen_trainable"] + checks["frozen_non_trainable"]
                    == checks["trainable_params"] + checks["non_trainable_params"])
    # The settings reach the numbers: the digits' activations and the batch norm features differ.
    assert len({checks["regularizers_dropout"]["activations"].tobytes() for *_rest, checks in regularizer_pages}) > 1
    assert len({checks["regularizers_batch_norm"]["before"].tobytes() for *_rest, checks in regularizer_pages}) > 1


@pytest.mark.parametrize("key", ["regularizers_weights", "regularizers_early_stopping_code", "regularizers_placement"])
def test_stored_run_code_reads_the_runs_the_page_reads(regularizer_pages, key, tmp_path):
    codes = {codes[key] for _setting, codes, _checks in regularizer_pages}
    assert len(codes) == 1  # these sections have no controls: one program, whatever the settings
    checks = regularizer_pages[0][2][key]
    values = run_program(codes.pop(), list(checks), folder_with_models(tmp_path / "program"))
    assert_matches(values, checks, atol=1e-5)


def test_weight_histogram_notebook_runs_top_to_bottom_with_the_same_results(regularizer_pages, tmp_path):
    import keras

    from lib.codegen.regularizers import weights_program
    from lib.keras_views.weight_histograms import (
        BINS,
        LIMIT,
        NEAR_ZERO,
        REGULARIZER_RUNS,
        compare_weights,
        kernel_weights,
        regularizer_run_path,
    )

    paths = {name: regularizer_run_path(name) / "model.keras" for name in REGULARIZER_RUNS}
    comparison = compare_weights({name: kernel_weights(keras.models.load_model(path)) for name, path in paths.items()})
    program = weights_program(paths, LIMIT, BINS, NEAR_ZERO, comparison)
    _setting, codes, checks = regularizer_pages[0]
    assert program.source().strip() == codes["regularizers_weights"].strip()  # the very program the page showed
    values = run_notebook(program.notebook(), list(program.checks), folder_with_models(tmp_path / "notebook"))
    assert_matches(values, checks["regularizers_weights"], atol=1e-5)
