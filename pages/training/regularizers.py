"""Dropout and batch norm at work: real activations of the cached regularization experiments' LeNet-5s."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.codegen.regularizers import batch_norm_program, dropout_program
from lib.engine.architectures import layer_widths
from lib.engine.data import MnistUnavailableError
from lib.i18n import N_, _
from lib.keras_views.regularizer_views import (
    BATCH_NORM_RUN,
    DROPOUT_RUN,
    batch_norm_stages,
    dropout_draw,
    most_changed_feature,
    trained_dropout_rate,
)
from lib.runs.store import book_model_path
from lib.server.guide_controls import label as control_label
from ui.charts import PALETTE
from ui.code_panel import code_panel
from ui.digits import digit_picker, mnist_test, show_digit
from ui.models import keras_model
from ui.pictures import colour_bar
from ui.regularizers.dropout_placement import show_dropout_placement
from ui.regularizers.freezing import show_freezing
from ui.regularizers.weights import show_early_stopping, show_weight_regularizers

DROPOUT_MODEL = book_model_path(DROPOUT_RUN)
BATCH_NORM_MODEL = book_model_path(BATCH_NORM_RUN)
BATCH_NORM_LAYERS = layer_widths("lenet5")  # the batch-norm model is LeNet-5: its layers and their widths
# What one feature of a layer is called: a conv layer's are channels, a dense layer's units.
FEATURE_WORDS = {"channel": N_("channel"), "unit": N_("unit")}
STAGE_LINES = (N_("before: mean **{mean:.3f}**, standard deviation **{std:.3f}**"),
               N_("normalized: mean **{mean:.3f}**, standard deviation **{std:.3f}**"),
               N_("after: mean **{mean:.3f}**, standard deviation **{std:.3f}**"))


def activation_strip(values: np.ndarray, dropped: np.ndarray, title: str, top: float) -> go.Figure:
    """The Dense(120) activations as a strip of cells, 12 per row, on a colour scale from 0 to `top`;
    dropped cells crossed out."""
    grid = values.reshape(-1, 12)
    figure = go.Figure(go.Heatmap(z=grid, colorscale="Viridis", zmin=0, zmax=top, xgap=2, ygap=2,
                                  colorbar=colour_bar(_("activation")),
                                  hovertemplate=_("unit %{customdata}: %{z:.3f}") + "<extra></extra>",
                                  customdata=np.arange(values.size).reshape(grid.shape)))
    rows, cols = np.divmod(np.flatnonzero(dropped), 12)
    figure.add_trace(go.Scatter(x=cols, y=rows, mode="markers", marker=dict(symbol="x", size=14, color="#e4572e"),
                                hoverinfo="skip", showlegend=False))
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=360, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(title=_("column"), dtick=1, range=[-0.5, 11.5]),
                         yaxis=dict(title=_("row (unit = 12 x row + column)"), autorange="reversed", dtick=1))
    return figure


def gamma_beta_bars(gammas: np.ndarray, betas: np.ndarray, chosen: int, word: str, layer: str) -> go.Figure:
    """Every feature's learned gamma and beta beside where training starts them (1 and 0); `chosen` stands out.
    `word` is what a feature is called, in the reader's language."""
    colours = [PALETTE[1] if index == chosen else PALETTE[0] for index in range(gammas.size)]
    figure = make_subplots(rows=1, cols=2, subplot_titles=(
        _("{layer}_bn: gamma of each {word} (dashed: 1)").format(layer=layer, word=word),
        _("{layer}_bn: beta of each {word} (dashed: 0)").format(layer=layer, word=word)))
    for column, values, start in ((1, gammas, 1.0), (2, betas, 0.0)):
        figure.add_trace(go.Bar(x=np.arange(values.size), y=values - start, base=start, marker_color=colours,
                                showlegend=False, hovertemplate=f"{word} %{{x}}: %{{y:.4f}}<extra></extra>"),
                         row=1, col=column)
        figure.add_hline(y=start, line=dict(color="#555", dash="dash", width=1), row=1, col=column)
        figure.update_xaxes(title_text=word, row=1, col=column)
    figure.update_yaxes(title_text=_("gamma"), row=1, col=1)
    figure.update_yaxes(title_text=_("beta"), row=1, col=2)
    figure.update_layout(height=300, margin=dict(t=40, b=10))
    return figure


