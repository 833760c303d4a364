"""The controls the route's guide lines name: one owner for each control's key and label.

A guide line (lib.server.navigation's `try_this`) names a control by its widget key in braces, "set
**{basics_epochs}** to 1", and is shown with the label declared here; the page gives its widget that same label
with `label(key)`. So a line always names a control by the words on screen, and tests/test_guide_controls.py
renders each page and finds every control its line names.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from lib.i18n import N_, _


@dataclass(frozen=True)
class Control:
    label: str  # marked for the catalog; shown translated, on the page and in the guide line alike
    tab: bool = False  # a tab has no key: it is found by its label; a widget by its key


CONTROLS: dict[str, Control] = {
    "basics_fit_tab": Control(N_("compile and fit"), tab=True),
    "basics_questions_tab": Control(N_("Open questions"), tab=True),
    "basics_epochs": Control(N_("Epochs for the dense network")),
    "why_units": Control(N_("Dense units")),
    "conv_kernel": Control(N_("Preset")),
    "conv_stride": Control(N_("Stride s")),
    "conv_padding": Control(N_("Padding")),
    "layer_volume": Control(N_("Input")),
    "layer_kernel_source": Control(N_("Kernels")),
    "pool_mode": Control(N_("Operation")),
    "train_start": Control(N_("Train")),
    "opt_primer_rate": Control(N_("Your learning rate η")),
    "regularizers_dropout_rate": Control(N_("Dropout rate")),
    "board_create": Control(N_("Create the class")),
    "scaling_demo_start": Control(N_("Start the two-worker demonstration")),
    "receptive_layer": Control(N_("Layer")),
}


def label(key: str) -> str:
    """The control's label in the reader's language: what its page shows and its guide line names."""
    return _(CONTROLS[key].label)


def named_controls(text: str) -> list[str]:
    """The keys of the controls a guide line names (its fields in braces), in order."""
    return [field for _literal, field, _spec, _conversion in Formatter().parse(text) if field]


def guide_line(text: str) -> str:
    """A guide line in the reader's language, each named control shown by its label."""
    return _(text).format(**{key: label(key) for key in named_controls(text)})
