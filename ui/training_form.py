"""The training form: a TrainingConfig's fields as widgets, shared by the Train LeNet-5 and Your own classes pages.

Not a page itself. Each page has its own form (its own widget keys, `train_*` or `own_*`), drawn by the same
code, so an optimizer or regularizer added here appears on both. Ranges and help come from the config's field
metadata (lib.engine.config), as for the command line's flags.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.engine.batch_norm import momentum_note
from lib.engine.config import FIELDS, OWN_DATA_PRESETS, PRESET_LABELS, PRESETS, TrainingConfig
from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES
from lib.engine.optimizers import optimizer as optimizer_entry
from lib.i18n import N_, _
from lib.runs.labels import describe_config
from ui.widgets import labelled

MODEL_NAMES = {"lenet5": N_("LeNet-5"), "dense": N_("Dense (chapter 2)")}
# How the choices of two fields read (the values stay the config's, as the command line takes them).
STYLE_NAMES = {"sequential": N_("sequential"), "functional": N_("functional"), "subclassed": N_("subclassed")}
SCHEDULE_NAMES = {"none": N_("none"), "step": N_("step decay"), "exponential": N_("exponential decay"),
                  "cosine": N_("cosine decay")}
# The presets for a few dozen examples per class (Your own classes), and the others, for MNIST (Train LeNet-5).
OWN_PRESETS = {name: values for name, values in PRESETS.items() if name in OWN_DATA_PRESETS}
MNIST_PRESETS = {name: values for name, values in PRESETS.items() if name not in OWN_DATA_PRESETS}


class TrainingForm:
    """One page's form. `presets` are starting points ({name: values}) over `base` over the config's defaults."""

    def __init__(self, prefix: str, presets: dict[str, dict], default_preset: str, base: dict | None = None):
        self.prefix, self.presets, self.default_preset, self.base = prefix, presets, default_preset, base or {}
        self.preset_key, self.default_rate_key = self.key("preset"), self.key("default_rate")
        # Streamlit forgets a widget's value while the widget is not drawn (during training, or on another
        # page), so the form is mirrored in a plain session key and restored.
        self.saved_key = self.key("saved_form")
        self.default_rate = False

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def fill(self, values: dict) -> None:
        """Put a config's values into the form (called before its widgets are drawn: a preset's or a button's
        callback)."""
        for name, value in values.items():
            if name in FIELDS:
                st.session_state[self.key(name)] = value
        st.session_state[self.default_rate_key] = values.get("learning_rate") is None

    def apply_preset(self) -> None:
        preset = st.session_state.get(self.preset_key, self.default_preset)
        self.fill({**TrainingConfig().to_dict(), **self.base, **self.presets.get(preset, {})})

    def restore(self) -> None:
        """The first time: the default preset; afterwards the values the form held when last drawn."""
        if self.saved_key not in st.session_state:
            st.session_state[self.preset_key] = self.default_preset
            self.apply_preset()
        for saved_key, saved_value in st.session_state.get(self.saved_key, {}).items():
            if saved_key not in st.session_state:
                st.session_state[saved_key] = saved_value

    # --- widgets -----------------------------------------------------------------------------------------
    def number(self, name: str, label: str, step=None, fmt=None, disabled=False, help=None):
        meta, default = FIELDS[name].metadata, FIELDS[name].default
        if self.key(name) not in st.session_state and default is not None:
            st.session_state[self.key(name)] = default  # a form saved before this field existed
        is_int = isinstance(default, int) and not isinstance(default, bool)
        kind = int if is_int else float
        return st.number_input(label, kind(meta["low"]), kind(meta["high"]), step=step or (1 if is_int else None),
                               format=fmt, key=self.key(name), help=help or _(meta["help"]), disabled=disabled)

    def choice(self, name: str, label: str, names: dict[str, str] | None = None, **options):
        """A selectbox of the field's choices; `names` ({value: N_-marked words}) say how they read."""
        if names:
            # Translated now, in the script's thread: AppTest calls format_func in the test's own thread.
            shown = {value: _(words) for value, words in names.items()}
            options["format_func"] = lambda value: shown.get(value, value)
        # A list of the choices as they are now: the optimizer's are the registry's (lib.engine.optimizers).
        return st.selectbox(label, list(FIELDS[name].metadata["choices"]), key=self.key(name),
                            help=_(FIELDS[name].metadata["help"]), **options)

    def checkbox(self, name: str, label: str, **options):
        if self.key(name) not in st.session_state:
            st.session_state[self.key(name)] = FIELDS[name].default
        return st.checkbox(label, key=self.key(name), help=_(FIELDS[name].metadata["help"]), **options)

    def value(self, name: str):
        return st.session_state.get(self.key(name), FIELDS[name].default)

    # --- sections ----------------------------------------------------------------------------------------
    def show_preset(self) -> None:
        """The preset box (options are preset ids, shown by their labels) and, in its help, what each one sets."""
        st.selectbox(_("Preset"), list(self.presets), key=self.preset_key, on_change=self.apply_preset,
                     help=" ".join(preset_summary(name, self.base) for name in self.presets),
                     format_func=labelled({name: PRESET_LABELS[name] for name in self.presets}))

    def show_model_optimizer_and_data(self, data: Callable[[], None]) -> None:
        """Network and Keras style, optimizer and learning rate, and the page's own data fields (`data`)."""
        model_col, optim_col, data_col = st.columns(3)
        with model_col:
            st.markdown(_("**Model**"))
            self.choice("model", _("Network"), MODEL_NAMES)
            self.choice("style", _("Keras style"), STYLE_NAMES)
        with optim_col:
            st.markdown(_("**Optimizer**"))
            optimizer = self.choice("optimizer", _("Optimizer"), OPTIMIZER_NAMES)
            self.default_rate = st.checkbox(
                _("Keras's default learning rate ({rate:g})").format(rate=KERAS_DEFAULT_LEARNING_RATES[optimizer]),
                key=self.default_rate_key)
            if self.default_rate or st.session_state.get(self.key("learning_rate")) is None:
                st.session_state[self.key("learning_rate")] = KERAS_DEFAULT_LEARNING_RATES[optimizer]
            self.number("learning_rate", _("Learning rate"), fmt="%.5f", disabled=self.default_rate)
            if note := optimizer_entry(optimizer).note:
                st.info(_(note))
        with data_col:
            st.markdown(_("**Data**"))
            data()

    def show_regularization_and_callbacks(self, training_images: int) -> None:
        """Regularizers, early stopping and the learning-rate callbacks; `training_images` per epoch, for the
        batch-norm note."""
        reg_col, stop_col, rate_col = st.columns(3)
        with reg_col:
            st.markdown(_("**Regularization**"))
            self.number("l1", _("L1 coefficient"), step=0.001, fmt="%.4f")
            self.number("l2", _("L2 coefficient"), step=0.001, fmt="%.4f")
            self.number("dropout", _("Dropout rate"), step=0.05)
            batch_norm = st.checkbox(_("Batch normalization"), key=self.key("batch_norm"))
            momentum = self.number("batch_norm_momentum", _("Batch-norm momentum"), step=0.01, fmt="%.3f",
                                   disabled=not batch_norm)
            if batch_norm:
                st.caption(momentum_note(momentum, training_images, self.value("batch_size"), self.value("epochs")))
        with stop_col:
            st.markdown(_("**Early stopping**"))
            early = st.checkbox("EarlyStopping", key=self.key("early_stopping"))
            self.choice("early_stopping_monitor", _("Monitor"), disabled=not early)
            self.number("early_stopping_patience", _("Patience (epochs)"), disabled=not early)
            st.checkbox(_("Restore best weights"), key=self.key("early_stopping_restore_best"), disabled=not early)
        with rate_col:
            st.markdown(_("**Learning-rate callbacks**"))
            plateau = st.checkbox("ReduceLROnPlateau", key=self.key("reduce_lr_on_plateau"))
            self.number("reduce_lr_factor", _("Plateau factor"), step=0.05, disabled=not plateau)
            self.number("reduce_lr_patience", _("Plateau patience"), disabled=not plateau)
            schedule = self.choice("lr_schedule", _("Learning-rate schedule"), SCHEDULE_NAMES)
            self.number("lr_schedule_factor", _("Schedule factor"), step=0.05,
                        disabled=schedule not in ("step", "exponential"))
            self.number("lr_schedule_every", _("Step every (epochs)"), disabled=schedule != "step")
            self.number("warmup_epochs", _("Warm-up epochs (cosine)"), step=0.5, disabled=schedule != "cosine")

    def show_name(self) -> None:
        st.text_input(_("Run name (optional)"), key=self.key("name"), max_chars=200)

    def values(self) -> dict:
        """The config the form holds (learning rate None for Keras's default), and the form saved for later."""
        form_values = {name: st.session_state[self.key(name)] for name in FIELDS if self.key(name) in st.session_state}
        form_values["learning_rate"] = None if self.default_rate else form_values.get("learning_rate")
        st.session_state[self.saved_key] = {name: st.session_state[name]
                                            for name in [*map(self.key, FIELDS), self.preset_key,
                                                         self.default_rate_key]
                                            if name in st.session_state}
        return form_values

    def saved_values(self, state=None) -> dict | None:
        """The config the form held when its page last drew it, as `values` gave it; None if it never did. Another
        page reads a form this way (the Scaling out page the Train page's), without drawing it. `state`: this
        session's state (a test passes its AppTest's)."""
        state = st.session_state if state is None else state
        if self.saved_key not in state:
            return None
        saved = state[self.saved_key]
        form_values = {name: saved[self.key(name)] for name in FIELDS if self.key(name) in saved}
        if saved.get(self.default_rate_key):
            form_values["learning_rate"] = None
        return form_values


def preset_summary(name: str, base: dict | None = None) -> str:
    """One sentence of what preset `name` sets, read from its values (over `base` and the config's defaults): the
    recipe as History names a run (lib.runs.labels.describe_config), its batch size, and the batch-norm momentum it
    lowers."""
    values = {**TrainingConfig().to_dict(), **(base or {}), **PRESETS[name]}
    parts = [describe_config(values), _("batch {batch}").format(batch=values["batch_size"])]
    if "batch_norm_momentum" in PRESETS[name]:
        parts.append(_("batch norm's momentum {momentum:g} (its epochs are too short for Keras's {default:g})").format(
            momentum=values["batch_norm_momentum"], default=FIELDS["batch_norm_momentum"].default))
    return _("{label}: {settings}.").format(label=_(PRESET_LABELS[name]), settings=", ".join(parts))


def mnist_training_form() -> TrainingForm:
    """The Train LeNet-5 page's form (MNIST's presets, Quick look first); the Scaling out page reads what it holds."""
    return TrainingForm("train", MNIST_PRESETS, default_preset="quick")