def normalized_and_after(stages) -> go.Figure:
    """The chosen feature's normalized values and the same values after gamma and beta, on one axis."""
    figure = go.Figure([
        # One bin group: both histograms count the same intervals, so a shift or stretch shows bar by bar.
        go.Histogram(x=stages.normalized, nbinsx=50, bingroup="stages", name=_("normalized"),
                     marker_color=PALETTE[0], opacity=0.55),
        go.Histogram(x=stages.after, nbinsx=50, bingroup="stages", name=_("after gamma and beta"),
                     marker_color=PALETTE[1], opacity=0.55),
    ])
    figure.add_vline(x=0, line=dict(color="#333", dash="dash", width=1),
                     annotation_text=_("ReLU passes what lies right of 0"), annotation_position="top right")
    figure.update_layout(barmode="overlay", height=320, margin=dict(t=30, b=10), xaxis_title=_("value"),
                         yaxis_title=_("count"), legend=dict(orientation="h", y=1.12))
    return figure


st.title(_("Dropout and batch norm"))
st.markdown(_("The regularization experiments on the History page trained LeNet-5 with dropout and with batch "
              "normalization. Here are those trained models from the inside, on real digits."))

st.subheader(_("Dropout"))
picker, preview = st.columns([2, 1])
with picker:
    digit, caption = digit_picker("regularizers")
if digit is None:
    st.info(caption)
else:
    dropout_model = keras_model(str(DROPOUT_MODEL))
    with preview:
        show_digit(digit, caption, size=84)
    trained_rate = trained_dropout_rate(dropout_model)
    rate_col, mask_col = st.columns([3, 2], vertical_alignment="bottom")
    rate = rate_col.slider(control_label("regularizers_dropout_rate"), 0.0, 0.9, trained_rate, 0.05,
                           key="regularizers_dropout_rate",
                           help=_("The model was trained at {rate:g}; another rate changes only the mask drawn here, "
                                  "not the trained weights.").format(rate=trained_rate))
    mask_col.button(_("Draw a new dropout mask"), key="regularizers_new_mask")  # a click reruns: a rerun draws anew
    training = dropout_draw(dropout_model, digit, training=True, rate=rate)
    testing = dropout_draw(dropout_model, digit, training=False, rate=rate)
    left, right = st.columns(2)
    # One colour scale for both strips, so a survivor's larger value (times 1 / (1 - rate)) shows as a brighter cell.
    top = float(max(training.output.max(), testing.output.max())) or 1.0
    left.plotly_chart(activation_strip(training.output, training.dropped,
                                       _("training=True: {dropped} of {units} units dropped (x)").format(
                                           dropped=int(training.dropped.sum()), units=training.dropped.size), top),
                      key="regularizers_train_strip")
    right.plotly_chart(activation_strip(testing.output, testing.dropped, _("training=False: every unit, unchanged"),
                                        top), key="regularizers_test_strip")
    kept = np.flatnonzero(~training.dropped & (training.activations > 0))[:3]
    examples = ", ".join(_("unit {unit}: {value:.3f} x {scale:.3f} = {output:.3f}").format(
        unit=i, value=training.activations[i], scale=training.scale, output=training.output[i]) for i in kept)
    st.markdown(_("Dropout rate **{rate:g}**: each press drops a fresh random {rate:.0%} of the Dense(120) units and "
                  "multiplies the survivors by 1 / (1 - {rate:g}) = **{scale:.3f}**, so the layer's expected output "
                  "stays the same. For example {examples}. At test time (`training=False`) dropout does nothing: the "
                  "right strip never changes.").format(rate=training.rate, scale=training.scale, examples=examples))
    code_panel(dropout_program(DROPOUT_MODEL, digit, training.rate, testing.activations), "regularizers_dropout")
show_dropout_placement()

st.subheader(_("Batch normalization"))
try:
    x_test, _labels = mnist_test()
except MnistUnavailableError as error:
    st.info(_("This part needs a batch of MNIST test digits, which are not at hand: {error}").format(error=error))
    st.stop()
norm_model = keras_model(str(BATCH_NORM_MODEL))
left, right = st.columns(2)
layer_name = left.selectbox(_("Layer"), list(BATCH_NORM_LAYERS), index=3, key="regularizers_bn_layer")
unit_kind = "channel" if layer_name.startswith("conv") else "unit"
unit_word = _(FEATURE_WORDS[unit_kind])
# Each layer's slider starts at the feature whose gamma and beta moved furthest in training: there they show most.
feature = right.slider(unit_word[:1].upper() + unit_word[1:], 0, BATCH_NORM_LAYERS[layer_name] - 1,
                       most_changed_feature(norm_model, layer_name), key=f"regularizers_bn_{layer_name}")
