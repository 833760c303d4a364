"""Training: pick an optimizer and regularizers, train LeNet-5 live, keep the run."""

import streamlit as st

from lib.engine.batch_norm import momentum_note
from lib.engine.config import FIELDS, KERAS_DEFAULT_LEARNING_RATES, PRESETS, TrainingConfig
from lib.engine.training import ADADELTA_NOTE
from ui.devices import show_tensorflow_build
from ui.job_views import show_live, show_result
from ui.jobs import current_job, owner, registry, submit
from ui.widgets import runs_locally


def key(name: str) -> str:
    return f"train_{name}"


def fill_form(values: dict):
    """Put a config's values into the form (called before its widgets are drawn: a preset's or a button's callback)."""
    for name, value in values.items():
        st.session_state[key(name)] = value
    st.session_state.train_default_rate = values["learning_rate"] is None


def apply_preset():
    fill_form({**TrainingConfig().to_dict(), **PRESETS[st.session_state.train_preset]})


def number(name: str, label: str, step=None, fmt=None, disabled=False):
    meta, default = FIELDS[name].metadata, FIELDS[name].default
    if key(name) not in st.session_state and default is not None:
        st.session_state[key(name)] = default  # a form saved before this field existed
    is_int = isinstance(default, int) and not isinstance(default, bool)
    kind = int if is_int else float
    return st.number_input(label, kind(meta["low"]), kind(meta["high"]), step=step or (1 if is_int else None),
                           format=fmt, key=key(name), help=meta["help"], disabled=disabled)


def choice(name: str, label: str, **options):
    return st.selectbox(label, FIELDS[name].metadata["choices"], key=key(name), help=FIELDS[name].metadata["help"], **options)


# Streamlit forgets a widget's value while the widget is not drawn (during training,
# or on another page), so the form is mirrored in a plain session key and restored.
SAVED_FORM = "train_saved_form"
if SAVED_FORM not in st.session_state:
    st.session_state.train_preset = "Quick look"
    apply_preset()
for saved_key, saved_value in st.session_state.get(SAVED_FORM, {}).items():
    if saved_key not in st.session_state:
        st.session_state[saved_key] = saved_value

st.title("Train LeNet-5")
workspace = f", `{registry().owner_dir(owner())}`" if runs_locally() else ""
st.caption(f"Your runs are saved in your workspace{workspace} (the link is in the sidebar). "
           "On Streamlit Community Cloud that disk is wiped whenever the app "
           "restarts: download the runs you want to keep.")

job = current_job()
busy = job is not None and job.active
# The run's progress and result are drawn under the Train button, where the learner who clicked it is looking;
# someone arriving at the top of the page is pointed there. The slot is drawn even when empty: an element
# inserted above the form would renumber every widget below it, and the browser would lose its scroll position.
pointer = st.empty()
if busy:
    pointer.info("A run is training: its progress and Stop are [under the Train button](#your-run).",
                 icon=":material/model_training:")
elif job is not None:
    pointer.caption(f"Your last run {job.status}: [its result is under the Train button](#your-run).")

preset_help = ("Book: SGD, batch 32, all 60,000 images. Quick look: under a minute. Fast: LeNet-5 unchanged, "
               "Adam at batch 128 with warm-up and cosine decay, 99 % in four epochs. Small data: 200 images. "
               "Quick look and Small data lower batch norm's momentum to 0.9: their epochs are too short for "
               "Keras's 0.99 (the note under Batch normalization says why).")
st.selectbox("Preset", list(PRESETS), key="train_preset", on_change=apply_preset, help=preset_help)
model_col, optim_col, data_col = st.columns(3)
with model_col:
    st.markdown("**Model**")
    choice("model", "Network", format_func={"lenet5": "LeNet-5", "dense": "Dense (chapter 2)"}.get)
    choice("style", "Keras style")
