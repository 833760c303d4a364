"""History: the book's experiments, your own runs and the runs shared on this server, side by side.

The pieces (the book's figures, the cached readers, the comparison table, sharing and renaming) are
ui.history_views's; this page keeps the selection and draws the chart.
"""

import pandas as pd
import streamlit as st

from lib.i18n import _, ngettext
from lib.runs.comparison import summary_row
from lib.runs.naming import distinct_names
from lib.runs.recipes import differing_config, setting_name
from lib.runs.workspaces import listing_fingerprint
from ui.charts import Curves, curves_figure, distinct_colours
from ui.history_views import (
    VIEWS,
    apply_view,
    failed_mark,
    focus_on,
    group_name,
    load_experiments,
    load_upload,
    load_workspace,
    select_keys,
    settle_selection,
    show_comparison,
    show_own_runs_manager,
    view_keys,
)
from ui.job_views import HISTORY_FOCUS_KEY
from ui.run_links import linked_run_id
from ui.workspace import workspace_token

st.title(_("Training history"))
st.caption(_("Compare runs' loss and accuracy epoch by epoch, on the training data and on the validation data: the "
             "book's optimizer and regularization experiments, your own runs and the runs shared on this server."))
token = workspace_token()
experiments, notes = load_experiments()
mine, shared, workspace_notes = load_workspace(token, listing_fingerprint())
# A run whose history had unusable rows is shown without them; its notes say how many went.
notes = [*notes, *workspace_notes, *(note for run in (*experiments, *shared, *mine) for note in run.notes)]
# Keys are unique (a group and a run id). Your runs come first, newest first; then uploads, shared runs, the book's.
own_keys = [f"my runs/{run.run_id}" for run in mine]
catalogue = {key: run for key, run in zip(own_keys, mine)}
later = {f"shared/{run.run_id}": run for run in shared}
later.update({f"{run.path.parent.name}/{run.run_id}": run for run in experiments})

with st.expander(_("Add history files: a Keras CSVLogger CSV or a run .zip"), icon=":material/upload:"):
    uploads = st.file_uploader(_("Keras CSVLogger CSV, or a run .zip from the Training page"), type=["csv", "zip"],
                               accept_multiple_files=True, key="history_uploads")
for upload in uploads or []:
    run, problem = load_upload(upload.getvalue(), upload.name)
    if run is None:
        notes.append(_("Skipped upload {problem}").format(problem=problem))
    else:
        catalogue[f"upload/{upload.name}"] = run
        notes += [_("Upload {note}").format(note=note) for note in run.notes]
catalogue.update(later)

# How a run is listed: its group and label, what sets it apart where two labels match, and whether it failed.
listed_names = distinct_names(list(catalogue.values()),
                              [f"{group_name(key)}/{run.label}" for key, run in catalogue.items()])
shown_as = {key: failed_mark(name, run) for (key, run), name in zip(catalogue.items(), listed_names)}

# The Train page's "Compare it" button names a run to focus on.
if (focus_run := st.session_state.pop(HISTORY_FOCUS_KEY, None)) and (note := focus_on(focus_run, catalogue, experiments)):
    notes.append(note)
if linked := linked_run_id():  # a shared run's read-only link
    if linked_key := next((key for key in (f"my runs/{linked}", f"shared/{linked}") if key in catalogue), None):
        st.session_state.history_selected = [linked_key]
    else:
        notes.append(_("The linked run {run} is not shared on this server.").format(run=linked))
st.markdown(_("**The book's figures**"))
view_columns = st.columns(len(VIEWS) + 1)
view_columns[0].button(ngettext("Your run ({count})", "Your runs ({count})", len(own_keys)).format(count=len(own_keys)),
                       on_click=select_keys, args=(own_keys,), key="history_view_own", disabled=not own_keys)
for column_, view in zip(view_columns[1:], VIEWS):
    column_.button(_(view), on_click=apply_view, args=(view, catalogue), key=f"history_view_{view}",
                   disabled=not view_keys(view, catalogue))
settle_selection(catalogue, own_keys)
selected = st.multiselect(_("Runs to compare"), list(catalogue), key="history_selected", format_func=shown_as.get)
focus_keys, focus_note = st.session_state.get("history_focus", ([], ""))
if focus_note and all(key in selected for key in focus_keys):
    st.info(focus_note, icon=":material/compare_arrows:")
for note in notes:
    st.warning(note)
if not selected:
    st.info(_("Pick runs above, train one on the Training page, or upload a history file."))
    st.stop()
runs = [catalogue[key] for key in selected]
names = distinct_names(runs)  # the chart's, the table's and the settings' names for the runs drawn

for view, (folder, reader, description, _opening) in VIEWS.items():
    if all(key.startswith(f"{folder}/") for key in selected):
        st.markdown(_("**{view}.** {description}").format(view=_(view), description=_(description)))
        for sentence in reader(runs):
            st.markdown(f"- {sentence}")
        if len(selected) < len(everything := view_keys(view, catalogue)):
            st.button(ngettext("Show all {count} run", "Show all {count} runs", len(everything)).format(
                          count=len(everything)), on_click=apply_view, args=(view, catalogue, True), key="history_show_all",
                      help=_("Only {count} of this figure's runs are drawn, so the chart stays readable; the others "
                             "are in the list above too.").format(count=len(selected)))

controls = st.columns(3)
weight = controls[0].slider(_("Smoothing"), 0.0, 0.95, 0.0, 0.05, key="history_smoothing",
                            help=_("Exponential moving average, bias-corrected so early epochs are not pulled to "
                                   "zero."))
log_loss = controls[1].checkbox(_("Log scale for loss"), True, key="history_log")
show_train = controls[2].checkbox(_("Show training curves"), True, key="history_train")

curves = [Curves(name, colour, run.history, best_epoch=summary_row(run)["best epoch"],
                 stopped_epoch=run.metrics.get("early_stopped_epoch"))
          for run, name, colour in zip(runs, names, distinct_colours(runs))]
figure, plotted = curves_figure(curves, smoothing=weight, log_loss=log_loss, show_train=show_train, height=480)
st.plotly_chart(figure, key="history_chart")
st.caption(_("Solid: training. Dashed: validation. Stars mark each run's best epoch; dotted lines where early "
             "stopping ended a run."))

table = show_comparison(runs, names)
differences = differing_config(runs)
if differences:
    st.markdown(_("**Settings that differ between these runs**"))
    st.dataframe(pd.DataFrame(differences, index=names), key="history_config",
                 column_config={key: st.column_config.Column(setting_name(key)) for key in differences})
left, right = st.columns(2)
left.download_button(_("Download the table (CSV)"), table.to_csv(index=False), "history_table.csv", "text/csv",
                     key="history_download_table")
right.download_button(_("Download the plotted data (CSV)"), pd.DataFrame(plotted).to_csv(index=False),
                      "history_curves.csv", "text/csv", key="history_download_curves")

show_own_runs_manager(mine, token)
