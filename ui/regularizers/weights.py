"""The Dropout and batch norm page's section on L1 and L2 weights and on early stopping, from the cached book
runs. Not a page itself."""

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.codegen.regularizers import early_stopping_program, weights_program
from lib.i18n import _, ngettext
from lib.keras_views.weight_histograms import (
    BINS,
    LIMIT,
    NEAR_ZERO,
    REGULARIZER_RUNS,
    compare_weights,
    early_stop,
    early_stopping_run_path,
    kernel_weights,
    regularizer_run_path,
)
from lib.runs.history_file import RunReadError
from lib.runs.store import load_run
from ui.charts import PALETTE
from ui.code_panel import code_panel
from ui.models import keras_model


@st.cache_data(max_entries=1, show_spinner=False)
def cached_comparison():
    return compare_weights({name: kernel_weights(keras_model(str(regularizer_run_path(name) / "model.keras")))
                            for name in REGULARIZER_RUNS})


def weight_figure(comparison) -> go.Figure:
    names = {name: _(label) for name, label in REGULARIZER_RUNS.items()}
    figure = make_subplots(rows=1, cols=len(names), shared_yaxes=True, subplot_titles=list(names.values()))
    centres = (comparison.edges[:-1] + comparison.edges[1:]) / 2
    for column, spread in enumerate(comparison.runs.values(), start=1):
        figure.add_trace(go.Bar(x=centres, y=spread.counts, marker_color=PALETTE[column - 1], showlegend=False,
                                hovertemplate=_("weight %{x:.3f}: %{y:,} weights") + "<extra></extra>"),
                         row=1, col=column)
        figure.update_xaxes(title_text=_("weight"), row=1, col=column)
    figure.update_yaxes(type="log", title_text=_("weights (log scale)"), col=1)
    figure.update_layout(height=300, margin=dict(t=40, b=10), bargap=0)
    return figure


def show_weight_regularizers() -> None:
    st.markdown("#### " + _("What L1 and L2 do to the weights"))
    try:
        comparison = cached_comparison()
    except (OSError, ValueError) as error:
        st.info(_("The cached regularization runs cannot be read: {error}").format(error=error))
        return
    st.plotly_chart(weight_figure(comparison), key="regularizers_weight_histograms")
    runs = comparison.runs
    shares = ", ".join(_("{name} {share:.1%}").format(name=_(REGULARIZER_RUNS[name]), share=spread.share_near_zero)
                       for name, spread in runs.items())
    means = ", ".join(_("{name} {mean:.4f}").format(name=_(REGULARIZER_RUNS[name]), mean=spread.mean_abs)
                      for name, spread in runs.items())
    most, smallest = _(REGULARIZER_RUNS[comparison.most_near_zero]), _(REGULARIZER_RUNS[comparison.smallest_mean_abs])
    st.markdown(ngettext(
        "The {n:,} kernel weight of each of the three LeNet-5s trained on the same 200 images, on one scale. Within "
        "{near:g} of zero: {shares}; most of them: **{most}**. Mean |w|: {means}; smallest: **{smallest}**.",
        "The {n:,} kernel weights of each of the three LeNet-5s trained on the same 200 images, on one scale. Within "
        "{near:g} of zero: {shares}; most of them: **{most}**. Mean |w|: {means}; smallest: **{smallest}**.",
        comparison.weights).format(n=comparison.weights, near=NEAR_ZERO, shares=shares, most=most,
                                            means=means, smallest=smallest))
    l1, l2, plain = runs["l1"], runs["l2"], runs["none"]
    st.caption(" ".join([
        _("L1 adds λ|w| to the loss: its pull towards zero is the same size however small a weight already is, so "
          "weights the data does not need are pushed to zero."),
        (_("Here that is the spike in the middle: {l1:.1%} of L1's weights lie within {near:g} of zero, against "
           "{plain:.1%} without regularization.") if l1.share_near_zero > plain.share_near_zero else
         _("Here it did not: {l1:.1%} of L1's weights lie within {near:g} of zero, against {plain:.1%} without "
           "regularization.")).format(l1=l1.share_near_zero, plain=plain.share_near_zero, near=NEAR_ZERO),
        _("L2 adds λw², whose pull shrinks with the weight: it makes weights smaller but seldom exactly zero."),
        (_("Here L2's mean |w| is {change:.0%} below the plain run's.") if l2.mean_abs < plain.mean_abs else
         _("Here L2's mean |w| is {change:.0%} above the plain run's.")).format(
            change=abs(l2.mean_abs / plain.mean_abs - 1)),
    ]))
    paths = {name: regularizer_run_path(name) / "model.keras" for name in REGULARIZER_RUNS}
    code_panel(weights_program(paths, LIMIT, BINS, NEAR_ZERO, comparison), "regularizers_weights")


