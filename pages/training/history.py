"""History: the book's experiments, your own runs and the runs shared on this server, side by side."""

from pathlib import Path

import pandas as pd
import streamlit as st

from lib.i18n import N_, _, ngettext
from lib.plain_text import plain
from lib.runs.archive import run_from_upload
from lib.runs.comparison import (
    MAX_DROP_FROM_BEST,
    MAX_SWING,
    STABILITY_WINDOW,
    format_measure,
    points,
    read_optimizers,
    read_regularization,
    summary_row,
)
from lib.runs.history_file import RunReadError
from lib.runs.naming import distinct_names
from lib.runs.recipes import differing_config, nearest_book_run, setting_name
from lib.runs.store import experiment_runs
from lib.runs.workspaces import delete_run, is_shared, listing_fingerprint, rename_run, set_shared, shared_runs, workspace_runs
from ui.caching import cache_data_per_language
from ui.charts import Curves, curves_figure, distinct_colours
from ui.job_views import HISTORY_FOCUS_KEY
from ui.jobs import registry, status_name
from ui.run_links import linked_run_id, show_run_link
from ui.workspace import workspace_token

# Each of the book's figures: its folder in saved_models/, the reader of its numbers, what it shows, and the
# few runs it opens with. All of a set at once is 16 curves per chart: the few make its point readable. A view's
# name is its id (in widget keys) and, translated, its button's label.
VIEWS = {
    N_("Optimizers"): ("optimizers", read_optimizers,
                       N_("LeNet-5 on all 60,000 images, batch 32, 20 epochs: the seven optimizers of the book at "
                          "Keras's default rates, and Adadelta at 1.0."),
                       ("sgd", "momentum", "adam", "adadelta")),
    N_("Regularization on 200 samples"): ("regularizers", read_regularization,
                                          N_("LeNet-5 trained on only 200 images for 300 epochs, validated on the "
                                             "10,000 test images: how much each regularizer closes the gap."),
                                          ("none", "l2", "dropout", "batch-norm")),
}
# The run list's groups (a folder of saved_models/, or where a run comes from) as people read them.
GROUP_NAMES = {"optimizers": N_("optimizers"), "regularizers": N_("regularizers"), "baseline": N_("baseline"),
               "shipped": N_("shipped"), "shared": N_("shared"), "my runs": N_("my runs"), "upload": N_("upload")}
# The comparison table's words: its columns (lib.runs.comparison.summary_row's keys) and the values of two of them.
COLUMN_LABELS = {"run": N_("run"), "source": N_("source"), "epochs": N_("epochs"),
                 "best val accuracy": N_("best val accuracy"), "best epoch": N_("best epoch"),
                 "final val accuracy": N_("final val accuracy"), "stability": N_("stability"),
                 "val accuracy swing / epoch": N_("val accuracy swing / epoch"), "final accuracy": N_("final accuracy"),
                 "final loss": N_("final loss"), "final val loss": N_("final val loss"),
                 "seconds / epoch": N_("seconds / epoch"), "parameters": N_("parameters"),
                 "test accuracy": N_("test accuracy"), "early stop at": N_("early stop at")}
SOURCE_NAMES = {"experiment": N_("experiment"), "user": N_("user"), "shared": N_("shared"), "upload": N_("upload")}
STABILITY_NAMES = {"steady": N_("steady"), "unstable": N_("unstable")}
# Your newest runs are drawn when the page first opens, at most this many so the chart stays readable; a run that
# appears later (trained while the page was open elsewhere) is added to what is drawn.
OWN_RUNS_ON_FIRST = 6
SEEN_KEY = "history_seen_own_runs"


def stability_help() -> str:
    return _("Unstable: over the last {window} epochs validation accuracy moves back and forth by more than {swing} "
             "per epoch, or the run ends more than {drop} below its best epoch.").format(
        window=STABILITY_WINDOW, swing=points(MAX_SWING), drop=points(MAX_DROP_FROM_BEST))


def column_label(key: str) -> str:
    if key in COLUMN_LABELS:
        return _(COLUMN_LABELS[key])
    if key.startswith("epochs to "):  # "epochs to 97%"
        return _("epochs to {threshold}").format(threshold=key.removeprefix("epochs to "))
    return key


