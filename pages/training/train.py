"""Training: pick an optimizer and regularizers, train LeNet-5 live, keep the run."""

import streamlit as st

from lib.codegen.training import training_program
from lib.engine.config import TrainingConfig
from lib.i18n import N_, _
from lib.server.guide_controls import label as control_label
from ui.code_panel import code_panel
from ui.devices import show_tensorflow_build
from ui.job_views import show_live, show_result
from ui.jobs import current_job, owner, registry, status_name, submit
from ui.training_form import mnist_training_form
from ui.widgets import runs_locally

# The strategies the page offers (values: the config's), as people read them.
STRATEGY_NAMES = {"default": N_("default: one device"),
                  "mirrored": N_("mirrored: every local GPU (or the devices named)")}
# The run's heading, linked to from the top of the page: a fixed anchor, whatever language the heading is in.
RUN_ANCHOR = "train-run"

form = mnist_training_form()
key, fill_form = form.key, form.fill
form.restore()

st.title(_("Train LeNet-5"))
if runs_locally():
    # The folder above the workspace's own: its name is the workspace's token, shown only by the private link.
    saved = _("Your runs are saved in your workspace's folder under `{folder}` (its private link is in the "
              "sidebar).").format(folder=registry().owner_dir(owner()).parent)
else:
    saved = _("Your runs are saved in your workspace (its private link is in the sidebar).")
st.caption(saved + " " + _("On Streamlit Community Cloud that disk is wiped whenever the app restarts: download "
                           "the runs you want to keep."))

job = current_job()
busy = job is not None and job.active
# The run's progress and result are drawn under the Train button, where the learner who clicked it is looking;
# someone arriving at the top of the page is pointed there. The slot is drawn even when empty: an element
# inserted above the form would renumber every widget below it, and the browser would lose its scroll position.
pointer = st.empty()
if busy:
    pointer.info(_("A run is training: its progress and Stop are [under the Train button](#{anchor}).").format(
        anchor=RUN_ANCHOR), icon=":material/model_training:")
elif job is not None:
    pointer.caption(_("Your last run {status}: [its result is under the Train button](#{anchor}).").format(
        status=status_name(job.status), anchor=RUN_ANCHOR))

form.show_preset()


def data_fields():
    form.number("batch_size", _("Batch size"))
    form.number("epochs", _("Epochs"))
    form.number("train_samples", _("Training images"), step=100)
    form.number("seed", _("Seed"))


form.show_model_optimizer_and_data(data_fields)
form.show_regularization_and_callbacks(st.session_state[key("train_samples")])
form.show_name()

with st.expander(_("Devices and strategy (tf.distribute)")):
    show_tensorflow_build()
    strategy = st.selectbox(_("Strategy"), list(STRATEGY_NAMES), key=key("strategy"),
                            format_func={value: _(name) for value, name in STRATEGY_NAMES.items()}.get)
    st.text_input(_("Devices for mirrored (comma-separated, empty: all GPUs)"), key=key("devices"),
                  disabled=strategy != "mirrored")
    st.checkbox(_("Scale the learning rate by the number of replicas"), key=key("scale_learning_rate"))
    st.caption(_("Several machines train from the command line: see the Scaling out page for the exact commands."))
form_values = form.values()  # also saved with the form: the Scaling out page reads it from there

if st.button(control_label("train_start"), type="primary", key="train_start", disabled=busy,
             help=_("One run at a time per browser session: stop the current one first.") if busy else None):
    try:
        config = TrainingConfig.from_dict(form_values)
    except ValueError as error:
        st.error(_("Cannot train with these settings: {error}").format(error=error))
        st.stop()
    if submit(config):
        st.rerun()

if job is not None:
    # A small heading, so the progress bar lands right under the button the learner has just clicked. Its anchor
    # is its own: the one Streamlit makes from a heading's words changes with the language (a hash for Korean).
    heading = _("Your run")
    st.markdown(f'#### <span id="{RUN_ANCHOR}"></span>{heading}', unsafe_allow_html=True)
    if busy:
        show_live(job.job_id)
        st.caption(_("The settings above are for the next run; this one trains with the settings it started with."))
    else:
        show_result(job, fill_form=fill_form)

try:
    recipe = training_program(TrainingConfig.from_dict(form_values))
except ValueError:  # the Train button says what is wrong with the form
    recipe = None
if recipe is not None:
    code_panel(recipe, "train")
