"""The Keras basics page's last tab: three things chapter 2 states, answered by running them. Not a page itself."""

import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.engine.data import MnistUnavailableError
from lib.explore.images import enlarge
from lib.i18n import N_, _, ngettext
from lib.keras_views.keras_basics import (
    BOOK_METRIC_PRED,
    BOOK_METRIC_TRUE,
    accuracy_updates,
    first_mistake,
    input_size_experiment,
    parse_labels,
    scalar_folder,
    write_and_read_scalars,
)
from lib.runs.archive import zip_run
from lib.runs.store import book_model_path
from ui.digits import digit_picker, mnist_test
from ui.keras_basics.resize import show_why_resize
from ui.layout import captioned_image
from ui.models import keras_model, shipped_classifier
from ui.widgets import runs_locally

DENSE_BASELINE = book_model_path("dense baseline")


def show_input_sizes(lenet) -> None:
    st.markdown(_("#### A conv layer takes any input size; a dense layer does not"))
    digit, caption = digit_picker("basics_sizes")
    if digit is None:
        st.info(caption)
        return
    result = input_size_experiment(lenet, keras_model(str(DENSE_BASELINE)), digit)
    small, large = result["maps"].values()
    columns = st.columns(2)
    for column, image, maps, title in ((columns[0], digit, small, "28 x 28"),
                                       (columns[1], result["large"], large, _("64 x 64 (enlarged)"))):
        captioned_image(column, enlarge(image, 112), f"{caption}, {title}", width=112)
        column.image([enlarge(maps[:, :, channel], 64) for channel in range(maps.shape[2])],
                     caption=[_("map {channel}").format(channel=channel) for channel in range(maps.shape[2])])
        column.markdown(_("LeNet-5's `conv1` gives maps of **{height} x {width} x {channels}**.").format(
            height=maps.shape[0], width=maps.shape[1], channels=maps.shape[2]))
    st.markdown(_("The same `conv1`, with the same **{conv1} parameters**, ran on both: its kernels slide over "
                  "whatever image they are given. The dense baseline ({dense:,} parameters) flattens its input into "
                  "one long vector, and its first Dense layer has one weight per pixel of a 28 x 28 image. Given the "
                  "64 x 64 image, Keras says:").format(conv1=result["conv1_parameters"],
                                                       dense=result["dense_parameters"]))
    st.code(result["dense_error"] or _("(no error: this model accepted the larger image)"), language="text",
            wrap_lines=True)
    show_why_resize(lenet, digit)


METRIC_SOURCES = (N_("The book's example"), N_("The shipped LeNet-5 on MNIST test digits"))  # shown translated


@st.cache_data(max_entries=1, show_spinner=False)  # the caller's spinner speaks the visitor's language
def shipped_test_predictions() -> np.ndarray:
    x_test, _labels = mnist_test()
    return shipped_classifier().predict_batches(x_test).argmax(axis=1)


def shipped_batch() -> tuple[list[int], list[int]] | None:
    """Ground truth and the shipped model's predictions for a batch of test digits the learner picks."""
    try:
        _images, y_test = mnist_test()
    except MnistUnavailableError as error:
        st.info(_("This part needs MNIST's test set, which is not at hand: {error}").format(error=error))
        return None
    with st.spinner(_("Reading MNIST's test set with the shipped LeNet-5...")):
        predicted = shipped_test_predictions()
    # The model reads 99 % of the digits right: start a few digits before its first mistake, so the batch has one.
    mistake = first_mistake(y_test, predicted)
    left, right = st.columns(2)
    start = left.number_input(_("First test image"), 0, len(y_test) - 32, max(0, (mistake or 0) - 5),
                              key="basics_metric_start")
    count = right.slider(_("Images in the batch"), 2, 32, 12, key="basics_metric_count")
    labels, guesses = y_test[start: start + count], predicted[start: start + count]
    wrong = [str(start + index) for index in np.flatnonzero(labels != guesses)]
    where = (ngettext("It misreads test digit {digits}.", "It misreads test digits {digits}.", len(wrong)).format(
        digits=", ".join(wrong)) if wrong else _("It reads every digit of this batch right, so the accuracy stays at "
                                                 "100 %."))
    st.caption(_("The shipped LeNet-5's predictions for test digits {first}-{last}. {where}").format(
        first=start, last=start + count - 1, where=where))
    return labels.tolist(), guesses.tolist()


