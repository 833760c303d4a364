"""History: the book's experiments, your own runs and the runs shared on this server, side by side."""

from collections import Counter
from pathlib import Path

import pandas as pd
import streamlit as st

from lib.runs.archive import run_from_upload
from lib.runs.comparison import (
    MAX_DROP_FROM_BEST,
    MAX_SWING,
    STABILITY_WINDOW,
    points,
    read_optimizers,
    read_regularization,
    summary_row,
)
from lib.runs.recipes import differing_config, nearest_book_run
from lib.runs.store import RunReadError, experiment_runs, is_shared, set_shared
from lib.runs.workspaces import delete_run, listing_fingerprint, rename_run, shared_runs, workspace_runs
from ui.charts import Curves, curves_figure, run_colour
from ui.job_views import HISTORY_FOCUS_KEY
from ui.jobs import registry
from ui.workspace import workspace_token

# Each of the book's figures: its folder in saved_models/, the reader of its numbers, what it shows, and the
# few runs it opens with. All of a set at once is 16 curves per chart: the few make its point readable.
VIEWS = {
    "Optimizers": ("optimizers", read_optimizers,
                   "LeNet-5 on all 60,000 images, batch 32, 20 epochs: the seven optimizers of the book at Keras's "
                   "default rates, and Adadelta at 1.0.",
                   ("sgd", "momentum", "adam", "adadelta")),
    "Regularization on 200 samples": ("regularizers", read_regularization,
                                      "LeNet-5 trained on only 200 images for 300 epochs, validated on the 10,000 test "
                                      "images: how much each regularizer closes the gap.",
                                      ("none", "l2", "dropout", "batch-norm")),
}
STABILITY_HELP = (f"Unstable: over the last {STABILITY_WINDOW} epochs validation accuracy moves back and forth by "
                  f"more than {points(MAX_SWING)} per epoch, or the run ends more than {points(MAX_DROP_FROM_BEST)} "
                  "below its best epoch.")


@st.cache_data(max_entries=4, show_spinner=False)
def load_experiments():
    return experiment_runs()


@st.cache_data(max_entries=64, show_spinner=False)
def load_workspace(token: str, fingerprint: tuple):
    """This workspace's runs and everyone's shared ones; read again whenever a run appears, goes or is shared."""
    mine, my_notes = workspace_runs(token)
    shared, shared_notes = shared_runs(exclude=token)
    return mine, shared, my_notes + shared_notes


def set_sharing(path: str, shared: bool) -> None:
    set_shared(Path(path), shared)


MANAGE_NOTES_KEY = "history_manage_notes"


def delete_own_run(token: str, path: str) -> None:
    try:
        delete_run(token, Path(path))
    except (ValueError, OSError) as error:
        st.session_state[MANAGE_NOTES_KEY] = [f"Not deleted: {error}"]
        return
    registry().runs_removed()
    st.session_state[MANAGE_NOTES_KEY] = [f"Deleted run {Path(path).name}."]


def rename_own_run(token: str, path: str, name_key: str) -> None:
    # The name is read here, not passed when the button was drawn: text typed just before the click counts.
    name = st.session_state.get(name_key, "")
    try:
        rename_run(token, Path(path), name)
    except (ValueError, OSError) as error:
        st.session_state[MANAGE_NOTES_KEY] = [f"Not renamed: {error}"]
        return
    st.session_state[MANAGE_NOTES_KEY] = [f"Renamed run {Path(path).name} to “{name.strip()}”."]


@st.cache_data(max_entries=32, show_spinner=False)
def load_upload(data: bytes, name: str):
    try:
        return run_from_upload(data, name), None
    except RunReadError as error:
        return None, str(error)


def view_keys(view: str) -> list[str]:
    """The catalogue keys of a view's runs, the ones it opens with first."""
    folder, *_, opening = VIEWS[view]
    keys = [key for key in catalogue if key.startswith(f"{folder}/")]
    first = [f"{folder}/{variant}" for variant in opening if f"{folder}/{variant}" in keys]
    return first + [key for key in keys if key not in first]


