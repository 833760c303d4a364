"""Dropout and batch norm at work: real activations of the cached regularization experiments' LeNet-5s."""

import keras
import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.data import MnistUnavailableError
from lib.regularizer_views import batch_norm_stages, dropout_draw
from lib.runs import SAVED_MODELS
from pages.shared.digits import digit_picker, mnist_test, show_digit

DROPOUT_MODEL = SAVED_MODELS / "regularizers" / "dropout" / "model.keras"
BATCH_NORM_MODEL = SAVED_MODELS / "regularizers" / "batch-norm" / "model.keras"
BATCH_NORM_LAYERS = {"conv1": 6, "conv2": 16, "dense1": 120, "dense2": 84}


@st.cache_resource(show_spinner="Loading the model...")
def regularization_model(path: str):
    return keras.saving.load_model(path)


def activation_strip(values: np.ndarray, dropped: np.ndarray, title: str) -> go.Figure:
    """The Dense(120) activations as a strip of cells, 12 per row; dropped cells crossed out."""
    grid = values.reshape(-1, 12)
    figure = go.Figure(go.Heatmap(z=grid, colorscale="Viridis", showscale=False, zmin=0, xgap=2, ygap=2,
                                  hovertemplate="unit %{customdata}: %{z:.3f}<extra></extra>",
                                  customdata=np.arange(values.size).reshape(grid.shape)))
    rows, cols = np.divmod(np.flatnonzero(dropped), 12)
    figure.add_trace(go.Scatter(x=cols, y=rows, mode="markers", marker=dict(symbol="x", size=14, color="#e4572e"),
                                hoverinfo="skip", showlegend=False))
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=330, margin=dict(l=10, r=10, t=40, b=10),
                         yaxis=dict(autorange="reversed", showticklabels=False), xaxis=dict(showticklabels=False))
    return figure


st.title("Dropout and batch norm")
st.markdown("The regularization experiments on the History page trained LeNet-5 with dropout and with batch "
            "normalization. Here are those trained models from the inside, on real digits.")

st.subheader("Dropout")
with st.sidebar:
    st.subheader("Digit")
    digit, caption = digit_picker("regularizers")
if digit is None:
    st.info(caption)
else:
    dropout_model = regularization_model(str(DROPOUT_MODEL))
    show_digit(digit, caption, size=84)
    st.button("Draw a new dropout mask", key="regularizers_new_mask")  # a click reruns, and a rerun draws anew
    training = dropout_draw(dropout_model, digit, training=True)
    testing = dropout_draw(dropout_model, digit, training=False)
    left, right = st.columns(2)
    left.plotly_chart(activation_strip(training.output, training.dropped,
                                       f"training=True: {int(training.dropped.sum())} of {training.dropped.size} "
                                       "units dropped (x)"), key="regularizers_train_strip")
    right.plotly_chart(activation_strip(testing.output, testing.dropped, "training=False: every unit, unchanged"),
                       key="regularizers_test_strip")
    kept = np.flatnonzero(~training.dropped & (training.activations > 0))[:3]
    examples = ", ".join(f"unit {i}: {training.activations[i]:.3f} x {training.scale:.3f} = {training.output[i]:.3f}"
                         for i in kept)
    st.markdown(f"Dropout rate **{training.rate:g}**: each press drops a fresh random {training.rate:.0%} of the "
                f"Dense(120) units and multiplies the survivors by 1 / (1 - {training.rate:g}) = "
                f"**{training.scale:.3f}**, so the layer's expected output stays the same. For example {examples}. "
                "At test time (`training=False`) dropout does nothing: the right strip never changes.")

st.subheader("Batch normalization")
try:
    x_test, _ = mnist_test()
except MnistUnavailableError as error:
    st.info(f"This part needs a batch of MNIST test digits, which are not at hand: {error}")
    st.stop()
norm_model = regularization_model(str(BATCH_NORM_MODEL))
left, right = st.columns(2)
layer_name = left.selectbox("Layer", list(BATCH_NORM_LAYERS), index=2, key="regularizers_bn_layer")
feature = right.slider("Unit or channel", 0, BATCH_NORM_LAYERS[layer_name] - 1, 0, key=f"regularizers_bn_{layer_name}")
stages = batch_norm_stages(norm_model, x_test[:256], layer_name, feature)
figure = make_subplots(rows=1, cols=3, subplot_titles=("Before batch norm", "Normalized", "After gamma and beta"))
for column, values in enumerate((stages.before, stages.normalized, stages.after), start=1):
    figure.add_trace(go.Histogram(x=values, nbinsx=40, showlegend=False, marker_color="#1f77b4"), row=1, col=column)
figure.update_layout(height=300, margin=dict(t=40, b=10))
st.plotly_chart(figure, key="regularizers_bn_chart")
columns = st.columns(3)
for column, name, values in zip(columns, ("before", "normalized", "after"),
                                (stages.before, stages.normalized, stages.after)):
    column.markdown(f"{name}: mean **{values.mean():.3f}**, standard deviation **{values.std():.3f}**")
unit_word = "channel" if layer_name.startswith("conv") else "unit"
st.markdown(
    f"The pre-activations of {layer_name} {unit_word} {feature} over a batch of 256 test digits"
    f"{' (every position of the map)' if unit_word == 'channel' else ''}. In training, batch norm subtracts the "
    "batch's mean and divides by its standard deviation, then applies what it learned: "
    f"**gamma = {stages.gamma:.4f}** scales and **beta = {stages.beta:.4f}** shifts. At test time it uses the "
    f"averages it kept during training instead (mean {stages.moving_mean:.4f}, variance "
    f"{stages.moving_variance:.4f}), so one image's prediction never depends on the others in its batch."
)