with optim_col:
    st.markdown("**Optimizer**")
    optimizer = choice("optimizer", "Optimizer")
    default_rate = st.checkbox(f"Keras's default learning rate ({KERAS_DEFAULT_LEARNING_RATES[optimizer]:g})",
                               key="train_default_rate")
    if default_rate or st.session_state[key("learning_rate")] is None:
        st.session_state[key("learning_rate")] = KERAS_DEFAULT_LEARNING_RATES[optimizer]
    number("learning_rate", "Learning rate", fmt="%.5f", disabled=default_rate)
    if optimizer == "adadelta":
        st.info(ADADELTA_NOTE)
with data_col:
    st.markdown("**Data**")
    number("batch_size", "Batch size")
    number("epochs", "Epochs")
    number("train_samples", "Training images", step=100)
    number("seed", "Seed")

reg_col, stop_col, rate_col = st.columns(3)
with reg_col:
    st.markdown("**Regularization**")
    number("l1", "L1 coefficient", step=0.001, fmt="%.4f")
    number("l2", "L2 coefficient", step=0.001, fmt="%.4f")
    number("dropout", "Dropout rate", step=0.05)
    batch_norm = st.checkbox("Batch normalization", key=key("batch_norm"))
    momentum = number("batch_norm_momentum", "Batch-norm momentum", step=0.01, fmt="%.3f", disabled=not batch_norm)
    if batch_norm:
        st.caption(momentum_note(momentum, st.session_state[key("train_samples")],
                                 st.session_state[key("batch_size")], st.session_state[key("epochs")]))
with stop_col:
    st.markdown("**Early stopping**")
    early = st.checkbox("EarlyStopping", key=key("early_stopping"))
    choice("early_stopping_monitor", "Monitor", disabled=not early)
    number("early_stopping_patience", "Patience (epochs)", disabled=not early)
    st.checkbox("Restore best weights", key=key("early_stopping_restore_best"), disabled=not early)
with rate_col:
    st.markdown("**Learning-rate callbacks**")
    plateau = st.checkbox("ReduceLROnPlateau", key=key("reduce_lr_on_plateau"))
    number("reduce_lr_factor", "Plateau factor", step=0.05, disabled=not plateau)
    number("reduce_lr_patience", "Plateau patience", disabled=not plateau)
    schedule = choice("lr_schedule", "Learning-rate schedule")
    number("lr_schedule_factor", "Schedule factor", step=0.05, disabled=schedule not in ("step", "exponential"))
    number("lr_schedule_every", "Step every (epochs)", disabled=schedule != "step")
    number("warmup_epochs", "Warm-up epochs (cosine)", step=0.5, disabled=schedule != "cosine")
st.text_input("Run name (optional)", key=key("name"), max_chars=200)

with st.expander("Devices and strategy (tf.distribute)"):
    show_tensorflow_build()
    strategy = st.selectbox("Strategy", ["default", "mirrored"], key=key("strategy"),
                            format_func={"default": "default: one device",
                                         "mirrored": "mirrored: every local GPU (or the devices named)"}.get)
    st.text_input("Devices for mirrored (comma-separated, empty: all GPUs)", key=key("devices"),
                  disabled=strategy != "mirrored")
    st.checkbox("Scale the learning rate by the number of replicas", key=key("scale_learning_rate"))
    st.caption("Several machines train from the command line: see the Scaling out page for the exact commands.")
form_values = {name: st.session_state[key(name)] for name in FIELDS if key(name) in st.session_state}
form_values["learning_rate"] = None if default_rate else form_values.get("learning_rate")
st.session_state.train_form_values = form_values  # read by the Scaling out page
st.session_state[SAVED_FORM] = {name: st.session_state[name]
                                for name in [*map(key, FIELDS), "train_preset", "train_default_rate"]
                                if name in st.session_state}

if st.button("Train", type="primary", key="train_start", disabled=busy,
             help="One run at a time per browser session: stop the current one first." if busy else None):
    try:
        config = TrainingConfig.from_dict(form_values)
    except ValueError as error:
        st.error(f"Cannot train with these settings: {error}")
        st.stop()
    if submit(config):
        st.rerun()

if job is not None:
    # A small heading, so the progress bar lands right under the button the learner has just clicked.
    st.markdown("#### Your run")
    if busy:
        show_live(job.job_id)
        st.caption("The settings above are for the next run; this one trains with the settings it started with.")
    else:
        show_result(job, fill_form=fill_form)
