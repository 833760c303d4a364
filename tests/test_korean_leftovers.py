"""Words a Korean reader met in English: the model summary's headers, the optimizer choices, a dash for a missing
value, seconds, and colour bars labelled with SI prefixes ("20μ") instead of numbers."""

import re

import numpy as np

from lib.i18n import language_override

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def colour_bars(figure) -> list[dict]:
    """Every colour bar of a figure: its traces' own and its colour axes'."""
    data = figure.to_plotly_json()
    bars = [trace.get("colorbar") or trace.get("marker", {}).get("colorbar") for trace in data["data"]]
    bars += [axis["colorbar"] for key, axis in data["layout"].items() if key.startswith("coloraxis")
             and "colorbar" in axis]
    return [bar for bar in bars if bar]


def test_colour_bars_write_small_numbers_as_powers_of_ten_not_si_prefixes():
    from ui.explain_views import attribution_map
    from ui.pictures import kernel_slices, number_grid, picture

    tiny = np.full((4, 4), 2e-5) * np.arange(16).reshape(4, 4)
    figures = [picture(tiny, "t"), picture(-tiny, "t"), number_grid(tiny, "t"), kernel_slices(tiny.reshape(2, 2, 2, 2)),
               attribution_map(tiny, np.zeros((4, 4)), "t", "scale")]
    bars = [bar for figure in figures for bar in colour_bars(figure)]
    assert len(bars) >= len(figures)
    assert all(bar.get("exponentformat") == "e" for bar in bars), bars


def test_the_model_summary_headers_read_korean_and_count_with_separators():
    from ui.job_views import SUMMARY_COLUMNS, summary_columns

    with language_override("ko"):
        columns = summary_columns()
    assert set(columns) == set(SUMMARY_COLUMNS)
    assert all(HANGUL.search(column["label"]) for column in columns.values()), columns
    assert columns["parameters"]["type_config"]["format"] == "localized"


def test_an_optimizer_choice_reads_with_its_korean_name_in_korean_and_the_books_name_in_english():
    from lib.engine.optimizers import OPTIMIZER_NAMES, OPTIMIZERS
    from ui.optimizer_views import optimizer_choice_name

    with language_override("en"):
        assert [optimizer_choice_name(name) for name in OPTIMIZERS] == [OPTIMIZER_NAMES[name] for name in OPTIMIZERS]
    with language_override("ko"):
        korean = [optimizer_choice_name(name) for name in OPTIMIZERS]
    assert all(HANGUL.search(name) and OPTIMIZER_NAMES[optimizer] in name for name, optimizer in zip(korean, OPTIMIZERS))


def test_the_padding_choices_read_with_their_meaning_in_korean():
    from tests.test_pages_languages import render

    for path, key in (("pages/operations/convolution.py", "conv_padding"),
                      ("pages/operations/conv_layer.py", "layer_padding")):
        app = render(path, "ko")
        radio = app.radio(key=key)
        shown = list(radio.options)  # as the page's script drew them, in the session's language
        assert all(HANGUL.search(option) for option in shown), shown
        assert [option.split(" ")[0] for option in shown[:2]] == ["valid", "same"]  # the API's words kept
