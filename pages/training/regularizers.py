"""Dropout and batch norm at work: real activations of the cached regularization experiments' LeNet-5s."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.engine.data import MnistUnavailableError
from lib.keras_views.regularizer_views import batch_norm_stages, dropout_draw, most_changed_feature
from lib.runs.store import book_model_path
from ui.charts import PALETTE
from ui.digits import digit_picker, mnist_test, show_digit
from ui.models import keras_model
from ui.pictures import colour_bar

DROPOUT_MODEL = book_model_path("dropout")
BATCH_NORM_MODEL = book_model_path("batch norm")
BATCH_NORM_LAYERS = {"conv1": 6, "conv2": 16, "dense1": 120, "dense2": 84}


def activation_strip(values: np.ndarray, dropped: np.ndarray, title: str, top: float) -> go.Figure:
    """The Dense(120) activations as a strip of cells, 12 per row, on a colour scale from 0 to `top`;
    dropped cells crossed out."""
    grid = values.reshape(-1, 12)
    figure = go.Figure(go.Heatmap(z=grid, colorscale="Viridis", zmin=0, zmax=top, xgap=2, ygap=2,
                                  colorbar=colour_bar("activation"),
                                  hovertemplate="unit %{customdata}: %{z:.3f}<extra></extra>",
                                  customdata=np.arange(values.size).reshape(grid.shape)))
    rows, cols = np.divmod(np.flatnonzero(dropped), 12)
    figure.add_trace(go.Scatter(x=cols, y=rows, mode="markers", marker=dict(symbol="x", size=14, color="#e4572e"),
                                hoverinfo="skip", showlegend=False))
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=360, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(title="column", dtick=1, range=[-0.5, 11.5]),
                         yaxis=dict(title="row (unit = 12 x row + column)", autorange="reversed", dtick=1))
    return figure


def gamma_beta_bars(gammas: np.ndarray, betas: np.ndarray, chosen: int, word: str, layer: str) -> go.Figure:
    """Every feature's learned gamma and beta beside where training starts them (1 and 0); `chosen` stands out."""
    colours = [PALETTE[1] if index == chosen else PALETTE[0] for index in range(gammas.size)]
    figure = make_subplots(rows=1, cols=2, subplot_titles=(f"{layer}_bn: gamma of each {word} (dashed: 1)",
                                                           f"{layer}_bn: beta of each {word} (dashed: 0)"))
    for column, values, start in ((1, gammas, 1.0), (2, betas, 0.0)):
        figure.add_trace(go.Bar(x=np.arange(values.size), y=values - start, base=start, marker_color=colours,
                                showlegend=False, hovertemplate=f"{word} %{{x}}: %{{y:.4f}}<extra></extra>"),
                         row=1, col=column)
        figure.add_hline(y=start, line=dict(color="#555", dash="dash", width=1), row=1, col=column)
        figure.update_xaxes(title_text=word, row=1, col=column)
    figure.update_yaxes(title_text="gamma", row=1, col=1)
    figure.update_yaxes(title_text="beta", row=1, col=2)
    figure.update_layout(height=300, margin=dict(t=40, b=10))
    return figure


def normalized_and_after(stages) -> go.Figure:
    """The chosen feature's normalized values and the same values after gamma and beta, on one axis."""
    figure = go.Figure([
        # One bin group: both histograms count the same intervals, so a shift or stretch shows bar by bar.
        go.Histogram(x=stages.normalized, nbinsx=50, bingroup="stages", name="normalized",
                     marker_color=PALETTE[0], opacity=0.55),
        go.Histogram(x=stages.after, nbinsx=50, bingroup="stages", name="after gamma and beta",
                     marker_color=PALETTE[1], opacity=0.55),
    ])
    figure.add_vline(x=0, line=dict(color="#333", dash="dash", width=1),
                     annotation_text="ReLU passes what lies right of 0", annotation_position="top right")
    figure.update_layout(barmode="overlay", height=320, margin=dict(t=30, b=10), xaxis_title="value",
                         yaxis_title="count", legend=dict(orientation="h", y=1.12))
    return figure


st.title("Dropout and batch norm")
st.markdown("The regularization experiments on the History page trained LeNet-5 with dropout and with batch "
            "normalization. Here are those trained models from the inside, on real digits.")

st.subheader("Dropout")
picker, preview = st.columns([2, 1])
with picker:
    digit, caption = digit_picker("regularizers")
if digit is None:
    st.info(caption)
