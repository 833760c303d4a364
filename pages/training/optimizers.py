"""Optimizers: gradient descent in one dimension, then the book's optimizers on a loss surface, every step
Keras's own update, every caption computed from the paths it describes."""

import pandas as pd
import streamlit as st

from lib.codegen.optimizers import optimizer_program
from lib.engine.config import FIELDS
from lib.engine.optimizers import OPTIMIZER_NAMES as NAMES
from lib.engine.optimizers import OPTIMIZERS
from lib.i18n import _
from lib.keras_views.optimizer_captions import describe_paths
from lib.keras_views.optimizer_paths import (
    PRIMER_FORMULA,
    PRIMER_LABELS,
    PRIMER_RATES,
    PRIMER_STEPS,
    SURFACES,
    gradient_descent_1d,
    summarize,
)
from lib.keras_views.optimizer_runs import describe_race, race
from lib.keras_views.optimizer_wording import primer_caption
from lib.server.guide_controls import label as control_label
from ui.chain_rule_view import show_chain_rule
from ui.code_panel import code_panel
from ui.optimizer_views import (
    DEFAULT_STEPS,
    DEFAULT_SURFACE,
    RATE_SETS,
    SURFACE_TITLES,
    apply_rate_set,
    cached_explanation,
    cached_grid,
    cached_path,
    change_surface,
    optimizer_choice_name,
    own_rates,
    primer_figure,
    surface_figure,
)
from ui.widgets import labelled

LOW, HIGH = FIELDS["learning_rate"].metadata["low"], FIELDS["learning_rate"].metadata["high"]


@st.cache_data(max_entries=1, ttl=600)  # the cached runs change only when re-created
def cached_race():
    return race()


st.title(_("Optimizers"))
st.markdown(_(
    "Every optimizer is gradient descent with a twist, so first how the gradient is computed and plain gradient "
    "descent on a one-dimensional loss; then the book's optimizers on two-dimensional surfaces, where you "
    "can see each step."
))
show_chain_rule()

st.subheader(_("Gradient descent in one dimension"))
st.markdown(_(
    "Gradient descent steps against the slope: x moves by −η f′(x), the learning rate η times the gradient. "
    "Each arrow below is one such step, {steps} steps from x = 4. The rate decides everything: too small "
    "and it crawls, about right and it converges, too big and every step overshoots more than the last."
).format(steps=PRIMER_STEPS))
st.latex(PRIMER_FORMULA)
own_rate = st.slider(control_label("opt_primer_rate"), 0.01, 1.2, 0.8, 0.01, key="opt_primer_rate")
primer_rates = {_("{label}: η = {rate:g}").format(label=_(PRIMER_LABELS[label]), rate=rate): rate
                for label, rate in PRIMER_RATES.items()}
primer_rates[_("Yours: η = {rate:g}").format(rate=own_rate)] = own_rate
primer_paths = {title: gradient_descent_1d(rate) for title, rate in primer_rates.items()}
st.plotly_chart(primer_figure(primer_paths), key="opt_primer_chart")
st.caption("\n".join(f"- **{title}**. {primer_caption(primer_rates[title], path)}"
                     for title, path in primer_paths.items()))

st.subheader(_("The optimizers on a surface"))
st.markdown(_(
    "Every point is Keras's own update: the optimizer is built exactly as the Training page builds it, "
    "TensorFlow computes the gradient of f, and `apply_gradients` moves a variable of two numbers."
))
st.session_state.setdefault("opt_surface", DEFAULT_SURFACE)
st.session_state.setdefault("opt_rate_set", "suited")
if "opt_start_x" not in st.session_state:
    change_surface()

controls = st.columns([2, 2, 1, 1])
surface_name = controls[0].selectbox(_("Surface"), list(SURFACES), key="opt_surface", on_change=change_surface,
                                     format_func=labelled(SURFACE_TITLES))
steps = controls[1].slider(_("Steps"), 10, 500, DEFAULT_STEPS, 10, key="opt_steps")
start_x = controls[2].number_input(_("Start x"), -10.0, 10.0, key="opt_start_x", step=0.1)
start_y = controls[3].number_input(_("Start y"), -10.0, 10.0, key="opt_start_y", step=0.1)
chosen = SURFACES[surface_name]
st.latex(chosen.formula)
st.caption(chosen.shown_shape)

selected = st.multiselect(_("Optimizers"), list(OPTIMIZERS), default=list(OPTIMIZERS), key="opt_selected",
                          format_func=optimizer_choice_name)
