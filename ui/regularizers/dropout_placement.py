"""The Dropout and batch norm page's section "where to put dropout", from the cached placement runs. Not a page
itself."""

import plotly.graph_objects as go
import streamlit as st

from lib.codegen.regularizers import placement_program
from lib.i18n import _, ngettext
from lib.keras_views.dropout_placement import PLACEMENT_DIR, PLACEMENTS, RATE, SEEDS, compare_placements
from lib.runs.history_file import RunReadError
from ui.charts import PALETTE, percent_axis
from ui.code_panel import code_panel


def points(value: float) -> str:
    return _("{points:.2f} points").format(points=100 * value)


def show_dropout_placement() -> None:
    st.markdown("#### " + _("Where to put dropout"))
    try:
        comparison = compare_placements()
    except RunReadError as error:
        st.info(_("The cached placement runs cannot be read ({error}); `scripts/dropout_placement.py` trains them "
                  "again.").format(error=error))
        return
    figure = go.Figure()
    for index, (place, placement) in enumerate(comparison.placements.items()):
        label = _(PLACEMENTS[place])
        figure.add_trace(go.Scatter(x=[label] * len(placement.test_accuracies), y=placement.test_accuracies,
                                    mode="markers", marker=dict(size=11, color=PALETTE[index]), name=label,
                                    text=[_("seed {seed}").format(seed=seed) for seed in SEEDS],
                                    hovertemplate="%{text}: %{y:.2%}<extra></extra>", showlegend=False))
        figure.add_trace(go.Scatter(x=[label], y=[placement.mean], mode="markers", showlegend=False,
                                    marker=dict(symbol="line-ew", size=40, line=dict(width=3, color=PALETTE[index])),
                                    hovertemplate=_("mean: %{y:.2%}") + "<extra></extra>"))
    figure.update_layout(height=300, margin=dict(t=20, b=10), xaxis=dict(title=_("where dropout sits")),
                         yaxis=dict(title=_("test accuracy"), **percent_axis(
                             [value for placement in comparison.placements.values()
                              for value in placement.test_accuracies])))
    st.plotly_chart(figure, key="regularizers_dropout_placement")
    summary = "; ".join(_("{place}: mean **{mean:.2%}** ({low:.2%} to {high:.2%})").format(
        place=_(PLACEMENTS[place]), mean=placement.mean, low=min(placement.test_accuracies),
        high=max(placement.test_accuracies)) for place, placement in comparison.placements.items())
    st.markdown(ngettext(
        "The same LeNet-5 with dropout {rate:g} in one place or the other, trained on the Quick look budget "
        "({samples:,} images, {epochs} epoch) once with each of the seeds {seeds}, and tested on MNIST's 10,000 test digits: "
        "{summary}.",
        "The same LeNet-5 with dropout {rate:g} in one place or the other, trained on the Quick look budget "
        "({samples:,} images, {epochs} epochs) once with each of the seeds {seeds}, and tested on MNIST's 10,000 test digits: "
        "{summary}.", comparison.epochs).format(rate=RATE, samples=comparison.train_samples, epochs=comparison.epochs,
                                                seeds=", ".join(map(str, SEEDS)), summary=summary))
    better = _(PLACEMENTS[comparison.better])
    if comparison.within_noise:
        verdict = _("Dropout {better} is ahead by {difference}, no more than the seeds differ among themselves "
                    "({noise}): at this budget the runs cannot tell the two placements apart.")
    else:
        verdict = _("Dropout {better} is ahead by {difference}, more than the seeds differ among themselves "
                    "({noise}). With so few seeds and epochs, read it as a hint for this network and budget, not a "
                    "rule.")
    st.caption(verdict.format(better=better, difference=points(comparison.difference), noise=points(comparison.noise))
               + " " + _("The usual explanation: dropout on the conv maps drops single pixels of maps whose "
                         "neighbours carry nearly the same value, so it hides less than dropping whole units of a "
                         "dense layer, where each unit is one feature."))
    code_panel(placement_program(PLACEMENT_DIR, tuple(PLACEMENTS), SEEDS, comparison), "regularizers_placement")
