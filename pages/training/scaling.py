"""Scaling out: the same training on several GPUs or machines with tf.distribute (chapter 2)."""

import shlex
from dataclasses import replace

import streamlit as st

from lib.codegen.training import training_program
from lib.engine.config import TrainingConfig, command_for
from lib.engine.distribute import tf_config
from lib.i18n import _, ngettext
from lib.server.guide_controls import label as control_label
from lib.server.job_state import worker_losses
from lib.settings import settings
from ui.code_panel import code_panel
from ui.devices import show_tensorflow_build
from ui.job_views import show_live, show_result
from ui.jobs import current_job, submit
from ui.training_form import mnist_training_form

# The demonstration is short: two workers share this server's cores (or two of the cluster's).
DEMO_EPOCHS = 3
DEMO_SAMPLES = 3000

def show_worker_losses(job) -> None:
    """Each worker's training loss per epoch, side by side, and how far apart they came."""
    rows, gap = worker_losses(job.workers)
    if not rows:
        return
    st.dataframe([{_("epoch") if key == "epoch" else key: value for key, value in row.items()} for row in rows],
                 hide_index=True, key="scaling_worker_losses")
    if gap == 0:
        text = ngettext("Both workers reported the same training loss after the {count} epoch: the run's one curve "
                        "is the loss of both.",
                        "Both workers reported the same training loss after each of the {count} epochs: the run's "
                        "one curve is the loss of both.", len(rows))
    else:
        text = ngettext("The workers' training losses differ by up to {gap:.3g} over the {count} epoch.",
                        "The workers' training losses differ by up to {gap:.3g} over the {count} epochs.", len(rows))
    st.markdown(text.format(count=len(rows), gap=gap))


st.title(_("Scaling out"))
st.markdown(_(
    "When one device is not enough, `tf.distribute` spreads the same training over many. Its rule: **build and "
    "compile the model inside the strategy's scope**, then train as usual. The batch size you give is the *global* "
    "batch, split across the replicas, so with more replicas you may raise the batch size and, with it, the "
    "learning rate (this app's *scale learning rate* option multiplies it by the number of replicas)."
))
st.markdown("\n".join([
    _("| Strategy | Where it trains | How it stays in sync |"),
    "| --- | --- | --- |",
    _("| `MirroredStrategy` | several GPUs in one machine | a copy of the model per GPU; gradients are summed "
      "(all-reduce) every step |"),
    _("| `MultiWorkerMirroredStrategy` | several machines, each with one or more devices | the same, across the "
      "network; machines are described by `TF_CONFIG` |"),
    _("| `ParameterServerStrategy` | many workers and parameter servers | workers push gradients to servers holding "
      "the variables, asynchronously |"),
    _("| `TPUStrategy` | Google's TPUs | like mirrored, on TPU cores |"),
]))
st.markdown(_(
    "This app's engine runs the first two, from the very same `TrainingConfig` (`--strategy mirrored` or "
    "`--strategy multiworker`); the chief worker alone writes the run folder."
))

show_tensorflow_build(st.info)

form = mnist_training_form().saved_values()  # what the Train page's form held when last drawn
try:
    config = TrainingConfig.from_dict(form) if form else TrainingConfig()
except ValueError:
    config = TrainingConfig()
st.subheader(_("Your current Training form, on two machines"))
st.caption(_("Built from the settings on the Training page") if form else
           _("Built from the default settings: change them on the Training page and come back."))
left, right = st.columns(2)
first = left.text_input(_("First machine (host:port)"), "10.0.0.1:12345", key="scaling_host_a")
second = right.text_input(_("Second machine (host:port)"), "10.0.0.2:12345", key="scaling_host_b")
scale = st.checkbox(_("Scale the learning rate by the number of replicas"), config.scale_learning_rate,
                    key="scaling_scale_rate")
distributed = replace(config, strategy="multiworker", devices="", scale_learning_rate=scale)
command = command_for(distributed, out="runs")
for index, host in enumerate((first, second)):
    machine = host or _("machine {number}").format(number=index + 1)
    st.markdown((_("**On {machine}** (worker {index}, the chief)") if index == 0 else
                 _("**On {machine}** (worker {index})")).format(machine=machine, index=index))
    st.code(f"TF_CONFIG={shlex.quote(tf_config([first, second], index))} \\\n  {command}", language="bash",
            wrap_lines=True)
st.caption(_("Start both; each waits for the other. Both need this repository, its requirements and MNIST "
             "(or internet access to download it)."))

st.subheader(_("Several GPUs in one machine"))
st.code(command_for(replace(config, strategy="mirrored", devices="", scale_learning_rate=scale), out="runs"),
        language="bash")
st.markdown(_("No GPU at hand? Try mirrored training on your CPU split into two logical devices:"))
st.code(command_for(replace(config, strategy="mirrored", devices="", scale_learning_rate=scale), out="runs")
        + " --split-cpu 2", language="bash")
st.markdown(_("The same training as a Keras program of its own: build and compile inside "
              "`MirroredStrategy().scope()`, then `fit` as usual."))
code_panel(training_program(replace(config, strategy="mirrored", devices="", scale_learning_rate=scale)),
           "scaling_mirrored")

st.subheader(_("Try two workers on this server"))
ray_address = settings().ray_address
if ray_address:
    st.markdown(_("This server trains on the Ray cluster at {address}: Ray Train's `TensorflowTrainer` starts two "
                  "workers there, sets each one's `TF_CONFIG`, and they train your form's model together with "
                  "`MultiWorkerMirroredStrategy`: every step, both compute gradients on their half of the batch and "
                  "add them up, so both step with the same summed loss. Worker 0, the chief, sends the run back; "
                  "below its result, a table sets the loss each worker reported beside the other's.").format(
        address=f"`{ray_address}`"))  # checked by lib.settings: host, port, no markup
else:
    st.markdown(_("Two worker processes on this machine (127.0.0.1, two free ports, a `TF_CONFIG` each) train your "
                  "form's model together with `MultiWorkerMirroredStrategy`: every step, both compute gradients on their "
                  "half of the batch and add them up, so both step with the same summed loss. Worker 0, the chief, writes the "
                  "run; below its result, a table sets the loss each worker reported beside the other's."))
demo = replace(config, strategy="multiworker", devices="", epochs=min(config.epochs, DEMO_EPOCHS),
               train_samples=min(config.train_samples, DEMO_SAMPLES), name=_("two-worker demonstration"))  # the run's name, in its reader's language
st.caption(ngettext("{epochs} epoch on the first {samples:,} training images, batch {batch}: a short run, since both "
                    "workers share this server's cores.",
                    "{epochs} epochs on the first {samples:,} training images, batch {batch}: a short run, since both "
                    "workers share this server's cores.", demo.epochs).format(
    epochs=demo.epochs, samples=demo.train_samples, batch=demo.batch_size))
job = current_job()
if job is not None and job.active:
    if job.demo_workers:
        show_live(job.job_id)
    else:
        st.info(_("Your training job is running: the demonstration can start once it has finished or been stopped."))
else:
    if job is not None and job.demo_workers:
        show_result(job)
        show_worker_losses(job)
    if st.button(control_label("scaling_demo_start"), key="scaling_demo_start") and submit(demo, demo_workers=2):
        st.rerun()
