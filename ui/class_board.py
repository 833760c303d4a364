"""The class board's pieces: its table and plots, redrawn as runs arrive, and the controls each role has there.

The page (pages/training/class_board.py) opens a class; everything a class holds and who may change it is
lib.runs.classes's. What visitors typed (display names, run names, a class's title) reaches Markdown through
`plain` and Plotly through `plain_html`; st.dataframe shows its cells as text.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.engine.optimizers import OPTIMIZER_COLOURS
from lib.i18n import N_, _, ngettext
from lib.plain_text import plain, plain_html
from lib.runs.class_entries import board_rows, board_summary, optimizer_summary, run_name, snapshot_refusal
from lib.runs.class_rights import close_class, delete_class, hand_in, remove_entry
from lib.runs.classes import TEACHER, ClassError, SchoolClass, load_class
from lib.runs.store import Run
from lib.settings import settings
from ui.charts import PALETTE, epoch_tick_step, percent_axis

OPEN_KEY = "board_open_class"
PARAM = "class"  # the address's query parameter that opens a class: .../class_board?class=CODE
URL_PATH = "class_board"  # the page's address: its file's name (lib.server.navigation)
FLASH_KEY = "board_flash"
# The table's columns (lib.runs.class_entries.board_rows's keys) as people read them, in the table's order: the
# accuracies first, where a projected table shows them without scrolling.
COLUMNS = {"student": N_("student"), "run": N_("run"), "final val accuracy": N_("final val accuracy"),
           "best val accuracy": N_("best val accuracy"), "optimizer": N_("optimizer"),
           "regularizers": N_("regularizers"), "preset": N_("preset"), "best epoch": N_("best epoch"),
           "epochs": N_("epochs"), "handed in": N_("handed in")}
PERCENT_COLUMNS = ("final val accuracy", "best val accuracy")
# Sized for a projector: 1280 x 720 with the sidebar folded holds the table and the accuracy chart side by side.
CHART_HEIGHT = 300
TABLE_HEIGHT = 300


def board_link(app_url: str | None, code: str) -> str:
    """The address that opens a class's board. st.context.url is the app's address, or, on a first visit straight
    to the page, the page's own."""
    base = (app_url or "").split("?")[0].rstrip("/").removesuffix(f"/{URL_PATH}")
    return f"{base}/{URL_PATH}?{PARAM}={code}"


def flash(message: str) -> None:
    """A line to show once, above the board, after the rerun that an action causes."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message, icon=":material/check:")


def refuse(error: Exception) -> None:
    """A refusal in one line; it may quote what was typed, so it is shown as plain text."""
    st.error(plain(str(error)), icon=":material/block:")


def colour(optimizer: str, others: list[str]) -> str:
    return OPTIMIZER_COLOURS.get(optimizer) or PALETTE[others.index(optimizer) % len(PALETTE)]


def entry_label(entry: dict) -> str:
    """An entry in a chart: who and which run, escaped for Plotly."""
    return plain_html(f"{entry['name']}: {run_name(entry)}")


def accuracy_figure(entries: list[dict]) -> go.Figure:
    """Each run's final validation accuracy as a bar coloured by its optimizer, its best as a diamond."""
    ordered = sorted(entries, key=lambda entry: -entry["final_val_accuracy"])
    optimizers = sorted({entry["optimizer"] for entry in ordered})
    figure = go.Figure()
    labels = [f"{index}. {entry_label(entry)}" for index, entry in enumerate(ordered, start=1)]
    for optimizer in optimizers:
        picked = [(label, entry) for label, entry in zip(labels, ordered) if entry["optimizer"] == optimizer]
        figure.add_trace(go.Bar(x=[label for label, _entry in picked],
                                y=[entry["final_val_accuracy"] for _label, entry in picked],
                                name=plain_html(optimizer), marker_color=colour(optimizer, optimizers)))
    figure.add_trace(go.Scatter(x=labels, y=[entry["best_val_accuracy"] for entry in ordered], mode="markers",
                                name=_("best epoch"), marker=dict(symbol="diamond", size=10, color="black")))
    low = min(min(entry["final_val_accuracy"], entry["best_val_accuracy"]) for entry in ordered)
    figure.update_xaxes(categoryorder="array", categoryarray=labels, showticklabels=len(labels) <= 12)
    shown = [max(0.0, low - 0.02), 1.0]
    figure.update_yaxes(title_text=_("validation accuracy"), range=shown, **percent_axis(shown))
    figure.update_layout(height=CHART_HEIGHT, barmode="overlay", margin=dict(t=30, b=10, l=10, r=10),
                         title=_("Final and best val accuracy"),
                         legend=dict(orientation="h", y=-0.25))
    return figure