def show_early_stopping() -> None:
    st.markdown("#### " + _("Where early stopping stopped"))
    try:
        run = load_run(early_stopping_run_path(), source="experiment")
        stop = early_stop(run.config, run.history)
    except (RunReadError, ValueError) as error:
        st.info(_("The cached early stopping run cannot be read: {error}").format(error=error))
        return
    epochs = list(range(1, len(stop.values) + 1))
    figure = go.Figure(go.Scatter(x=epochs, y=stop.values, mode="lines+markers", name=stop.monitor,
                                  marker_color=PALETTE[0]))
    figure.add_vline(x=stop.best_epoch, line=dict(color=PALETTE[2], dash="dash"),
                     annotation_text=_("best: epoch {epoch}").format(epoch=stop.best_epoch),
                     annotation_position="top left")
    figure.add_vline(x=stop.stopped_epoch, line=dict(color=PALETTE[1], dash="dash"),
                     annotation_text=_("stopped: epoch {epoch}").format(epoch=stop.stopped_epoch),
                     annotation_position="top right")
    figure.add_vrect(x0=stop.best_epoch, x1=stop.stopped_epoch, fillcolor=PALETTE[1], opacity=0.08, line_width=0)
    figure.update_layout(height=300, margin=dict(t=40, b=10), xaxis_title=_("epoch"), yaxis_title=stop.monitor,
                         xaxis=dict(range=[0.5, stop.stopped_epoch + 2]))  # room for the "stopped" label
    st.plotly_chart(figure, key="regularizers_early_stopping")
    kept = (_("The saved model holds the weights of epoch {best}.") if stop.restored_best else
            _("The saved model holds the weights of epoch {stopped}, the last one.")).format(
        best=stop.best_epoch, stopped=stop.stopped_epoch)
    st.markdown(ngettext(
        "The book's first LeNet-5 run ({optimizer}, {samples:,} training images) could train up to epoch {allowed} "
        "with `EarlyStopping(monitor=\"{monitor}\", patience={patience}, restore_best_weights={restore})`. Its "
        "{monitor} was best at epoch **{best}** ({value:.4f}); after {waited} epoch without improvement training "
        "stopped at epoch **{stopped}**.",
        "The book's first LeNet-5 run ({optimizer}, {samples:,} training images) could train up to epoch {allowed} "
        "with `EarlyStopping(monitor=\"{monitor}\", patience={patience}, restore_best_weights={restore})`. Its "
        "{monitor} was best at epoch **{best}** ({value:.4f}); after {waited} epochs without improvement training "
        "stopped at epoch **{stopped}**.", stop.waited).format(
        optimizer=str(run.config.get("optimizer", "?")).upper(), samples=int(run.config.get("train_samples", 0)),
        allowed=stop.epochs_allowed, monitor=stop.monitor, patience=stop.patience, restore=stop.restored_best,
        best=stop.best_epoch, value=stop.values[stop.best_epoch - 1], waited=stop.waited, stopped=stop.stopped_epoch)
        + " " + kept)
    code_panel(early_stopping_program(early_stopping_run_path(), stop), "regularizers_early_stopping_code")
