"""Keras basics (chapter 2), live: data, models, losses, compile and fit, callbacks, saving."""

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.codegen.keras_basics import MODEL_EXAMPLES, checked_program, model_examples
from lib.engine.config import TrainingConfig
from lib.engine.data import MnistUnavailableError, load_mnist
from lib.explore.images import enlarge
from lib.i18n import _, ngettext
from lib.keras_views.keras_basics import (
    BOOK_Y_PRED,
    BOOK_Y_TRUE,
    crossentropy_pair,
    layer_weights,
    normalization_histograms,
    optimizer_string_vs_object,
    parse_labels,
)
from lib.runs.archive import zip_run
from lib.runs.history_file import RunReadError
from lib.runs.store import Run, book_run_path, load_run
from lib.server.guide_controls import label as control_label
from ui.caching import cache_resource_per_language
from ui.callbacks_text import CALLBACKS
from ui.code_panel import code_panel
from ui.job_views import show_live, show_result
from ui.jobs import current_job, owner, registry, submit
from ui.keras_basics.open_questions import show_open_questions
from ui.models import keras_model
from ui.widgets import runs_locally
from ui.workspace import shell_path

SHIPPED = book_run_path("shipped")


def shipped_run() -> Run:
    try:
        return load_run(SHIPPED, source="experiment")
    except RunReadError:
        return Run(SHIPPED, {}, [], {}, source="experiment")


@st.cache_resource(max_entries=1, show_spinner=_("Loading MNIST..."))  # a page: this runs on every visit
def mnist():
    return load_mnist()


# Read only, never mutated; per language, since each model's program carries comments for people.
@cache_resource_per_language(max_entries=2, show_spinner=_("Building the three models..."))
def built_models() -> list[dict]:
    return model_examples()


def arithmetic_line(row: dict) -> str:
    """One layer's parameter count spelled out; a note naming its weights (batch norm's) translated."""
    note = f" ({_(row['note'])})" if row.get("note") else ""
    return f"- `{row['layer']}`: {row['arithmetic']}{note} = **{row['parameters']:,}**"


def show_rate_used(job) -> None:
    """The learning rate the run's config.json asked for, and the one its optimizer reported in history.csv."""
    if not job.run_path:
        return
    try:
        run = load_run(job.run_path)
    except RunReadError:  # show_result has said why already
        return
    asked = run.config.get("learning_rate")
    used = run.history[-1].get("learning_rate") if run.history else None
    if asked is not None and used is not None:
        text = _("This run's config.json asks for learning rate **{asked:g}**; its optimizer reported **{used:g}** in "
                 "the last epoch's history row.")
    elif asked is not None:
        text = _("This run's config.json asks for learning rate **{asked:g}**.")
    elif used is not None:
        text = _("This run's config.json leaves the learning rate to Keras's default; its optimizer reported "
                 "**{used:g}** in the last epoch's history row.")
    else:
        text = _("This run's config.json leaves the learning rate to Keras's default.")
    st.markdown(text.format(asked=asked, used=used))


def show_run_download(job) -> None:
    """The last run's zip (model, history, TensorBoard logs), for a visitor who cannot reach the server's folders."""
    if job is None or job.active or not job.run_path:
        st.caption(_("Train the dense network on the compile and fit tab, and its download appears here."))
        return
    path = Path(job.run_path)
    if path.is_dir():
        st.download_button(_("Download the last run, {name} (.zip)").format(name=path.name), functools.partial(zip_run, path),
                           file_name=f"{path.name}.zip", mime="application/zip", on_click="ignore",
                           key="basics_run_download")


