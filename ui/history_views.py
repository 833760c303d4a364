"""The History page's pieces: the book's figures it opens with, the runs it lists and reads (cached per
language), the comparison table's words, and the controls that share, rename and delete a workspace's runs.

Not a page itself: pages/training/history.py reads the runs, keeps the selection and draws the chart with these.
The run list is a catalogue: a dict from a unique key ("<group>/<run id>", the group a folder of saved_models/
or where a run comes from) to its Run, in the order the picker lists them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from lib.i18n import N_, _
from lib.plain_text import plain
from lib.runs.archive import run_from_upload
from lib.runs.comparison import MAX_DROP_FROM_BEST, MAX_SWING, STABILITY_WINDOW, format_measure, points, summary_row
from lib.runs.history_file import RunReadError
from lib.runs.readings import read_optimizers, read_regularization
from lib.runs.recipes import nearest_book_run
from lib.runs.store import Run, experiment_runs
from lib.runs.workspaces import delete_run, is_shared, rename_run, set_shared, shared_runs, workspace_runs
from ui.caching import cache_data_per_language
from ui.jobs import registry, status_name
from ui.run_links import show_run_link

# Each of the book's figures: its folder in saved_models/, the reader of its numbers, what it shows, and the
# few runs it opens with. All of a set at once is 16 curves per chart: the few make its point readable. A view's
# name is its id (in widget keys) and, translated, its button's label.
VIEWS = {
    N_("Optimizers"): ("optimizers", read_optimizers,
                       N_("LeNet-5 on all 60,000 images, batch 32, 20 epochs: the book's optimizers at "
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

# The comparison table's measures whose values are words, and those words as people read them.
VALUE_WORDS = {"source": SOURCE_NAMES, "stability": STABILITY_NAMES}
MANAGE_NOTES_KEY = "history_manage_notes"


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


def shown_value(key: str, value) -> str:
    """A measure's value in the comparison table: a word translated, a number formatted."""
    if key in VALUE_WORDS and value in VALUE_WORDS[key]:
        return _(VALUE_WORDS[key][value])
    return format_measure(key, value)


def group_name(key: str) -> str:
    """The group of a catalogue key, as people read it ("my runs", "optimizers")."""
    group = key.partition("/")[0]
    return _(GROUP_NAMES[group]) if group in GROUP_NAMES else group


def failed_mark(name: str, run: Run) -> str:
    return _("{run} (failed)").format(run=name) if run.failed else name


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


@cache_data_per_language(max_entries=32, show_spinner=False)
def load_upload(data: bytes, name: str):
    try:
        return run_from_upload(data, name), None
    except RunReadError as error:
        return None, str(error)


def view_keys(view: str, catalogue: dict[str, Run]) -> list[str]:
    """The catalogue keys of a view's runs, the ones it opens with first."""
    folder, *_rest, opening = VIEWS[view]
    keys = [key for key in catalogue if key.startswith(f"{folder}/")]
    first = [f"{folder}/{variant}" for variant in opening if f"{folder}/{variant}" in keys]
    return first + [key for key in keys if key not in first]


def apply_view(view: str, catalogue: dict[str, Run], everything: bool = False) -> None:
    """Select a figure's runs: the few it opens with, or with `everything` all of them."""
    keys = view_keys(view, catalogue)
    st.session_state.history_selected = keys if everything else keys[:len(VIEWS[view][3])]


def select_keys(keys: list[str]) -> None:
    st.session_state.history_selected = keys


def settle_selection(catalogue: dict[str, Run], own_keys: list[str]) -> None:
    """The runs selected before the picker is drawn: on first opening this workspace's newest runs (else a
    figure's, else the first few); later, runs that appeared since are added in front; runs gone are dropped."""
    if "history_selected" not in st.session_state:
        available = [view for view in VIEWS if view_keys(view, catalogue)]
        if own_keys:
            st.session_state.history_selected = own_keys[:OWN_RUNS_ON_FIRST]
        elif available:
            apply_view(available[0], catalogue)
        else:
            st.session_state.history_selected = list(catalogue)[:3]
    seen = st.session_state.setdefault(SEEN_KEY, set(own_keys))
    if new_runs := [key for key in own_keys if key not in seen]:
        st.session_state.history_selected = new_runs + [key for key in st.session_state.history_selected
                                                        if key not in new_runs]
        st.session_state[SEEN_KEY] = seen | set(new_runs)
    st.session_state.history_selected = [key for key in st.session_state.history_selected if key in catalogue]


def focus_on(run_id: str, catalogue: dict[str, Run], experiments: list[Run]) -> str | None:
    """Select a run of this workspace beside its nearest book run, and say why that one; a note when the run is
    not among this workspace's."""
    key = f"my runs/{run_id}"
    if key not in catalogue:
        return _("The run {run} is not among this workspace's runs.").format(run=run_id)
    nearest = nearest_book_run(catalogue[key], experiments)
    if nearest is None:
        st.session_state.history_selected = [key]
        st.session_state.history_focus = ([key], _("No book run was found to compare it with."))
        return None
    book_key = next(key for key, run in catalogue.items() if run is nearest.run)
    st.session_state.history_selected = [key, book_key]
    st.session_state.history_focus = ([key, book_key], _("Your run is shown beside **{run}**, the book run nearest "
                                                         "to it: {why}.").format(run=nearest.run.label,
                                                                                 why=nearest.explanation()))
    # The page opens where the Train page was scrolled to, often below the note: a toast is seen wherever.
    st.toast(_("Your run beside {run}, the nearest book run: why, at the top of the page.").format(
        run=nearest.run.label), icon=":material/compare_arrows:")
    return None


def show_comparison(runs: list[Run], names: list[str]) -> pd.DataFrame:
    """The comparison table, one column per run and one row per measure; returns it a run per row, unformatted,
    as the download keeps it."""
    rows = [summary_row(run) | {"run": name} for run, name in zip(runs, names)]
    table = pd.DataFrame(rows)
    st.subheader(_("Comparison"))
    # One column per run and one row per measure, in a plain table that wraps: with a measure per column, the last
    # ones hid behind a sideways scroll at 1280 px. The download keeps a run per row and the values unformatted.
    measures = [key for key in table.columns if key != "run"]
    # st.table reads its headers as Markdown: run names go through plain().
    st.table(pd.DataFrame({plain(row["run"]): [shown_value(key, row[key]) for key in measures] for row in rows},
                          index=[column_label(key) for key in measures]))
    st.caption(stability_help() + " " + _("The swing is how far validation accuracy moves back and forth per epoch "
                                          "over the last {window} epochs, its climb or fall aside.").format(
        window=STABILITY_WINDOW))
    return table


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


def show_own_runs_manager(mine: list[Run], token: str) -> None:
    """Share, unshare, link, rename and delete this workspace's runs; what the last action did, as a toast."""
    if mine:
        st.subheader(_("Share your runs"))
        st.caption(_("A shared run is listed for everyone on this server, marked as shared, beside the book's "
                     "experiments (a teacher can show the class's runs side by side this way). Only this workspace "
                     "can unshare, rename or delete it; deleting a run frees its room on the server."))
        for run in mine:
            # Room for "Rename or delete" whole, in either language.
            label, button, link, manage = st.columns([3, 1, 1, 2])
            shared_now = is_shared(run.path)
            failed_tag = f" :red[{status_name('failed')}]" if run.failed else ""
            shared_tag = f" :green[{_('shared')}]" if shared_now else ""
            label.markdown(f"{plain(run.label)} ({run.run_id}){failed_tag}{shared_tag}")
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