else:
    dropout_model = keras_model(str(DROPOUT_MODEL))
    with preview:
        show_digit(digit, caption, size=84)
    st.button("Draw a new dropout mask", key="regularizers_new_mask")  # a click reruns, and a rerun draws anew
    training = dropout_draw(dropout_model, digit, training=True)
    testing = dropout_draw(dropout_model, digit, training=False)
    left, right = st.columns(2)
    # One colour scale for both strips, so a survivor's larger value (times 1 / (1 - rate)) shows as a brighter cell.
    top = float(max(training.output.max(), testing.output.max())) or 1.0
    left.plotly_chart(activation_strip(training.output, training.dropped,
                                       f"training=True: {int(training.dropped.sum())} of {training.dropped.size} "
                                       "units dropped (x)", top), key="regularizers_train_strip")
    right.plotly_chart(activation_strip(testing.output, testing.dropped, "training=False: every unit, unchanged",
                                        top), key="regularizers_test_strip")
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
norm_model = keras_model(str(BATCH_NORM_MODEL))
left, right = st.columns(2)
layer_name = left.selectbox("Layer", list(BATCH_NORM_LAYERS), index=3, key="regularizers_bn_layer")
unit_word = "channel" if layer_name.startswith("conv") else "unit"
# Each layer's slider starts at the feature whose gamma and beta moved furthest in training: there they show most.
feature = right.slider(f"{unit_word.capitalize()}", 0, BATCH_NORM_LAYERS[layer_name] - 1,
                       most_changed_feature(norm_model, layer_name), key=f"regularizers_bn_{layer_name}")
stages = batch_norm_stages(norm_model, x_test[:256], layer_name, feature)
figure = make_subplots(rows=1, cols=3, subplot_titles=("Before batch norm", "Normalized", "After gamma and beta"))
for column, values in enumerate((stages.before, stages.normalized, stages.after), start=1):
    figure.add_trace(go.Histogram(x=values, nbinsx=40, showlegend=False, marker_color=PALETTE[0]), row=1, col=column)
    figure.update_xaxes(title_text="value", row=1, col=column)
    figure.update_yaxes(title_text="count", row=1, col=column)
figure.update_layout(height=300, margin=dict(t=40, b=10))
st.plotly_chart(figure, key="regularizers_bn_chart")
columns = st.columns(3)
for column, name, values in zip(columns, ("before", "normalized", "after"),
                                (stages.before, stages.normalized, stages.after)):
    column.markdown(f"{name}: mean **{values.mean():.3f}**, standard deviation **{values.std():.3f}**")
st.markdown(
    f"The pre-activations of {layer_name} {unit_word} {feature} over a batch of 256 test digits"
    f"{' (every position of the map)' if unit_word == 'channel' else ''}. In training, batch norm subtracts the "
    "batch's mean and divides by its standard deviation, then applies what it learned: "
    f"**gamma = {stages.gamma:.4f}** scales and **beta = {stages.beta:.4f}** shifts. At test time it uses the "
    f"averages it kept during training instead (mean {stages.moving_mean:.4f}, variance "
    f"{stages.moving_variance:.4f}), so one image's prediction never depends on the others in its batch."
)

st.markdown("#### What gamma and beta change")
st.markdown("Normalizing alone would give every feature mean 0 and standard deviation 1, and the ReLU that follows "
            "would always cut at the mean. Gamma and beta are learned, one pair per feature, so training can move "
            "each feature's scale and where the ReLU cuts it. Both start at 1 and 0.")
st.plotly_chart(gamma_beta_bars(stages.gammas, stages.betas, feature, unit_word, layer_name),
                key="regularizers_bn_parameters")
furthest = most_changed_feature(norm_model, layer_name)
st.caption(f"Highlighted: {unit_word} {feature}. In {layer_name}_bn, gamma runs from {stages.gammas.min():.3f} to "
           f"{stages.gammas.max():.3f} and beta from {stages.betas.min():.3f} to {stages.betas.max():.3f}; "
           f"{unit_word} {furthest} moved furthest from 1 and 0.")
st.plotly_chart(normalized_and_after(stages), key="regularizers_bn_overlay")
stretch = "stretches" if stages.gamma > 1 else "narrows"
direction = "right" if stages.beta > 0 else "left"
st.caption(f"{layer_name} {unit_word} {feature}: gamma {stages.gamma:.4f} {stretch} the normalized values "
           f"by {abs(stages.gamma - 1):.1%} and beta moves them {abs(stages.beta):.4f} to the {direction}. The ReLU "
           f"after it passes {stages.passed_after:.1%} of the values, "
           + (f"where the normalized values alone would give {stages.passed_normalized:.1%}."
              if f"{stages.passed_after:.1%}" != f"{stages.passed_normalized:.1%}" else
              "the same share as without gamma and beta: few values lie between the two cuts."))
