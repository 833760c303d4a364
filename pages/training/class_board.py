"""Class board: a teacher opens a class on a short code, students join and hand in runs, the board compares them."""

import streamlit as st

from lib.i18n import _
from lib.plain_text import plain
from lib.runs.class_entries import MAX_DISPLAY_NAME, snapshot, snapshot_refusal
from lib.runs.class_rights import create_class, hand_in, join_class
from lib.runs.classes import CODE_LENGTH, STUDENT, TEACHER, ClassError, checked_code, load_class, valid_code
from lib.runs.workspaces import workspace_runs
from lib.server.guide_controls import label as control_label
from ui.class_board import OPEN_KEY, PARAM, act, board_link, refuse, show_flash, show_live_board
from ui.workspace import workspace_token


def open_class(code: str) -> None:
    st.session_state[OPEN_KEY] = code
    st.query_params[PARAM] = code


def start_forms(token: str) -> None:
    """No class open: create one, or open one by its code."""
    create, join = st.columns(2, border=True)
    create.subheader(_("Teach a class"))
    title = create.text_input(_("Class title"), key="board_title", placeholder=_("e.g. CNN workshop, period 3"))
    if create.button(control_label("board_create"), key="board_create", type="primary"):
        try:
            open_class(create_class(token, title).code)
        except ClassError as error:
            refuse(error)
        else:
            st.rerun()
    join.subheader(_("Join a class"))
    typed = join.text_input(_("Class code"), key="board_code", max_chars=4 * CODE_LENGTH,
                            help=_("{length} letters and digits, from your teacher's link or screen.").format(
                                length=CODE_LENGTH))
    if join.button(_("Open the class"), key="board_open"):
        try:
            open_class(checked_code(typed))
        except ClassError as error:
            refuse(error)
        else:
            st.rerun()


def member_forms(found, token: str, role: str) -> None:
    """Join with a display name; a member hands in one of their finished runs."""
    if found.closed:
        return
    if role == TEACHER:
        return
    if role != STUDENT:
        left, right = st.columns([0.7, 0.3], vertical_alignment="bottom")
        name = left.text_input(_("Your display name in this class"), key="board_name", max_chars=MAX_DISPLAY_NAME,
                               placeholder=_("shown to the whole class"))
        if right.button(_("Join"), key="board_join", type="primary"):
            act(lambda: join_class(found.code, token, name), _("You have joined the class."))
        return
    handed = {entry["run_id"] for entry in found.own_entries(token)}
    runs = [run for run in workspace_runs(token)[0] if run.run_id not in handed and snapshot_refusal(run) is None]
    if not runs:
        st.caption(_("None of your finished MNIST runs is left to hand in: train one on the Train LeNet-5 page."))
        return
    finals = {run.run_id: _("{run}, final val accuracy {accuracy:.2%}").format(
        run=run.label, accuracy=snapshot(run)["final_val_accuracy"]) for run in runs}
    left, right = st.columns([0.7, 0.3], vertical_alignment="bottom")
    picked = left.selectbox(_("Your finished run to hand in"), list(finals), key="board_run", format_func=finals.get)
    if right.button(_("Hand in"), key="board_hand_in", type="primary"):
        act(lambda: hand_in(found.code, token, picked), _("Your run is on the board."))


st.title(_("Class board"))
token = workspace_token()
if (given := st.query_params.get(PARAM)) is not None:
    if valid_code(given):
        st.session_state[OPEN_KEY] = valid_code(given)
    else:
        st.warning(_("The class code in the address is not a valid one."), icon=":material/link_off:")
        st.query_params.pop(PARAM, None)
show_flash()
code = st.session_state.get(OPEN_KEY)
if code is None:
    st.markdown(_("A teacher creates a class and gives its link; each student joins with a name and hands in "
                  "finished runs. The board compares them as they arrive: the book's comparison figures, made by "
                  "the class."))
    start_forms(token)
    st.stop()

try:
    found = load_class(code)
except ClassError as error:
    refuse(error)
    st.session_state.pop(OPEN_KEY, None)
    st.session_state["board_code"] = code
    st.query_params.pop(PARAM, None)
    start_forms(token)
    st.stop()
st.query_params[PARAM] = found.code
role = found.role(token)
heading, leave = st.columns([0.8, 0.2], vertical_alignment="center")
heading.subheader(_("{title} · code {code}").format(title=plain(found.title), code=found.code))
if leave.button(_("Leave this board"), key="board_leave"):
    st.session_state.pop(OPEN_KEY, None)
    st.query_params.pop(PARAM, None)
    st.rerun()
status = {TEACHER: _("You are this class's teacher."),
          STUDENT: _("You are in this class as {name}.").format(name=plain(found.member_name(token) or "")),
          }.get(role, _("You have not joined this class."))
st.caption(status)
member_forms(found, token, role)
show_live_board(found.code, token, board_link(st.context.url, found.code) if role == TEACHER else None)