# The cached readers are cached per language: the notes they return are written in it.
@cache_data_per_language(max_entries=4, show_spinner=False)
def load_experiments():
    return experiment_runs()


@cache_data_per_language(max_entries=64, show_spinner=False)
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
        st.session_state[MANAGE_NOTES_KEY] = [_("Not deleted: {error}").format(error=error)]
        return
    registry().runs_removed()
    st.session_state[MANAGE_NOTES_KEY] = [_("Deleted run {run}.").format(run=Path(path).name)]


def rename_own_run(token: str, path: str, name_key: str) -> None:
    # The name is read here, not passed when the button was drawn: text typed just before the click counts.
    name = st.session_state.get(name_key, "")
    try:
        rename_run(token, Path(path), name)
    except (ValueError, OSError) as error:
        st.session_state[MANAGE_NOTES_KEY] = [_("Not renamed: {error}").format(error=error)]
        return
    st.session_state[MANAGE_NOTES_KEY] = [_("Renamed run {run} to “{name}”.").format(run=Path(path).name,
                                                                                   name=name.strip())]


@cache_data_per_language(max_entries=32, show_spinner=False)
def load_upload(data: bytes, name: str):
    try:
        return run_from_upload(data, name), None
    except RunReadError as error:
        return None, str(error)


def view_keys(view: str) -> list[str]:
    """The catalogue keys of a view's runs, the ones it opens with first."""
    folder, *_rest, opening = VIEWS[view]
    keys = [key for key in catalogue if key.startswith(f"{folder}/")]
    first = [f"{folder}/{variant}" for variant in opening if f"{folder}/{variant}" in keys]
    return first + [key for key in keys if key not in first]


def apply_view(view: str, everything: bool = False):
    keys = view_keys(view)
    st.session_state.history_selected = keys if everything else keys[:len(VIEWS[view][3])]


def show_own_runs() -> None:
    st.session_state.history_selected = own_keys


def focus_on(run_id: str) -> None:
    """Select a run of this workspace beside its nearest book run, and say why that one."""
    key = f"my runs/{run_id}"
    if key not in catalogue:
        notes.append(_("The run {run} is not among this workspace's runs.").format(run=run_id))
        return
    nearest = nearest_book_run(catalogue[key], experiments)
    if nearest is None:
        st.session_state.history_selected = [key]
        st.session_state.history_focus = ([key], _("No book run was found to compare it with."))
        return
    book_key = next(key for key, run in catalogue.items() if run is nearest.run)
    st.session_state.history_selected = [key, book_key]
    st.session_state.history_focus = ([key, book_key], _("Your run is shown beside **{run}**, the book run nearest "
                                                         "to it: {why}.").format(run=nearest.run.label,
                                                                                 why=nearest.explanation()))
    # The page opens where the Train page was scrolled to, often below the note: a toast is seen wherever.
    st.toast(_("Your run beside {run}, the nearest book run: why, at the top of the page.").format(
        run=nearest.run.label), icon=":material/compare_arrows:")


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


def group_name(key: str) -> str:
    group = key.partition("/")[0]
    return _(GROUP_NAMES[group]) if group in GROUP_NAMES else group


def failed_mark(name: str, run) -> str:
    return _("{run} (failed)").format(run=name) if run.failed else name


# How a run is listed: its group and label, what sets it apart where two labels match, and whether it failed.
listed_names = distinct_names(list(catalogue.values()),
                              [f"{group_name(key)}/{run.label}" for key, run in catalogue.items()])
shown_as = {key: failed_mark(name, run) for (key, run), name in zip(catalogue.items(), listed_names)}

if focus_run := st.session_state.pop(HISTORY_FOCUS_KEY, None):  # set by the Train page's "Compare it" button
    focus_on(focus_run)
if linked := linked_run_id():  # a shared run's read-only link
    if linked_key := next((key for key in (f"my runs/{linked}", f"shared/{linked}") if key in catalogue), None):
        st.session_state.history_selected = [linked_key]
    else:
        notes.append(_("The linked run {run} is not shared on this server.").format(run=linked))
