"""This visitor's language: English or Korean, per session. Not a page itself.

Chosen, in this order, by `?lang=ko|en` in the address (a teacher's Korean link), the sidebar's switch, and
the browser's language (`st.context.locale`: Korean for ko*, English otherwise). The entry file calls
`read_language_from_session` (lib/i18n.py then reads the language from the session's state) and
`choose_language` on every run before anything is drawn; a language given by the link or the switch is
written back into the address each run, because page navigation clears the query parameters (the workspace
token is kept the same way). The choice lives in this session's state, so one visitor's language never
changes another's; lib/i18n.py reads it from there.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import ENGLISH, LANGUAGES, language_of_locale, normalize, use_language_source

PARAM = "lang"
LANGUAGE_KEY = "language"
PINNED_KEY = "language_pinned"  # True once the link or the switch chose: the address then carries it
SWITCH_KEY = "language_switch"


def _session_language() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:  # no visitor in this thread
        return None
    return st.session_state.get(LANGUAGE_KEY)


def read_language_from_session() -> None:
    """Tell lib.i18n to read each visitor's language from their session's state (the entry file calls it first)."""
    use_language_source(_session_language)


def browser_language() -> str:
    try:
        return language_of_locale(st.context.locale)
    except Exception:  # no browser (a test without one)
        return ENGLISH


def choose_language() -> str:
    """This session's language, from the address, the switch or the browser; kept in the address if pinned."""
    given = normalize(st.query_params.get(PARAM))
    if given is not None and (given != st.session_state.get(LANGUAGE_KEY) or not st.session_state.get(PINNED_KEY)):
        st.session_state[LANGUAGE_KEY] = given
        st.session_state[PINNED_KEY] = True
    if st.session_state.get(LANGUAGE_KEY) not in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = browser_language()
    chosen = st.session_state[LANGUAGE_KEY]
    if st.session_state.get(PINNED_KEY) and st.query_params.get(PARAM) != chosen:
        st.query_params[PARAM] = chosen
    if st.session_state.get(SWITCH_KEY) != chosen:
        st.session_state[SWITCH_KEY] = chosen
    return chosen


def _switched() -> None:
    chosen = st.session_state.get(SWITCH_KEY)
    if chosen in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = chosen
        st.session_state[PINNED_KEY] = True
        st.query_params[PARAM] = chosen


# The switch sits at the very top of the sidebar, in the header's empty space left of the collapse button, and
# the page list moves down to make room: Streamlit draws the page list above everything a script puts in the
# sidebar, and with all of this app's pages listed, a switch drawn after them fell below a 720 px screen. A
# visitor who cannot read the current language finds it first. The element is found by its key's class.
SWITCH_STYLE = f"""<style>
[data-testid="stSidebarContent"] .st-key-{SWITCH_KEY} {{
  position: absolute; top: 0.5rem; left: 1.5rem; right: 3.5rem; width: auto; margin: 0; z-index: 1;
}}
[data-testid="stSidebarNav"] {{ margin-top: 1.25rem; }}
</style>"""


def language_switch() -> None:
    """English / 한국어 atop the sidebar; each label in its own language, so either reader finds theirs."""
    st.sidebar.segmented_control("Language / 언어", list(LANGUAGES), format_func=LANGUAGES.get, key=SWITCH_KEY,
                                 on_change=_switched, selection_mode="single", width="stretch")
    st.sidebar.html(SWITCH_STYLE)


def current_language() -> str:
    return st.session_state.get(LANGUAGE_KEY) or ENGLISH