def show_losses(result: dict) -> None:
    """The two losses per row, each row's sum, and sentences that follow what the numbers do."""
    columns = {"sparse_categorical_crossentropy": result["sparse"], "categorical_crossentropy": result["categorical"],
               _("row sum"): result["row_sums"], _("-log p(true class)"): result["as_typed"]}
    odd = result["not_distributions"]
    if odd:
        columns[_("-log(p(true class) / row sum)")] = result["by_hand"]
        st.warning(ngettext(
            "Row {rows} sums to {sums}, not 1: it is not a probability distribution. With `from_logits=False` Keras "
            "rescales it before the log, and the two losses rescale differently: `categorical_crossentropy` divides "
            "the row by its sum; `sparse_categorical_crossentropy` first clips every value to at most 1 - epsilon, "
            "then divides by the clipped row's sum.",
            "Rows {rows} sum to {sums}, not 1: they are not probability distributions. With `from_logits=False` "
            "Keras rescales them before the log, and the two losses rescale differently: `categorical_crossentropy` "
            "divides a row by its sum; `sparse_categorical_crossentropy` first clips every value to at most "
            "1 - epsilon, then divides by the clipped row's sum.", len(odd)).format(
            rows=", ".join(str(row) for row in odd), sums=", ".join(f"{result['row_sums'][row]:.4g}" for row in odd)))
    st.dataframe(pd.DataFrame(columns), key="basics_losses")
    means = _("Mean: sparse **{sparse:.4f}**, categorical **{categorical:.4f}**.").format(
        sparse=result["sparse_mean"], categorical=result["categorical_mean"])
    differing = result["differing_rows"]
    if differing:
        reason = ngettext("They differ on row {rows}, by **{difference:.4f}** on the mean: where a value is above 1, "
                          "clipping before or after dividing by the sum gives a different share for the true class.",
                          "They differ on rows {rows}, by **{difference:.4f}** on the mean: where a value is above 1, "
                          "clipping before or after dividing by the sum gives a different share for the true class.",
                          len(differing)).format(rows=", ".join(str(row) for row in differing),
                                                 difference=abs(result["sparse_mean"] - result["categorical_mean"]))
    elif odd:
        reason = _("They agree: on every row both take -log of the true class's share of the row's sum.")
    else:
        reason = _("They agree because the one-hot vector selects exactly the probability the integer label points "
                   "to: both are -log p(true class).")
    st.markdown(means + " " + reason)


st.title(_("Keras basics"))
data_tab, model_tab, loss_tab, fit_tab, callback_tab, save_tab, questions_tab = st.tabs(
    [_("Data"), _("Model"), _("Losses"), control_label("basics_fit_tab"), _("Callbacks and TensorBoard"), _("Save and load"),
     control_label("basics_questions_tab")])

with data_tab:
    try:
        (x_train, y_train), (x_test, y_test) = mnist()
    except MnistUnavailableError as error:
        st.error(str(error))
    else:
        st.markdown(_("`load_data()` gives `x_train` {x_train} {dtype}, `y_train` {y_train}, `x_test` {x_test}, "
                      "`y_test` {y_test}.").format(x_train=x_train.shape, dtype=x_train.dtype, y_train=y_train.shape,
                                                   x_test=x_test.shape, y_test=y_test.shape))
        start = st.number_input(_("First sample shown"), 0, len(x_train) - 24, 0, step=24, key="basics_start")
        st.image([enlarge(image, 64) for image in x_train[start: start + 24]],
                 caption=[_("label {label}").format(label=label) for label in y_train[start: start + 24]])
        histograms = normalization_histograms(x_train[:2000])
        figure = make_subplots(rows=1, cols=3, subplot_titles=[_(name) for name in histograms])
        for index, (counts, edges) in enumerate(histograms.values(), start=1):
            figure.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, showlegend=False), row=1, col=index)
        figure.update_yaxes(type="log")
        figure.update_yaxes(title_text=_("pixels (log scale)"), col=1)
        figure.update_xaxes(title_text=_("pixel value"))
        figure.update_layout(height=300, margin=dict(t=30, b=10))
        st.markdown(_("**Pixel values of 2,000 training images**, raw and after each normalization"))
        st.plotly_chart(figure, key="basics_histogram")
        batch = x_train[:32]
        st.markdown(_("Conv2D expects `(batch, height, width, channels)`. A batch of 32 images is {shape}; "
                      "`x[..., np.newaxis]` adds the channel axis: {with_channels}.").format(
            shape=batch.shape, with_channels=batch[..., np.newaxis].shape))

with model_tab:
    st.caption(_("Chapter 2 builds a model three ways: with the Sequential API, with the functional API and by "
                 "subclassing `keras.Model`. Each program below is run here as shown: its summary is what it "
                 "prints."))
    for example, built in zip(MODEL_EXAMPLES, built_models()):
        total = built["total_params"]
        st.markdown("#### " + ngettext("{title}: {n:,} parameter", "{title}: {n:,} parameters", total).format(
            title=_(example.title), n=total))
        code_panel(checked_program(example, built), f"basics_{example.key}", expanded=example == MODEL_EXAMPLES[0])
        st.code(built["summary"], language=None)
        rows = built["arithmetic"]
        terms = " + ".join(f"{row['parameters']:,}" for row in rows)
        st.markdown("\n".join(arithmetic_line(row) for row in rows) + "\n\n" +
                    _("Total: {terms} = **{total:,}**").format(terms=terms, total=total))
        st.markdown(_("Total **{total:,}** = trainable **{trainable:,}** + non-trainable **{frozen:,}**.").format(
            total=total, trainable=built["trainable_params"], frozen=built["non_trainable_params"]))

