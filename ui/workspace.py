"""This browser's workspace: a token kept in a cookie, never in the page's address. Not a page itself.

The entry file calls `ensure_workspace` on every run, before the page. A session takes its token, in this order,
from a private link it was opened with (`?ws=<token>`, adopted and then taken out of the address, so copying
the address afterwards gives nothing away), from the browser's cookie (read by Streamlit as the session
starts: `st.context.cookies`), or makes a new one. Streamlit reads cookies but cannot set them, so
`keep_in_browser` draws a script (`st.html` with `unsafe_allow_javascript`, no iframe, no new dependency) that
writes the cookie on the app's own origin; later sessions, reloads and new tabs, send it. A cookie or a link
that is not a well-formed token (wrong length, not hex, a path, 10 kB of text) is never used. Two tabs opened
at once on a first visit each make a token: the one that writes the cookie second finds the other's there
and, as long as its own workspace is still empty on disk, reloads to join it. Two tabs can also both find no
cookie and both write one: the tab whose cookie was overwritten finds that COOKIE_RECHECK_MS later and joins
the same way.

Moving to another device is the sidebar's private link, shown only when asked for, with a warning: it is the
one place the token is ever shown. The notes (a bad link, a link adopted, jobs a restart lost) are kept in
English (a message id, or a LazyText) and translated where they are shown, so switching the language turns
them too.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import streamlit as st

from lib.i18n import N_, _
from lib.runs.workspaces import TOKEN_LENGTH, new_token, valid_token, workspace_dir

PARAM = "ws"
COOKIE = "cnn_lab_ws"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie (Chrome caps it at 400 days)
COOKIE_RECHECK_MS = 500  # after writing a new token's cookie, when a tab looks whether another tab overwrote it
TOKEN_KEY = "workspace_token"
SOURCE_KEY = "workspace_source"  # where this session's token came from: "link", "cookie" or "new"
NOTES_KEY = "workspace_notes"
SHOW_LINK_KEY = "workspace_show_private_link"
BAD_LINK_NOTE = N_("The private link in the address was not a valid one, so it was not used: this browser keeps "
                   "its own workspace (a fresh, empty one if it had none). Runs you made in another workspace are "
                   "under that workspace's own private link.")
ADOPTED_NOTE = N_("This browser now keeps the workspace of the private link you opened, and the link was taken out "
                  "of the address, so the address can be copied safely.")
ADOPTED_REPLACING_NOTE = N_("This browser now keeps the workspace of the private link you opened, and the link was "
                            "taken out of the address, so the address can be copied safely. The workspace this "
                            "browser had before is reachable only through its own private link.")


def browser_cookie() -> str | None:
    """The workspace cookie this browser sent as the session started (None without one, or outside a browser)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None


def ensure_workspace() -> str:
    """This session's workspace token: from a private link (adopted, then taken out of the address), the
    browser's cookie, or made now."""
    token = st.session_state.get(TOKEN_KEY)
    if PARAM in st.query_params:
        given = st.query_params.get(PARAM)
        del st.query_params[PARAM]  # before anything else is drawn: the address never keeps a token
        adopted = valid_token(given)
        if adopted is None:
            add_note(BAD_LINK_NOTE)
        elif adopted != token:
            before = token or valid_token(browser_cookie())
            if before != adopted:  # an old bookmark of this browser's own workspace needs no word
                add_note(ADOPTED_REPLACING_NOTE if before else ADOPTED_NOTE)
            token = adopted
            st.session_state[SOURCE_KEY] = "link"
    if token is None:
        token = valid_token(browser_cookie())
        st.session_state[SOURCE_KEY] = "cookie" if token else "new"
        token = token or new_token()
    st.session_state[TOKEN_KEY] = token
    return token


