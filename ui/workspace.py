"""This browser's workspace: a token in the URL, kept across pages and reloads. Not a page itself.

The entry file calls `ensure_workspace` on every run, before the page: page
navigation clears the URL's query parameters, so the token is set again each
time. A malformed token (wrong length, not hex, a path, 10 kB of text) is
never used: the browser gets a fresh workspace and a note saying so, at the
top of the page, until the visitor dismisses it. The same place tells a
workspace, once, about jobs that a server restart lost. The notes are kept in
English (a message id, or a LazyText) and translated where they are shown, so
switching the language turns them too.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import N_, _
from lib.runs.workspaces import new_token, valid_token

PARAM = "ws"
TOKEN_KEY = "workspace_token"
NOTES_KEY = "workspace_notes"
BAD_LINK_NOTE = N_("The workspace link in the address was not a valid one, so this browser has a fresh, empty "
                   "workspace. Runs you made in another workspace are under that workspace's own link.")


def ensure_workspace() -> str:
    """The workspace token of this browser, taken from the URL or made, and written back into the URL."""
    given = st.query_params.get(PARAM)
    token = st.session_state.get(TOKEN_KEY)
    if given is not None and given != token:
        token = valid_token(given)
        if token is None:
            add_note(BAD_LINK_NOTE)
    if token is None:
        token = new_token()
    st.session_state[TOKEN_KEY] = token
    if st.query_params.get(PARAM) != token:
        st.query_params[PARAM] = token
    return token


def add_note(note: str) -> None:
    """A note for this browser, shown at the top of every page until dismissed: an English message id (N_) or a
    LazyText, translated where it is shown."""
    notes = st.session_state.setdefault(NOTES_KEY, [])
    if note not in notes:
        notes.append(note)


def dismiss_notes() -> None:
    st.session_state[NOTES_KEY] = []


def show_workspace_notes(token: str) -> None:
    """The workspace's notes in the main area, above the page: a bad link, jobs a restart lost."""
    from ui.jobs import registry  # ui.jobs imports this module

    if lost := registry().lost_job_note(token):
        add_note(lost)
    notes = st.session_state.get(NOTES_KEY) or []
    for note in notes:
        st.warning(str(_(note)), icon=":material/info:")  # a LazyText is not in the catalog: it translates itself
    if notes:
        st.button(_("Dismiss"), key="workspace_notes_dismiss", on_click=dismiss_notes)


def workspace_token() -> str:
    return st.session_state.get(TOKEN_KEY) or ensure_workspace()


def workspace_link(token: str) -> str:
    url = (st.context.url or "").split("?")[0].rstrip("/")
    return f"{url}/?{PARAM}={token}" if url else f"?{PARAM}={token}"


def show_workspace_link(token: str) -> None:
    show_workspace_notes(token)
    with st.sidebar.expander(_("Your workspace")):
        st.caption(_("Your runs are kept in this workspace. Bookmark or copy this link (the copy button is at its "
                     "right) to come back to them. Whoever has the link has the workspace: they can see, share and "
                     "train in it."))
        st.code(workspace_link(token), language=None, wrap_lines=True)