BATCH_NORM_IMAGES = 256
stages = batch_norm_stages(norm_model, x_test[:BATCH_NORM_IMAGES], layer_name, feature)
figure = make_subplots(rows=1, cols=3, subplot_titles=(_("Before batch norm"), _("Normalized"),
                                                       _("After gamma and beta")))
for column, values in enumerate((stages.before, stages.normalized, stages.after), start=1):
    figure.add_trace(go.Histogram(x=values, nbinsx=40, showlegend=False, marker_color=PALETTE[0]), row=1, col=column)
    figure.update_xaxes(title_text=_("value"), row=1, col=column)
    figure.update_yaxes(title_text=_("count"), row=1, col=column)
figure.update_layout(height=300, margin=dict(t=40, b=10))
st.plotly_chart(figure, key="regularizers_bn_chart")
columns = st.columns(3)
for column, line, values in zip(columns, STAGE_LINES, (stages.before, stages.normalized, stages.after)):
    column.markdown(_(line).format(mean=values.mean(), std=values.std()))
st.markdown(
    (_("The pre-activations of {layer} {word} {feature} over a batch of 256 test digits (every position of the map).")
     if unit_kind == "channel" else
     _("The pre-activations of {layer} {word} {feature} over a batch of 256 test digits.")).format(
        layer=layer_name, word=unit_word, feature=feature)
    + " " + _("In training, batch norm subtracts the batch's mean and divides by its standard deviation, then applies "
              "what it learned: **gamma = {gamma:.4f}** scales and **beta = {beta:.4f}** shifts. At test time it uses "
              "the averages it kept during training instead (mean {mean:.4f}, variance {variance:.4f}), so one image's "
              "prediction never depends on the others in its batch.").format(
        gamma=stages.gamma, beta=stages.beta, mean=stages.moving_mean, variance=stages.moving_variance)
)

st.markdown("#### " + _("What gamma and beta change"))
st.markdown(_("Normalizing alone would give every feature mean 0 and standard deviation 1, and the ReLU that follows "
              "would always cut at the mean. Gamma and beta are learned, one pair per feature, so training can move "
              "each feature's scale and where the ReLU cuts it. Both start at 1 and 0."))
st.plotly_chart(gamma_beta_bars(stages.gammas, stages.betas, feature, unit_word, layer_name),
                key="regularizers_bn_parameters")
furthest = most_changed_feature(norm_model, layer_name)
st.caption(_("Highlighted: {word} {feature}. In {layer}_bn, gamma runs from {gamma_low:.3f} to {gamma_high:.3f} and "
             "beta from {beta_low:.3f} to {beta_high:.3f}; {word} {furthest} moved furthest from 1 and 0.").format(
    word=unit_word, feature=feature, layer=layer_name, gamma_low=stages.gammas.min(), gamma_high=stages.gammas.max(),
    beta_low=stages.betas.min(), beta_high=stages.betas.max(), furthest=furthest))
st.plotly_chart(normalized_and_after(stages), key="regularizers_bn_overlay")
stretch = (_("gamma {gamma:.4f} stretches the normalized values by {change:.1%}") if stages.gamma > 1 else
           _("gamma {gamma:.4f} narrows the normalized values by {change:.1%}")).format(
    gamma=stages.gamma, change=abs(stages.gamma - 1))
shift = (_("beta moves them {shift:.4f} to the right") if stages.beta > 0 else
         _("beta moves them {shift:.4f} to the left")).format(shift=abs(stages.beta))
passed = (_("The ReLU after it passes {after:.1%} of the values, where the normalized values alone would give "
            "{normalized:.1%}.") if f"{stages.passed_after:.1%}" != f"{stages.passed_normalized:.1%}" else
          _("The ReLU after it passes {after:.1%} of the values, the same share as without gamma and beta: few values "
            "lie between the two cuts.")).format(after=stages.passed_after, normalized=stages.passed_normalized)
st.caption(_("{layer} {word} {feature}: {stretch} and {shift}.").format(
    layer=layer_name, word=unit_word, feature=feature, stretch=stretch, shift=shift) + " " + passed)
code_panel(batch_norm_program(BATCH_NORM_MODEL, layer_name, feature, BATCH_NORM_IMAGES, stages),
           "regularizers_batch_norm")
show_freezing(norm_model, BATCH_NORM_MODEL)

st.subheader(_("L1, L2 and early stopping"))
show_weight_regularizers()
show_early_stopping()