def cookie_script(token: str, source: str, fresh: bool) -> str:
    """The script that keeps `token` in this browser's cookie (see the module's docstring).

    `source` is where the session's token came from; `fresh` says its workspace has nothing on disk yet, so a
    session that made its token may give it up for one another tab of this browser wrote first.
    """
    values = json.dumps({"name": COOKIE, "token": valid_token(token), "length": TOKEN_LENGTH,
                         "maxAge": COOKIE_MAX_AGE, "source": source, "fresh": fresh})
    recheck = COOKIE_RECHECK_MS
    return f"""<script>(() => {{
  const v = {values};
  const found = document.cookie.split("; ").find(part => part.startsWith(v.name + "="));
  const current = found ? found.slice(v.name.length + 1) : "";
  const valid = new RegExp("^[0-9a-f]{{" + v.length + "}}$").test(current);
  const write = () => {{
    document.cookie = v.name + "=" + v.token + "; path=/; max-age=" + v.maxAge + "; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }};
  const join = () => {{
    // Once per tab: a cookie the server is not sent (another path's, say) must not reload it forever.
    let joined = true;
    try {{ joined = sessionStorage.getItem(v.name) === "joined"; sessionStorage.setItem(v.name, "joined"); }} catch (e) {{}}
    if (!joined) location.reload();
  }};
  if (!valid || current === v.token) {{
    write();
    // Two tabs can both find no cookie and both write one, the later overwriting the earlier: the tab whose
    // token was overwritten finds that a moment later and joins the other's, as if it had written second.
    if (v.source === "new" && v.fresh) setTimeout(() => {{
      const now = document.cookie.split("; ").find(part => part.startsWith(v.name + "="));
      if (now && now.slice(v.name.length + 1) !== v.token) join();
    }}, {recheck});
    return;
  }}
  if (v.source === "new" && v.fresh) {{ join(); return; }}
  if (v.source === "link") write();
}})();</script>"""


def keep_in_browser(token: str) -> None:
    """Draw the cookie's script (once per session in effect: the same script is not run again on a rerun)."""
    source = st.session_state.get(SOURCE_KEY, "new")
    fresh = source == "new" and not workspace_dir(token).exists()
    with st.sidebar:
        st.html(cookie_script(token, source, fresh), unsafe_allow_javascript=True, width="content")


def add_note(note: str) -> None:
    """A note for this browser, shown at the top of every page until dismissed: an English message id (N_) or a
    LazyText, translated where it is shown."""
    notes = st.session_state.setdefault(NOTES_KEY, [])
    if note not in notes:
        notes.append(note)


def dismiss_notes() -> None:
    st.session_state[NOTES_KEY] = []


def show_workspace_notes(token: str) -> None:
    """The workspace's notes in the main area, above the page: a bad link, a link adopted, jobs a restart lost."""
    from ui.jobs import registry  # ui.jobs imports this module

    if lost := registry().lost_job_note(token):
        add_note(lost)
    notes = st.session_state.get(NOTES_KEY) or []
    for note in notes:
        st.warning(str(_(note)), icon=":material/info:")  # a LazyText is not in the catalog: it translates itself
    if notes:
        st.button(_("Dismiss"), key="workspace_notes_dismiss", on_click=dismiss_notes)


def workspace_token() -> str:
    """The current browser's workspace token: who this visitor is to every page."""
    return st.session_state.get(TOKEN_KEY) or ensure_workspace()


def private_link(token: str) -> str:
    """The address that moves this workspace to another browser: this page's with `?ws=<token>`."""
    url = (st.context.url or "").split("?")[0].split("#")[0].rstrip("/")
    return f"{url}/?{PARAM}={token}" if url else f"?{PARAM}={token}"


def _flip_private_link() -> None:
    st.session_state[SHOW_LINK_KEY] = not st.session_state.get(SHOW_LINK_KEY, False)


def show_workspace_link(token: str) -> None:
    """The notes above the page; in the sidebar, the cookie's script and the private link, shown on request."""
    show_workspace_notes(token)
    keep_in_browser(token)
    with st.sidebar.expander(_("Private link (move to another device)")):
        st.caption(_("This browser keeps your workspace, your runs and your own classes, by itself: the page's "
                     "address holds no key to it, so any address or run link you copy is safe to give away. To "
                     "reach the workspace from another device or browser, open its private link there."))
        shown = st.session_state.get(SHOW_LINK_KEY, False)
        # A button, not a toggle: the sidebar holds no page's controls, only the app's own (tests/test_browser_layout).
        st.button(_("Hide my private link") if shown else _("Show my private link"), key="workspace_private_link",
                  icon=":material/visibility_off:" if shown else ":material/key:", on_click=_flip_private_link)
        if shown:
            st.warning(_("Whoever has this link can change, share and delete your runs and your own classes. Do "
                         "not show it on a projector or paste it where others can read it."), icon=":material/key:")
            st.code(private_link(token), language=None, wrap_lines=True)


def shell_path(path: Path) -> str:
    """`path`, quoted for a shell, with any workspace folder in it written as the glob `*`: commands shown to a
    visitor at the server (TensorBoard's) find the same folder without printing the token on the screen."""
    parts = Path(path).parts
    masked = [index for index, part in enumerate(parts) if valid_token(part)]
    if not masked:
        return shlex.quote(str(path))
    cut = masked[0]
    before, after = Path(*parts[:cut]), Path(*parts[cut + 1:]) if cut + 1 < len(parts) else None
    glob = f"{shlex.quote(str(before))}/*"
    return f"{glob}/{shell_path(after)}" if after is not None else glob
