"""The server's training-job registry, this workspace's job, and the sidebar line about it.

Not a page itself. The registry lives in st.cache_resource, so every session
on this server shares it and jobs outlive any one script run. Jobs belong to
a workspace, so a reloaded page finds its workspace's job again.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import N_, _
from lib.runs.store import runs_dir
from lib.runs.workspaces import remove_stale
from lib.server.jobs import Job, JobRegistry
from lib.settings import HEARTBEAT_SECONDS
from ui.workspace import workspace_token

SIDEBAR_REFRESH_SECONDS = HEARTBEAT_SECONDS  # lib.settings keeps abandon_seconds well above it

JOB_KEY = "train_job_id"
# A job's status as people read it (the status itself is an id: queued, running, finished, ...).
STATUS_NAMES = {"queued": N_("queued"), "running": N_("running"), "finished": N_("finished"),
                "stopped": N_("stopped"), "failed": N_("failed"), "cancelled": N_("cancelled")}


def status_name(status: str) -> str:
    """A job's status in the reader's language."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


@st.cache_resource
def registry() -> JobRegistry:
    # A server that was killed mid-training left half-written runs behind: clear them as it starts again.
    remove_stale(runs_dir())
    return JobRegistry()


def owner() -> str:
    """Jobs belong to this browser's workspace."""
    return workspace_token()


def current_job() -> Job | None:
    """The job this session started, or else the newest of its workspace (after a reload, say)."""
    return registry().get(st.session_state.get(JOB_KEY)) or registry().latest(owner())


def submit(config, demo_workers: int = 0) -> str | None:
    """Queue a job for this workspace; on a limit, say which and return None."""
    from lib.runs.store import RunStorageError
    from lib.server.job_limits import JobLimitError

    try:
        job = registry().submit(config, owner=owner(), demo_workers=demo_workers)
    except (JobLimitError, RunStorageError) as error:
        st.error(str(error))
        return None
    st.session_state[JOB_KEY] = job.job_id
    return job.job_id


def sidebar_job_status() -> None:
    """A line in the sidebar of every page about this session's job; keeps the job alive."""
    job = current_job()
    if job is None or not job.active:
        return

    @st.fragment(run_every=SIDEBAR_REFRESH_SECONDS)
    def status():
        live = current_job()
        if live is None:
            return
        registry().heartbeat(live.job_id)
        if live.status == "queued":
            st.caption(_("Training queued: place {place}").format(place=registry().queue_position(live.job_id)))
        elif live.status == "running":
            st.caption(_("Training: epoch {epoch}/{epochs}").format(epoch=min(live.epoch, live.epochs), epochs=live.epochs))
            st.progress(min(len(live.history) / max(live.epochs, 1), 1.0))
        else:
            st.caption(_("Training {status}.").format(status=status_name(live.status)))

    with st.sidebar:
        status()
