"""The Dropout and batch norm page's section on non-trainable parameters and freezing a layer. Not a page itself."""

import pandas as pd
import streamlit as st

from lib.codegen.regularizers import freezing_program
from lib.i18n import _, ngettext
from lib.keras_views.freezing import FREEZABLE, freezing_experiment, parameter_counts
from ui.code_panel import code_panel
from ui.digits import mnist_test

BATCH = 64  # the test digits the one training step sees


@st.cache_data(max_entries=len(FREEZABLE), show_spinner=False)
def cached_freezing(frozen: str):
    x_test, y_test = mnist_test()
    return freezing_experiment(x_test[:BATCH], y_test[:BATCH], frozen)


def show_freezing(batch_norm_model, model_path) -> None:
    """`batch_norm_model` is the trained model read from `model_path`."""
    st.markdown("#### " + _("Non-trainable parameters and freezing a layer"))
    counts = parameter_counts(batch_norm_model)
    st.markdown(ngettext(
        "The summary of this batch norm LeNet-5 ends with `{line}`. Those are the moving means and variances: one of "
        "each for the {channels} feature its batch norm layers normalize, 2 x {channels} = **{double:,}**. No "
        "gradient moves them; batch norm averages them from the batches it sees in training. The other "
        "**{trainable:,}** parameters are trainable.",
        "The summary of this batch norm LeNet-5 ends with `{line}`. Those are the moving means and variances: one of "
        "each for every one of the {channels} features its batch norm layers normalize, 2 x {channels} = "
        "**{double:,}**. No gradient moves them; batch norm averages them from the batches it sees in training. The "
        "other **{trainable:,}** parameters are trainable.", counts.batch_norm_channels).format(
        line=counts.summary_line, channels=counts.batch_norm_channels, double=2 * counts.batch_norm_channels,
        trainable=counts.trainable))
    headers = {"layer": _("layer"), "type": _("type"), "trainable": _("trainable"),
               "non-trainable": _("non-trainable"), "non-trainable weights": _("non-trainable weights")}
    st.dataframe(pd.DataFrame(counts.rows).drop(columns="features").rename(columns=headers), hide_index=True,
                 key="regularizers_counts",
                 column_config={headers[name]: st.column_config.NumberColumn(format="localized")
                                for name in ("trainable", "non-trainable")})
    frozen = st.selectbox(_("Freeze a layer of a fresh LeNet-5 with batch norm (`layer.trainable = False`)"),
                          FREEZABLE, index=1, key="regularizers_freeze")
    with st.spinner(_("Keras is training one step...")):
        result = cached_freezing(frozen)
    moved = result.after.trainable - result.before.trainable
    st.markdown(ngettext(
        "Frozen, **{layer}** moves {moved:,} parameter out of the trainable count: trainable {before_trainable:,} → "
        "**{after_trainable:,}**, non-trainable {before_frozen:,} → **{after_frozen:,}** (`{line}`).",
        "Frozen, **{layer}** moves {moved:,} parameters out of the trainable count: trainable {before_trainable:,} → "
        "**{after_trainable:,}**, non-trainable {before_frozen:,} → **{after_frozen:,}** (`{line}`).", -moved).format(
        layer=frozen, moved=-moved, before_trainable=result.before.trainable, after_trainable=result.after.trainable,
        before_frozen=result.before.non_trainable, after_frozen=result.after.non_trainable,
        line=result.after.summary_line))
    table = pd.DataFrame(result.changes).rename(columns={
        "layer": _("layer"), "weight": _("weight"), "trainable": _("trainable"),
        "change": _("largest change in one step")})
    st.dataframe(table, hide_index=True, key="regularizers_freeze_changes",
                 column_config={_("largest change in one step"): st.column_config.NumberColumn(format="%.2e")})
    others = [row for row in result.changes if row["trainable"]]
    moving = [row["change"] for row in result.changes if row["weight"].startswith("moving_")]
    unchanged = result.change_of(frozen) == 0
    st.caption((ngettext("One SGD step on {n} test digit: every weight of {layer} is exactly as before, while the "
                         "trainable weights moved by up to {trainable:.2e}.",
                         "One SGD step on {n} test digits: every weight of {layer} is exactly as before, while the "
                         "trainable weights moved by up to {trainable:.2e}.", BATCH) if unchanged else
                ngettext("One SGD step on {n} test digit: {layer} still moved by {change:.2e}.",
                         "One SGD step on {n} test digits: {layer} still moved by {change:.2e}.", BATCH)).format(
        n=BATCH, layer=frozen, change=result.change_of(frozen), trainable=max(row["change"] for row in others))
        + " " + _("The moving means and variances moved by up to {moving:.2e} although they are non-trainable: "
                  "batch norm updates them itself in training, without a gradient.").format(moving=max(moving)))
    code_panel(freezing_program(model_path, frozen, BATCH, result.before, result.after, result.change_of(frozen)),
               "regularizers_freezing")