st.markdown(_("**The book's figures**"))
view_columns = st.columns(len(VIEWS) + 1)
view_columns[0].button(ngettext("Your run ({count})", "Your runs ({count})", len(own_keys)).format(count=len(own_keys)),
                       on_click=show_own_runs, key="history_view_own", disabled=not own_keys)
for column_, view in zip(view_columns[1:], VIEWS):
    column_.button(_(view), on_click=apply_view, args=(view,), key=f"history_view_{view}", disabled=not view_keys(view))
if "history_selected" not in st.session_state:
    available = [view for view in VIEWS if view_keys(view)]
    if own_keys:
        st.session_state.history_selected = own_keys[:OWN_RUNS_ON_FIRST]
    elif available:
        apply_view(available[0])
    else:
        st.session_state.history_selected = list(catalogue)[:3]
seen = st.session_state.setdefault(SEEN_KEY, set(own_keys))
if new_runs := [key for key in own_keys if key not in seen]:
    st.session_state.history_selected = new_runs + [key for key in st.session_state.history_selected
                                                    if key not in new_runs]
    st.session_state[SEEN_KEY] = seen | set(new_runs)
st.session_state.history_selected = [key for key in st.session_state.history_selected if key in catalogue]
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
        if len(selected) < len(everything := view_keys(view)):
            st.button(ngettext("Show all {count} run", "Show all {count} runs", len(everything)).format(
                          count=len(everything)), on_click=apply_view, args=(view, True), key="history_show_all",
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

rows = [summary_row(run) | {"run": name} for run, name in zip(runs, names)]
table = pd.DataFrame(rows)
st.subheader(_("Comparison"))
# One column per run and one row per measure, in a plain table that wraps: with a measure per column, the last
# ones hid behind a sideways scroll at 1280 px. The download keeps a run per row and the values unformatted.
measures = [key for key in table.columns if key != "run"]
words = {"source": SOURCE_NAMES, "stability": STABILITY_NAMES}


def shown_value(key: str, value) -> str:
    if key in words and value in words[key]:
        return _(words[key][value])
    return format_measure(key, value)


# st.table reads its headers as Markdown: run names go through plain().
st.table(pd.DataFrame({plain(row["run"]): [shown_value(key, row[key]) for key in measures] for row in rows},
                      index=[column_label(key) for key in measures]))
st.caption(stability_help() + " " + _("The swing is how far validation accuracy moves back and forth per epoch over "
                                      "the last {window} epochs, its climb or fall aside.").format(
    window=STABILITY_WINDOW))
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

if mine:
    st.subheader(_("Share your runs"))
    st.caption(_("A shared run is listed for everyone on this server, marked as shared, beside the book's experiments "
                 "(a teacher can show the class's runs side by side this way). Only this workspace can unshare, "
                 "rename or delete it; deleting a run frees its room on the server."))
    for run in mine:
        label, button, link, manage = st.columns([3, 1, 1, 2])  # room for "Rename or delete" whole, in either language
        shared_now = is_shared(run.path)
        failed_mark = f" :red[{status_name('failed')}]" if run.failed else ""
        shared_mark = f" :green[{_('shared')}]" if shared_now else ""
        label.markdown(f"{plain(run.label)} ({run.run_id}){failed_mark}{shared_mark}")
        button.button(_("Unshare") if shared_now else _("Share"), key=f"history_share_{run.run_id}",
                      on_click=set_sharing, args=(str(run.path), not shared_now))
        if shared_now:
            show_run_link(link, run.run_id)
        with manage.popover(_("Rename or delete"), icon=":material/edit:"):
            st.text_input(_("New name"), run.label, max_chars=200, key=f"history_name_{run.run_id}")
            st.button(_("Rename"), key=f"history_rename_{run.run_id}", on_click=rename_own_run,
                      args=(token, str(run.path), f"history_name_{run.run_id}"))
            really = st.checkbox(_("Yes, delete this run for good"), key=f"history_really_{run.run_id}")
            st.button(_("Delete"), key=f"history_delete_{run.run_id}", type="primary", disabled=not really,
                      on_click=delete_own_run, args=(token, str(run.path)))
for note in st.session_state.pop(MANAGE_NOTES_KEY, []):
    st.toast(note, icon=":material/info:")