def curves_figure(entries: list[dict]) -> go.Figure:
    """Every run's validation accuracy per epoch, coloured by optimizer (one legend entry per optimizer)."""
    optimizers = sorted({entry["optimizer"] for entry in entries})
    figure, shown = go.Figure(), set()
    for entry in sorted(entries, key=lambda entry: entry["optimizer"]):
        curves = entry["curves"]
        figure.add_trace(go.Scatter(x=curves["epoch"], y=curves["val_accuracy"], mode="lines+markers",
                                    name=plain_html(entry["optimizer"]), legendgroup=plain_html(entry["optimizer"]),
                                    showlegend=entry["optimizer"] not in shown, hovertext=entry_label(entry),
                                    line=dict(color=colour(entry["optimizer"], optimizers))))
        shown.add(entry["optimizer"])
    last = max((max(entry["curves"]["epoch"], default=1) for entry in entries), default=1)
    figure.update_xaxes(title_text=_("epoch"), tick0=0, dtick=epoch_tick_step(last))
    figure.update_yaxes(title_text=_("validation accuracy"),
                        **percent_axis([value for entry in entries for value in entry["curves"]["val_accuracy"]]))
    figure.update_layout(height=CHART_HEIGHT, margin=dict(t=30, b=10, l=10, r=10),
                         title=_("Validation accuracy per epoch"), legend=dict(orientation="h", y=-0.25))
    return figure


def clock_time(timestamp: float, zone: str | None) -> str:
    """The time of day of `timestamp` in the reader's time zone (`zone`, their browser's); in UTC, and said so,
    when the browser did not say its zone or said one that does not exist. The server's own clock is nobody's:
    on a hosted server it is UTC, shown to a class in Seoul as if it were theirs."""
    if zone:
        try:
            return datetime.datetime.fromtimestamp(timestamp, zoneinfo.ZoneInfo(zone)).strftime("%H:%M:%S")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%H:%M:%S UTC")


def board_table(entries: list[dict], zone: str | None = None) -> pd.DataFrame:
    """The board's rows for a reader in time zone `zone` (see clock_time)."""
    rows = board_rows(entries)
    for row in rows:
        row["handed in"] = clock_time(row["handed in"], zone)
        for key in PERCENT_COLUMNS:  # in percent: every cell shows two decimals, and sorting stays by number
            row[key] = 100 * row[key]
    return pd.DataFrame(rows, columns=list(COLUMNS)).rename(columns={key: _(name) for key, name in COLUMNS.items()})


def draw_board(found: SchoolClass) -> None:
    """The summary, the sortable table and the two charts of a class's entries."""
    st.markdown(board_summary(found.entries, len(found.members), show=plain))
    if not found.entries:
        return
    if sentence := optimizer_summary(found.entries):
        st.markdown(sentence)
    percent = st.column_config.NumberColumn(format="%.2f%%")
    table, chart = st.columns([0.6, 0.4])
    table.dataframe(board_table(found.entries, st.context.timezone), hide_index=True, height=TABLE_HEIGHT, key="board_table",
                    column_config={_(COLUMNS[key]): percent for key in PERCENT_COLUMNS})
    chart.plotly_chart(accuracy_figure(found.entries), key="board_accuracy_chart")
    st.plotly_chart(curves_figure(found.entries), key="board_curves_chart")