def apply_view(view: str, everything: bool = False):
    keys = view_keys(view)
    st.session_state.history_selected = keys if everything else keys[:len(VIEWS[view][3])]


def focus_on(run_id: str) -> None:
    """Select a run of this workspace beside its nearest book run, and say why that one."""
    key = f"my runs/{run_id}"
    if key not in catalogue:
        notes.append(f"The run {run_id} is not among this workspace's runs.")
        return
    nearest = nearest_book_run(catalogue[key], experiments)
    if nearest is None:
        st.session_state.history_selected = [key]
        st.session_state.history_focus = ([key], "No book run was found to compare it with.")
        return
    book_key = next(key for key, run in catalogue.items() if run is nearest.run)
    st.session_state.history_selected = [key, book_key]
    st.session_state.history_focus = ([key, book_key], f"Your run is shown beside **{nearest.run.label}**, the book "
                                      f"run nearest to it: {nearest.explanation()}.")
    # The page opens where the Train page was scrolled to, often below the note: a toast is seen wherever.
    st.toast(f"Your run beside {nearest.run.label}, the nearest book run: why, at the top of the page.",
             icon=":material/compare_arrows:")


st.title("Training history")
token = workspace_token()
experiments, notes = load_experiments()
mine, shared, workspace_notes = load_workspace(token, listing_fingerprint())
# A run whose history had unusable rows is shown without them; its notes say how many went.
notes = [*notes, *workspace_notes, *(note for run in (*experiments, *shared, *mine) for note in run.notes)]
# Keys are unique (a group and a run id); the list shows each run's label, with its id where two labels match.
catalogue = {f"{run.path.parent.name}/{run.run_id}": run for run in experiments}
catalogue.update({f"shared/{run.run_id}": run for run in shared})
catalogue.update({f"my runs/{run.run_id}": run for run in mine})

with st.expander("Add history files: a Keras CSVLogger CSV or a run .zip", icon=":material/upload:"):
    uploads = st.file_uploader("Keras CSVLogger CSV, or a run .zip from the Training page", type=["csv", "zip"],
                               accept_multiple_files=True, key="history_uploads")
for upload in uploads or []:
    run, problem = load_upload(upload.getvalue(), upload.name)
    if run is None:
        notes.append(f"Skipped upload {problem}")
    else:
        catalogue[f"upload/{upload.name}"] = run
        notes += [f"Upload {note}" for note in run.notes]
groups = {key: key.partition("/")[0] for key in catalogue}
repeated = Counter((groups[key], run.label) for key, run in catalogue.items())
shown_as = {key: f"{groups[key]}/{run.label}" + (f" ({run.run_id})" if repeated[groups[key], run.label] > 1 else "")
            + (" (failed)" if run.failed else "") for key, run in catalogue.items()}

if focus_run := st.session_state.pop(HISTORY_FOCUS_KEY, None):  # set by the Train page's "Compare it" button
    focus_on(focus_run)
st.markdown("**The book's figures**")
view_columns = st.columns(len(VIEWS) + 1)
for column_, view in zip(view_columns, VIEWS):
    column_.button(view, on_click=apply_view, args=(view,), key=f"history_view_{view}", disabled=not view_keys(view))
if "history_selected" not in st.session_state:
    available = [view for view in VIEWS if view_keys(view)]
    if available:
        apply_view(available[0])
    else:
        st.session_state.history_selected = list(catalogue)[:3]
st.session_state.history_selected = [key for key in st.session_state.history_selected if key in catalogue]
selected = st.multiselect("Runs to compare", list(catalogue), key="history_selected", format_func=shown_as.get)
focus_keys, focus_note = st.session_state.get("history_focus", ([], ""))
if focus_note and all(key in selected for key in focus_keys):
    st.info(focus_note, icon=":material/compare_arrows:")
for note in notes:
    st.warning(note)
if not selected:
    st.info("Pick runs above, train one on the Training page, or upload a history file.")
    st.stop()