def show_accuracy_metric() -> None:
    st.markdown(_("#### Metrics are computed from the model's predictions"))
    # Labels looked up in a table made now, not `format_func=_`: AppTest calls format_func outside the script
    # thread, where `_` would read English and no longer match the Korean options.
    labels = {source: _(source) for source in METRIC_SOURCES}
    source = st.radio(_("Predictions"), METRIC_SOURCES, format_func=labels.get, horizontal=True,
                      key="basics_metric_source")
    if source == METRIC_SOURCES[0]:
        left, right = st.columns(2)
        truth_text = left.text_input(_("Ground truth"), ", ".join(map(str, BOOK_METRIC_TRUE)), key="basics_metric_truth")
        guess_text = right.text_input(_("Predictions"), ", ".join(map(str, BOOK_METRIC_PRED)), key="basics_metric_pred")
        try:
            labels, predicted = parse_labels(truth_text), parse_labels(guess_text)
            rows = accuracy_updates(labels, predicted)
        except ValueError as error:
            st.error(_("Cannot compute the accuracy: {error}").format(error=error))
            return
    else:
        batch = shipped_batch()
        if batch is None:
            return
        labels, predicted = batch
        rows = accuracy_updates(labels, predicted)
    st.code("accuracy = keras.metrics.Accuracy()\nfor truth, prediction in zip(ground_truth, predictions):\n"
            "    accuracy.update_state([truth], [prediction])\n    print(accuracy.result())", language="python")
    headers = {"update": _("update"), "ground truth": _("ground truth"), "prediction": _("prediction"),
               "correct": _("correct")}  # accuracy.result() is code: it stays
    st.dataframe(pd.DataFrame(rows).rename(columns=headers), hide_index=True, key="basics_metric_table")
    correct = sum(row["correct"] for row in rows)
    st.markdown(ngettext("After {n} update: **{accuracy:.2%}**, the share of predictions equal to the ground truth "
                         "({correct} of {n}). `fit` and `evaluate` do the same with every batch.",
                         "After {n} updates: **{accuracy:.2%}**, the share of predictions equal to the ground truth "
                         "({correct} of {n}). `fit` and `evaluate` do the same with every batch.", len(rows)).format(
        n=len(rows), accuracy=rows[-1]["accuracy.result()"], correct=correct))
    show_custom_scalars(rows)


def show_custom_scalars(rows: list[dict]) -> None:
    st.markdown(_("#### Custom TensorBoard scalars"))
    st.markdown(_("The book logs its own values with `tf.summary`. Here the running accuracy above is written, one "
                  "scalar per update, and read back with TensorBoard's own event reader:"))
    st.code("writer = tf.summary.create_file_writer(log_dir)\nwith writer.as_default():\n"
            "    for step, value in enumerate(values):\n"
            "        tf.summary.scalar(\"running_accuracy\", value, step=step)", language="python")
    # One folder per session, emptied before each write, so the reader sees this batch's scalars only.
    log_dir = st.session_state["basics_scalar_dir"] = str(scalar_folder(st.session_state.get("basics_scalar_dir")))
    points = write_and_read_scalars(log_dir, "running_accuracy", [row["accuracy.result()"] for row in rows])
    figure = go.Figure(go.Scatter(x=[step for step, _value in points], y=[value for _step, value in points],
                                  mode="lines+markers"))
    figure.update_layout(height=260, margin=dict(t=30, b=10), xaxis_title=_("step"), yaxis_title="running_accuracy",
                         yaxis=dict(range=[0, 1.05]))
    st.plotly_chart(figure, key="basics_scalar_chart")
    if runs_locally():
        # Only someone at the server can open its folders or run a command there.
        st.caption(ngettext("{n} scalar read back from {folder}. Open it in TensorBoard with:",
                            "{n} scalars read back from {folder}. Open them in TensorBoard with:", len(points)).format(
            n=len(points), folder=log_dir))
        st.code(f"tensorboard --logdir {shlex.quote(log_dir)}", language="bash")
    else:
        st.caption(ngettext("{n} scalar read back. Download the event file and open it with TensorBoard on your own "
                            "computer: `tensorboard --logdir` the unpacked folder.",
                            "{n} scalars read back. Download the event file and open it with TensorBoard on your own "
                            "computer: `tensorboard --logdir` the unpacked folder.", len(points)).format(n=len(points)))
        st.download_button(_("Download the scalars (.zip)"), lambda: zip_run(Path(log_dir)),
                           file_name="running-accuracy-scalars.zip", mime="application/zip",
                           on_click="ignore", key="basics_scalar_download")


def show_open_questions() -> None:
    show_input_sizes(shipped_classifier().model)
    show_accuracy_metric()