def teacher_controls(found: SchoolClass, token: str) -> None:
    """Remove any run from the board; close the class, then delete it. One control above the other: the expander
    sits in half the page's width."""
    with st.expander(_("Teacher controls"), icon=":material/admin_panel_settings:"):
        by_id = {entry["id"]: entry for entry in found.entries}
        if by_id:
            picked = st.selectbox(_("Run to remove from the board"), list(by_id), key=entries_key("board_remove", by_id),
                                  format_func=lambda entry_id: f"{by_id[entry_id]['name']}: {run_name(by_id[entry_id])}")
            if st.button(_("Remove from the board"), key="board_remove"):
                act(lambda: remove_entry(found.code, token, picked), _("The run is off the board."))
        else:
            st.caption(_("No run has been handed in yet."))
        if not found.closed:
            sure = st.checkbox(_("Nobody may join, hand in or withdraw any more"), key="board_close_confirm")
            if st.button(_("Close the class"), key="board_close", disabled=not sure):
                act(lambda: close_class(found.code, token), _("The class is closed; its board stays readable."))
        elif st.button(_("Delete this closed class"), key="board_delete"):
            act(lambda: delete_class(found.code, token), _("The class is deleted."), leave=True)


def withdraw_controls(found: SchoolClass, token: str) -> None:
    own = {entry["id"]: entry for entry in found.own_entries(token)}
    if not own or found.closed:
        return
    left, right = st.columns([0.7, 0.3], vertical_alignment="bottom")
    picked = left.selectbox(_("Your run to withdraw"), list(own), key=entries_key("board_withdraw", own),
                            format_func=lambda entry_id: run_name(own[entry_id]))
    if right.button(_("Withdraw"), key="board_withdraw"):
        act(lambda: remove_entry(found.code, token, picked), _("Your run is off the board."))


def class_state(found: SchoolClass) -> str:
    """How many have joined and whether the class is open: read with the board, so it follows it. With no run
    handed in yet, the board's own sentence says how many have joined, so this says only whether it is open."""
    closed = _("Closed: the board can be read, not changed.") if found.closed else _("Open.")
    if not found.entries:
        return closed
    students = ngettext("{n} student", "{n} students", len(found.members)).format(n=len(found.members))
    return f"{students}. {closed}"


def entries_key(name: str, entries: dict) -> str:
    """A picker's key for this set of entries: when runs arrive or leave, the picker starts afresh on the new list
    (a picker first drawn with no entries would otherwise keep its empty choice and open on nothing)."""
    return f"{name}_{hashlib.sha1(' '.join(sorted(entries)).encode()).hexdigest()[:12]}"


def act(change, done: str, leave: bool = False) -> None:
    """Make a change to the class; on success say so and redraw the whole page, else say why not."""
    try:
        change()
    except ClassError as error:
        refuse(error)
        return
    flash(done)
    if leave:
        st.session_state.pop(OPEN_KEY, None)
        st.query_params.pop(PARAM, None)
    st.rerun()


def show_live_board(code: str, token: str, link: str | None = None) -> None:
    """The board and the controls that act on its entries, reread from disk every few seconds; for the teacher,
    the class's `link` beside their controls."""

    @st.fragment(run_every=settings().board_refresh_seconds)
    def live() -> None:
        try:
            found = load_class(code)
        except ClassError as error:
            refuse(error)
            return
        role = found.role(token)
        st.caption(class_state(found))
        if role == TEACHER:
            shown, controls = st.columns(2)
            shown.code(link or "", language=None, wrap_lines=True)
            with controls:
                teacher_controls(found, token)
        else:
            withdraw_controls(found, token)
        draw_board(found)

    live()


def hand_in_button(run: Run, token: str) -> None:
    """"Hand it in to class CODE" under a finished run (the Train page), once this session has opened a class."""
    code = st.session_state.get(OPEN_KEY)
    if code is None or snapshot_refusal(run) is not None:
        return
    if st.button(_("Hand it in to class {code}").format(code=code), key="train_hand_in", icon=":material/groups:"):
        try:
            hand_in(code, token, run.run_id)
        except ClassError as error:
            refuse(error)
        else:
            st.success(_("The run is on the board of class {code}.").format(code=code), icon=":material/check:")