runs = [catalogue[key] for key in selected]

for view, (folder, reader, description, _) in VIEWS.items():
    if all(key.startswith(f"{folder}/") for key in selected):
        st.markdown(f"**{view}.** {description}")
        for sentence in reader(runs):
            st.markdown(f"- {sentence}")
        if len(selected) < len(everything := view_keys(view)):
            st.button(f"Show all {len(everything)} runs", on_click=apply_view, args=(view, True),
                      key="history_show_all", help=f"Only {len(selected)} of this figure's runs are drawn, so the "
                      "chart stays readable; the others are in the list above too.")

controls = st.columns(3)
weight = controls[0].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="history_smoothing",
                            help="Exponential moving average, bias-corrected so early epochs are not pulled to zero.")
log_loss = controls[1].checkbox("Log scale for loss", True, key="history_log")
show_train = controls[2].checkbox("Show training curves", True, key="history_train")

curves = [Curves(run.label, run_colour(run, index), run.history, best_epoch=summary_row(run)["best epoch"],
                 stopped_epoch=run.metrics.get("early_stopped_epoch")) for index, run in enumerate(runs)]
figure, plotted = curves_figure(curves, smoothing=weight, log_loss=log_loss, show_train=show_train, height=480)
st.plotly_chart(figure, key="history_chart")
st.caption("Solid: training. Dashed: validation. Stars mark each run's best epoch; dotted lines where early stopping "
           "ended a run.")

table = pd.DataFrame([summary_row(run) for run in runs])
st.subheader("Comparison")
column_config = {key: st.column_config.NumberColumn(format="percent") for key in table.columns if "accuracy" in key}
column_config["stability"] = st.column_config.TextColumn(help=STABILITY_HELP)
column_config["val accuracy swing / epoch"] = st.column_config.NumberColumn(
    format="percent", help=f"How far validation accuracy moves back and forth per epoch over the last "
    f"{STABILITY_WINDOW} epochs, its climb or fall aside.")
st.dataframe(table, hide_index=True, key="history_table", column_config=column_config)
differences = differing_config(runs)
if differences:
    st.markdown("**Settings that differ between these runs**")
    st.dataframe(pd.DataFrame(differences, index=[run.label for run in runs]), key="history_config")
left, right = st.columns(2)
left.download_button("Download the table (CSV)", table.to_csv(index=False), "history_table.csv", "text/csv",
                     key="history_download_table")
right.download_button("Download the plotted data (CSV)", pd.DataFrame(plotted).to_csv(index=False),
                      "history_curves.csv", "text/csv", key="history_download_curves")

if mine:
    st.subheader("Share your runs")
    st.caption("A shared run is listed for everyone on this server, marked as shared, beside the book's experiments "
               "(a teacher can show the class's runs side by side this way). Only this workspace can unshare, rename "
               "or delete it; deleting a run frees its room on the server.")
    for run in mine:
        label, button, manage = st.columns([4, 1, 1])
        shared_now = is_shared(run.path)
        label.markdown(f"`{run.label}` ({run.run_id}){' :red[failed]' if run.failed else ''}"
                       f"{' :green[shared]' if shared_now else ''}")
        button.button("Unshare" if shared_now else "Share", key=f"history_share_{run.run_id}",
                      on_click=set_sharing, args=(str(run.path), not shared_now))
        with manage.popover("Rename or delete", icon=":material/edit:"):
            st.text_input("New name", run.label, max_chars=200, key=f"history_name_{run.run_id}")
            st.button("Rename", key=f"history_rename_{run.run_id}", on_click=rename_own_run,
                      args=(token, str(run.path), f"history_name_{run.run_id}"))
            really = st.checkbox("Yes, delete this run for good", key=f"history_really_{run.run_id}")
            st.button("Delete", key=f"history_delete_{run.run_id}", type="primary", disabled=not really,
                      on_click=delete_own_run, args=(token, str(run.path)))
for note in st.session_state.pop(MANAGE_NOTES_KEY, []):
    st.toast(note, icon=":material/info:")
