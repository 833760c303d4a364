"""A shared run's read-only link: History's address with `?run=<run id>`. Not a page itself.

The link names a run, never a workspace: whoever opens it sees that run on History beside their own, as
every visitor sees shared runs, and can change nothing of it. A run that is not shared (or no longer is) is
not shown through it. The run id is only compared with the listed runs' ids, never made into a path.
"""

from __future__ import annotations

import re

import streamlit as st

from lib.i18n import _

PARAM = "run"
RUN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,99}")


def run_link(run_id: str) -> str:
    """The read-only link to a run, from the page it is shown on (History)."""
    url = (st.context.url or "").split("?")[0].split("#")[0].rstrip("/")
    return f"{url}?{PARAM}={run_id}" if url else f"?{PARAM}={run_id}"


def linked_run_id() -> str | None:
    """The run id a read-only link opened this page with, once: it is taken out of the address as it is read.
    None when there is none, or when it is not a run id (a path, 10 kB of text)."""
    if PARAM not in st.query_params:
        return None
    given = st.query_params.get(PARAM)
    del st.query_params[PARAM]
    return given if isinstance(given, str) and RUN_ID.fullmatch(given) else None


def show_run_link(container, run_id: str) -> None:
    """A popover in `container` with the shared run's link to copy, and what it gives away (nothing to change)."""
    with container.popover(_("Link"), icon=":material/link:"):
        st.caption(_("A read-only link: whoever opens it sees this run on History beside their own runs, and cannot "
                     "change, unshare or delete it. It stops working when you unshare the run."))
        st.code(run_link(run_id), language=None, wrap_lines=True)
