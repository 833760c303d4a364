"""History: the book's experiments, your own runs and the runs shared on this server, side by side."""

from pathlib import Path

import pandas as pd
import streamlit as st

from lib.history import (
    differing_config,
    read_optimizers,
    read_regularization,
    run_from_upload,
    summary_row,
)
from lib.runs import RunReadError, experiment_runs, is_shared, set_shared
from lib.workspaces import listing_fingerprint, shared_runs, workspace_runs
from pages.shared.charts import Curves, curves_figure, run_colour
from pages.shared.workspace import workspace_token

VIEWS = {
    "Optimizers": ("optimizers", read_optimizers,
                   "LeNet-5 on all 60,000 images, batch 32, 20 epochs: the seven optimizers of the book at Keras's "
                   "default rates, and Adadelta at 1.0."),
    "Regularization on 200 samples": ("regularizers", read_regularization,
                                      "LeNet-5 trained on only 200 images for 300 epochs, validated on the 10,000 test "
                                      "images: how much each regularizer closes the gap."),
}


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


@st.cache_data(max_entries=32, show_spinner=False)
def load_upload(data: bytes, name: str):
    try:
        return run_from_upload(data, name), None
    except RunReadError as error:
        return None, str(error)


def apply_view(view: str):
    folder = VIEWS[view][0]
    st.session_state.history_selected = [key for key in catalogue if key.startswith(f"{folder}/")]


st.title("Training history")
token = workspace_token()
experiments, notes = load_experiments()
mine, shared, workspace_notes = load_workspace(token, listing_fingerprint())
notes = [*notes, *workspace_notes]
catalogue = {f"{run.path.parent.name}/{run.run_id}": run for run in experiments}
catalogue.update({f"shared/{run.label} ({run.run_id})": run for run in shared})
catalogue.update({f"my runs/{run.run_id}": run for run in mine})

with st.sidebar:
    st.subheader("Add history files")
    uploads = st.file_uploader("Keras CSVLogger CSV, or a run .zip from the Training page", type=["csv", "zip"],
                               accept_multiple_files=True, key="history_uploads")
for upload in uploads or []:
    run, problem = load_upload(upload.getvalue(), upload.name)
    if run is None:
        notes.append(f"Skipped upload {problem}")
    else:
        catalogue[f"upload/{upload.name}"] = run

st.markdown("**The book's figures**")
view_columns = st.columns(len(VIEWS) + 1)
for column_, view in zip(view_columns, VIEWS):
    column_.button(view, on_click=apply_view, args=(view,), key=f"history_view_{view}",
                   disabled=not any(key.startswith(f"{VIEWS[view][0]}/") for key in catalogue))
if "history_selected" not in st.session_state:
    available = [view for view in VIEWS if any(key.startswith(f"{VIEWS[view][0]}/") for key in catalogue)]
    if available:
        apply_view(available[0])
    else:
        st.session_state.history_selected = list(catalogue)[:3]
st.session_state.history_selected = [key for key in st.session_state.history_selected if key in catalogue]
selected = st.multiselect("Runs to compare", list(catalogue), key="history_selected")
for note in notes:
    st.warning(note)
if not selected:
    st.info("Pick runs above, train one on the Training page, or upload a history file.")
    st.stop()
runs = [catalogue[key] for key in selected]

for view, (folder, reader, description) in VIEWS.items():
    if all(key.startswith(f"{folder}/") for key in selected):
        st.markdown(f"**{view}.** {description}")
        for sentence in reader(runs):
            st.markdown(f"- {sentence}")

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
st.dataframe(table, hide_index=True, key="history_table",
             column_config={key: st.column_config.NumberColumn(format="percent")
                            for key in table.columns if "accuracy" in key})
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
               "(a teacher can show the class's runs side by side this way). Only this workspace can unshare it.")
    for run in mine:
        label, button = st.columns([4, 1])
        shared_now = is_shared(run.path)
        label.markdown(f"`{run.label}` ({run.run_id}){' :green[shared]' if shared_now else ''}")
        button.button("Unshare" if shared_now else "Share", key=f"history_share_{run.run_id}",
                      on_click=set_sharing, args=(str(run.path), not shared_now))