with loss_tab:
    st.markdown(_("Edit the labels and predicted probabilities; the two losses are computed by Keras itself."))
    labels_text = st.text_input(_("y_true (integer labels)"), ", ".join(map(str, BOOK_Y_TRUE)), key="basics_y_true")
    table = st.data_editor(pd.DataFrame(BOOK_Y_PRED, columns=["p(0)", "p(1)", "p(2)"]), key="basics_y_pred",
                           num_rows="fixed")
    try:
        labels = parse_labels(labels_text)
        result = crossentropy_pair(labels, table.to_numpy(dtype=float).tolist())
    except ValueError as error:
        st.error(_("Cannot compute the losses: {error}").format(error=error))
    else:
        st.markdown(_("One-hot labels for `categorical_crossentropy`: `{one_hot}`").format(
            one_hot=result["one_hot"].astype(int).tolist()))
        show_losses(result)

with fit_tab:
    rate = st.number_input(_("Learning rate for SGD(learning_rate=...)"), 0.0001, 1.0, 0.1, step=0.01, format="%.4f",
                           key="basics_rate")
    comparison = optimizer_string_vs_object(rate)
    st.markdown(_("`optimizer=\"sgd\"` builds `{optimizer}` with Keras's defaults: learning rate {default_rate:g}, "
                  "momentum {momentum:g}. `keras.optimizers.SGD(learning_rate={rate:g})` sets it: {set_rate:g}. "
                  "The dense network below trains with this rate.").format(
        optimizer=comparison["string_class"], default_rate=comparison["string_rate"],
        momentum=comparison["string_momentum"], rate=rate, set_rate=comparison["object_rate"]))
    st.markdown(_("`fit(x, y, epochs, batch_size, validation_data, verbose)`: **epochs** are passes over the data, "
                  "**batch_size** the images per gradient step, **validation_data** images the model never trains "
                  "on, checked after each epoch, and **verbose** how much Keras prints (0 silent, 1 progress bar, "
                  "2 one line per epoch)."))
    epochs = st.slider(control_label("basics_epochs"), 1, 10, 3, key="basics_epochs")
    job = current_job()
    if job is not None and job.active:
        show_live(job.job_id)
    else:
        if job is not None and job.config.model == "dense":
            show_result(job)
            show_rate_used(job)
            shipped = shipped_run().metrics
            if "test_accuracy" in shipped:
                st.markdown(_("The shipped LeNet-5 reaches **{accuracy:.2%}** on the same test set.").format(
                    accuracy=shipped["test_accuracy"]))
        if st.button(_("Train the dense network with SGD(learning_rate={rate:g})").format(rate=rate), key="basics_train"):
            config = TrainingConfig(model="dense", optimizer="sgd", learning_rate=rate, batch_size=32, epochs=epochs,
                                    name="Keras basics: dense network")
            if submit(config):
                st.rerun()

with callback_tab:
    for name, (what, option) in CALLBACKS.items():
        st.markdown(_("**{name}**: {what} On the Training page: *{option}*.").format(name=name, what=_(what),
                                                                                      option=_(option)))
    if runs_locally():
        # Only someone at the server can run a command there or open its folders.
        st.markdown(_("Every run keeps its TensorBoard logs in its `tb/` folder. To open them all:"))
        # Every workspace's folder: the workspace's own is named by its token, which only the private link shows.
        st.code(f"tensorboard --logdir {shell_path(registry().owner_dir(owner()).parent)}", language="bash")
    else:
        st.markdown(_("Every run keeps its TensorBoard logs in its `tb/` folder, and a run's download holds that "
                      "folder: unpack it on your own computer and run `tensorboard --logdir` on it."))
        show_run_download(current_job())

with save_tab:
    st.markdown(_("`model.save(\"model.keras\")` writes architecture, weights and optimizer state in one file; "
                  "`model.save_weights(\"model.weights.h5\")` only the weights; `keras.saving.load_model` reads a "
                  "`.keras` file back. It keeps `safe_mode=True`: a saved file could otherwise carry Python code "
                  "(a `Lambda` layer) that runs when loaded; safe mode refuses it, so a downloaded model cannot "
                  "run code on your machine."))
    weights = layer_weights(keras_model(str(shipped_run().model_path)))
    st.markdown(_("`get_weights()` of the shipped model's `conv1`: kernel {kernel}, bias {bias}. A fresh LeNet-5 has "
                  "different weights (equal: {before}); after `set_weights` it holds the trained ones (equal: "
                  "{after}).").format(kernel=weights["kernel_shape"], bias=weights["bias_shape"],
                                      before=weights["equal_before"], after=weights["equal_after"]))
    st.dataframe(pd.DataFrame(np.round(weights["kernel_sample"], 3)), key="basics_kernel")

with questions_tab:
    show_open_questions()