st.radio(_("Learning rates"), list(RATE_SETS), format_func=labelled(RATE_SETS), horizontal=True,
         key="opt_rate_set", on_change=apply_rate_set,
         help=_("The suited rates show in 200 steps what this surface teaches; Keras's defaults are tuned for "
                "training networks. Typing a rate below makes the set your own."))
with st.expander(_("The learning rate of each optimizer"), expanded=True):
    rate_columns = st.columns(len(OPTIMIZERS))
    rates = {name: column.number_input(NAMES[name], LOW, HIGH, key=f"opt_rate_{name}", format="%.5f", step=None,
                                       on_change=own_rates)
             for name, column in zip(OPTIMIZERS, rate_columns)}
with st.spinner(_("TensorFlow is measuring the gradient...")):  # the first time it loads TensorFlow too
    explanation = cached_explanation(surface_name, (start_x, start_y))
with st.expander(_("Why not Keras's default rates?"), expanded=st.session_state.opt_rate_set == "keras"):
    st.markdown(explanation)
if not selected:
    st.info(_("Pick at least one optimizer."))
    st.stop()

with st.spinner(_("Keras is stepping the optimizers...")):
    paths = {name: cached_path(name, surface_name, (start_x, start_y), steps, rates[name]) for name in selected}
step = st.slider(_("Show the paths up to step"), 0, steps, steps, key="opt_step")
st.plotly_chart(surface_figure(surface_name, cached_grid(surface_name), paths, step), key="opt_chart")
shown = {name: path[: step + 1] for name, path in paths.items()}
st.caption("\n".join(f"- {sentence}" for sentence in describe_paths(surface_name, shown, rates, step)))

rows, notes = [], []
rate_column = _("learning rate")
for name, path in paths.items():
    summary = summarize(name, surface_name, path, steps, rates[name])
    # Text, not numbers: the grid cannot format the 1e+28 of a path that flew off the surface.
    # A path with no minimum to measure, or one it never came within 0.01 of, reads a dash, not "None".
    rows.append({_("optimizer"): optimizer_choice_name(name), rate_column: rates[name],
                 _("final loss"): f"{summary.final_loss:.4g}",
                 _("distance to nearest minimum"): "-" if summary.distance_to_minimum is None else
                 f"{summary.distance_to_minimum:.4g}",
                 _("first step within 0.01 of a minimum"): "-" if summary.first_arrival is None else
                 f"{summary.first_arrival:,}",
                 _("final point"): f"({path[-1, 0]:.3g}, {path[-1, 1]:.3g})"})
    if summary.diverged_at is not None:
        notes.append(_("{name} at rate {rate:g} diverged: step {step} left the finite numbers, so its path is drawn "
                       "up to step {last}. Try a smaller rate.").format(name=NAMES[name], rate=rates[name],
                                                                        step=summary.diverged_at,
                                                                        last=summary.steps_taken))
st.dataframe(pd.DataFrame(rows), hide_index=True, key="opt_table",
             column_config={rate_column: st.column_config.NumberColumn(format="%g")})
for note in notes:
    st.warning(note)
if not chosen.minima:
    st.caption(_("This surface has no minimum, so there is no distance to one: lower is better, forever."))

code_for = st.selectbox(_("Code for one optimizer's path"), selected, format_func=NAMES.get, key="opt_code_optimizer")
code_panel(optimizer_program(code_for, surface_name, (start_x, start_y), steps, rates[code_for], paths[code_for]),
           key="optimizers")

st.subheader(_("The update rules"))
st.caption(_("The textbook form of each rule (g is the gradient, η the learning rate); the paths above come from "
             "Keras's implementation, which adds details such as Adam's bias correction."))
for name in selected:
    left, right = st.columns([1, 5])
    left.markdown(f"**{NAMES[name]}**")
    right.latex(OPTIMIZERS[name].update_rule)

st.subheader(_("The same optimizers on LeNet-5"))
st.markdown(_("A toy surface shows *how* each optimizer moves; the History page shows what they *achieve* on "
              "LeNet-5 and MNIST, in the same colours. Its cached runs, each optimizer at the learning rate named:"))
book_runs = cached_race()
if book_runs:
    st.markdown("\n".join(f"- {sentence}" for sentence in describe_race(book_runs)))
else:
    st.info(_("The book's optimizer runs are not in saved_models/optimizers: `python -m lib.runs.experiments "
              "optimizers` trains them."))
st.page_link("pages/training/history.py", label=_("History: the book's optimizers training LeNet-5"),
             icon=":material/show_chart:")
