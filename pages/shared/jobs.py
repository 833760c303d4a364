"""The server's training-job registry and the pieces of UI that show a job.

Not a page itself. The registry lives in st.cache_resource, so every session
on this server shares it and jobs outlive any one script run.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lib.jobs import Job, JobRegistry

JOB_KEY = "train_job_id"


@st.cache_resource
def registry() -> JobRegistry:
    return JobRegistry()


def session_id() -> str:
    """A stable id for this browser session, kept in its state."""
    if "train_session_id" not in st.session_state:
        import uuid

        st.session_state.train_session_id = uuid.uuid4().hex
    return st.session_state.train_session_id


def current_job() -> Job | None:
    return registry().get(st.session_state.get(JOB_KEY))


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating..."
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def curves_figure(runs: dict[str, list[dict]], height: int = 360) -> go.Figure:
    """Loss and accuracy per epoch, train (solid) and validation (dashed), one colour per run."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
    for index, (label, rows) in enumerate(runs.items()):
        colour = palette[index % len(palette)]
        epochs = [row["epoch"] for row in rows]
        for column, metric in enumerate(("loss", "accuracy"), start=1):
            for prefix, dash in (("", "solid"), ("val_", "dash")):
                values = [row.get(prefix + metric) for row in rows]
                if any(value is not None for value in values):
                    figure.add_trace(go.Scatter(
                        x=epochs, y=values, mode="lines+markers", line=dict(color=colour, dash=dash),
                        name=f"{label} {'validation' if prefix else 'train'}", legendgroup=label,
                        showlegend=column == 1), row=1, col=column)
    figure.update_xaxes(title_text="epoch")
    figure.update_layout(height=height, margin=dict(t=40, b=10), legend=dict(orientation="h", y=-0.25))
    return figure


def zip_run(path: Path) -> bytes:
    """The whole run folder as a zip, for download."""
    buffer = io.BytesIO()
    path = Path(path)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, Path(path.name) / file.relative_to(path))
    return buffer.getvalue()


def sidebar_job_status() -> None:
    """A line in the sidebar of every page about this session's job; keeps the job alive."""
    job = current_job()
    if job is None or not job.active:
        return

    @st.fragment(run_every=2)
    def status():
        live = current_job()
        if live is None:
            return
        registry().heartbeat(live.job_id)
        if live.status == "queued":
            st.caption(f"Training queued: place {registry().queue_position(live.job_id)}")
        elif live.status == "running":
            st.caption(f"Training: epoch {min(live.epoch, live.epochs)}/{live.epochs}")
            st.progress(min(len(live.history) / max(live.epochs, 1), 1.0))
        else:
            st.caption(f"Training {live.status}.")

    with st.sidebar:
        status()
