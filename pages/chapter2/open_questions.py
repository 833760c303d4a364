"""The Keras basics page's last tab: three things chapter 2 states, answered by running them. Not a page itself."""

import shutil
import tempfile

import keras
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.data import MnistUnavailableError
from lib.images import enlarge
from lib.keras_basics import accuracy_updates, input_size_experiment, write_and_read_scalars
from lib.runs import SAVED_MODELS
from pages.shared.digits import digit_picker, mnist_test, shipped_classifier

DENSE_BASELINE = SAVED_MODELS / "baseline" / "dense-sgd" / "model.keras"


@st.cache_resource(show_spinner=False)
def dense_baseline():
    return keras.saving.load_model(DENSE_BASELINE)


def show_input_sizes(lenet) -> None:
    st.markdown("#### A conv layer takes any input size; a dense layer does not")
    digit, caption = digit_picker("basics_sizes")
    if digit is None:
        st.info(caption)
        return
    result = input_size_experiment(lenet, dense_baseline(), digit)
    small, large = result["maps"].values()
    columns = st.columns(2)
    for column, image, maps, title in ((columns[0], digit, small, "28 x 28"), (columns[1], result["large"], large,
                                                                               "64 x 64 (enlarged)")):
        column.image(enlarge(image, 112), caption=f"{caption}, {title}", width=112)
        column.image([enlarge(maps[:, :, channel], 64) for channel in range(maps.shape[2])],
                     caption=[f"map {channel}" for channel in range(maps.shape[2])])
        column.markdown(f"LeNet-5's `conv1` gives maps of **{maps.shape[0]} x {maps.shape[1]} x {maps.shape[2]}**.")
    st.markdown(f"The same `conv1`, with the same **{result['conv1_parameters']} parameters**, ran on both: its "
                "kernels slide over whatever image they are given. The dense baseline "
                f"({result['dense_parameters']:,} parameters) flattens its input into one long vector, and its first "
                "Dense layer has one weight per pixel of a 28 x 28 image. Given the 64 x 64 image, Keras says:")
    st.code(result["dense_error"] or "(no error: this model accepted the larger image)", language="text", wrap_lines=True)


def show_accuracy_metric(model) -> None:
    st.markdown("#### Metrics are computed from the model's predictions")
    try:
        x_test, y_test = mnist_test()
    except MnistUnavailableError as error:
        st.info(f"This part needs MNIST's test set, which is not at hand: {error}")
        return
    left, right = st.columns(2)
    start = left.number_input("First test image", 0, len(x_test) - 32, 0, key="basics_metric_start")
    count = right.slider("Images in the batch", 2, 32, 12, key="basics_metric_count")
    images, labels = x_test[start: start + count], y_test[start: start + count]
    predicted = model.predict_proba(images).argmax(axis=1)
    st.code("accuracy = keras.metrics.Accuracy()\nfor truth, prediction in zip(ground_truth, predictions):\n"
            "    accuracy.update_state([truth], [prediction])\n    print(accuracy.result())", language="python")
    rows = accuracy_updates(labels, predicted)
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="basics_metric_table")
    st.markdown(f"After {count} updates: **{rows[-1]['accuracy.result()']:.2%}**, the share of predictions equal to "
                "the ground truth. `fit` and `evaluate` do the same with every batch.")
    show_custom_scalars(rows)


def show_custom_scalars(rows: list[dict]) -> None:
    st.markdown("#### Custom TensorBoard scalars")
    st.markdown("The book logs its own values with `tf.summary`. Here the running accuracy above is written, one "
                "scalar per update, and read back with TensorBoard's own event reader:")
    st.code("writer = tf.summary.create_file_writer(log_dir)\nwith writer.as_default():\n"
            "    for step, value in enumerate(values):\n"
            "        tf.summary.scalar(\"running_accuracy\", value, step=step)", language="python")
    # One folder per session, emptied before each write, so the reader sees this batch's scalars only.
    log_dir = st.session_state.setdefault("basics_scalar_dir", tempfile.mkdtemp(prefix="cnn-lab-scalars-"))
    shutil.rmtree(log_dir, ignore_errors=True)
    points = write_and_read_scalars(log_dir, "running_accuracy", [row["accuracy.result()"] for row in rows])
    figure = go.Figure(go.Scatter(x=[step for step, _ in points], y=[value for _, value in points],
                                  mode="lines+markers"))
    figure.update_layout(height=260, margin=dict(t=30, b=10), xaxis_title="step", yaxis_title="running_accuracy",
                         yaxis=dict(range=[0, 1.05]))
    st.plotly_chart(figure, key="basics_scalar_chart")
    st.caption(f"{len(points)} scalars read back from {log_dir}. Open them in TensorBoard with:")
    st.code(f"tensorboard --logdir {log_dir}", language="bash")


def show_open_questions() -> None:
    model = shipped_classifier()
    show_input_sizes(model.model)
    show_accuracy_metric(model)
