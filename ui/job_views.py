"""The views of a training job: live progress with Stop, and the result. Not a page itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from lib.engine.batch_norm import BatchNormLag, diagnose_lag
from lib.engine.config import TrainingConfig
from lib.engine.events import reworded
from lib.i18n import N_, _, ngettext
from lib.runs.archive import zip_run
from lib.runs.history_file import RunReadError
from lib.runs.store import load_run
from lib.server.navigation import page_exists
from lib.settings import settings
from ui.charts import PALETTE, Curves, curves_figure
from ui.class_board import hand_in_button
from ui.jobs import registry, status_name, submit
from ui.widgets import runs_locally
from ui.workspace import shell_path, workspace_token

HISTORY_PAGE = "pages/training/history.py"
CANVAS_PAGE = "pages/draw/draw.py"
# Set to a run id before switching to the History page, which then shows that run beside its nearest book run.
HISTORY_FOCUS_KEY = "history_focus_run"

# The live chart's moving average: batch-to-batch noise hidden, the trend kept.
LIVE_SMOOTHING = 0.6
# How often the live view redraws its progress, and its charts (dearer for the browser to draw), are settings
# (lib.settings: live_refresh_seconds, live_chart_refresh_seconds). Each redraw is a script run on the server:
# cheap since lib.server.heap keeps garbage collections small (benchmarks/bench_server.py).
LIVE_MAX_POINTS = 150


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return _("estimating...")
    seconds = round(seconds)
    if seconds >= 60:
        return _("{minutes} min {seconds:02d} s").format(minutes=seconds // 60, seconds=seconds % 60)
    return _("{seconds} s").format(seconds=seconds)


def thinned(points: list[dict], most: int = LIVE_MAX_POINTS) -> list[dict]:
    """Every k-th point (and the last), so a long run's live chart stays cheap to send and to draw."""
    if len(points) <= most:
        return points
    step = -(-len(points) // most)
    return points[::step] + ([points[-1]] if (len(points) - 1) % step else [])


def progress_text(progress, epochs: int) -> str:
    if progress.phase == "waiting":
        return _("Starting the training process (it loads TensorFlow and MNIST)...")
    if progress.phase == "evaluating" or (progress.phase == "training" and progress.epoch > epochs):
        return _("Evaluating on the test set...")
    if progress.phase == "done":
        return _("Done.")
    if progress.batches and progress.batch >= progress.batches:
        # The epoch's batches are done, but it is not counted done until its validation pass has run.
        return _("Epoch {epoch}/{epochs}: all {batches:,} batches trained, checking the validation images...").format(
            epoch=min(progress.epoch, epochs), epochs=epochs, batches=progress.batches)
    return _("Epoch {epoch}/{epochs}, batch {batch}/{batches}").format(
        epoch=min(progress.epoch, epochs), epochs=epochs, batch=progress.batch, batches=progress.batches)


def progress_fraction(progress, epochs: int) -> float:
    """How full the bar is: the share of this epoch's batches trained; full once training is over."""
    if progress.phase in ("evaluating", "done") or progress.epoch > epochs:
        return 1.0
    return min(progress.batch / progress.batches, 1.0) if progress.batches else 0.0


def show_progress(job) -> None:
    st.progress(progress_fraction(job.chief, job.epochs), text=progress_text(job.chief, job.epochs))
    rate = job.history[-1]["learning_rate"] if job.history else None
    left, middle, right = st.columns(3)
    left.metric(_("Epochs done"), f"{len(job.history)}/{job.epochs}")
    middle.metric(_("Learning rate"), f"{rate:.3g}" if rate else "-")
    right.metric(_("Time left"), format_seconds(job.seconds_left()))


def show_worker(worker, epochs: int) -> None:
    """One worker of the multi-worker demonstration: its own progress and curves."""
    st.markdown(f"**{worker.label}**")
    st.progress(progress_fraction(worker, epochs), text=progress_text(worker, epochs))
    if worker.history:
        last = worker.history[-1]
        st.caption(_("Epoch {epoch}: loss {loss:.4f}, accuracy {accuracy:.4f}").format(
            epoch=last["epoch"], loss=last.get("loss", 0), accuracy=last.get("accuracy", 0)))
    if worker.history or worker.batch_points:
        figure, _plotted = curves_figure([Curves(worker.label, PALETTE[0], worker.history,
                                                 thinned(worker.batch_points))], smoothing=LIVE_SMOOTHING, height=280)
        st.plotly_chart(figure, key=f"demo_curves_{worker.label}", config={"staticPlot": True})


def show_live(job_id: str):
    """Progress and Stop, redrawn every few seconds (a setting); the charts, dearer to draw, less often."""

    @st.fragment(run_every=settings().live_refresh_seconds)
    def live():
        job = registry().get(job_id)
        registry().heartbeat(job_id)
        if not job.active:
            st.rerun()
        if job.status == "queued":
            wait = registry().wait_estimate(job_id)
            place, running = registry().queue_position(job_id), registry().running_count()
            if wait is None:
                st.info(_("Waiting in the queue: place {place} ({running} training now). It starts by itself.").format(
                    place=place, running=running))
            else:
                st.info(_("Waiting in the queue: place {place} ({running} training now). It starts by itself, in "
                          "about {wait}.").format(place=place, running=running, wait=format_seconds(wait)))
        else:
            show_progress(job)
            if not job.demo_workers and job.batch_points:
                st.caption(ngettext("Training loss and accuracy as the batches go ({points} point so far, "
                                    "smoothed), validation after each epoch.",
                                    "Training loss and accuracy as the batches go ({points} points so far, "
                                    "smoothed), validation after each epoch.", len(job.batch_points)).format(
                    points=len(job.batch_points)))
        label = _("Stop (keeps the run so far)") if job.status == "running" else _("Leave the queue")
        if st.button(label, key="train_stop", disabled=job.stop_event.is_set()):
            registry().stop(job_id)
            st.rerun(scope="fragment")

    @st.fragment(run_every=settings().live_chart_refresh_seconds)
    def charts():
        job = registry().get(job_id)
        if job.status != "running":
            return
        if job.demo_workers:
            for column, worker in zip(st.columns(len(job.workers)), job.workers):
                with column:
                    show_worker(worker, job.epochs)
        elif job.history or job.batch_points:
            figure, _plotted = curves_figure([Curves(_("this run"), PALETTE[0], job.history,
                                                     thinned(job.batch_points))], smoothing=LIVE_SMOOTHING, height=360)
            st.plotly_chart(figure, key="train_live_curves", config={"staticPlot": True})

    live()
    charts()



# The model summary's columns (lib.engine.models.model_summary_rows' keys) as people read them; the parameter
# counts with thousands separators.
SUMMARY_COLUMNS = {"layer": N_("layer"), "type": N_("type"), "output shape": N_("output shape"),
                   "parameters": N_("parameters")}


def summary_columns() -> dict:
    columns = {key: st.column_config.Column(_(label)) for key, label in SUMMARY_COLUMNS.items()}
    columns["parameters"] = st.column_config.NumberColumn(_(SUMMARY_COLUMNS["parameters"]), format="localized")
    return columns


def show_result(job, fill_form: Callable[[dict], None] | None = None):
    """The finished job's run: metrics, curves, model summary, download and where to go next.

    `fill_form`, given by a page with a training form, puts a config's values
    into that form; the re-run offered for a lagging batch-norm run uses it, so
    the form shows the settings the new run trains with.
    """
    colour = {"finished": "green", "stopped": "orange"}.get(job.status, "red")
    st.markdown(_("**Last run:** :{colour}[{status}]. {message}").format(colour=colour, status=status_name(job.status),
                                                                         message=reworded(job.message)))
    if not job.run_path:
        return
    try:
        run = load_run(job.run_path)
    except RunReadError as error:
        st.warning(_("The run can no longer be read: {error}").format(error=error))
        return
    metrics = run.metrics
    cols = st.columns(4)
    cols[0].metric(_("Test accuracy"), f"{metrics['test_accuracy']:.2%}" if "test_accuracy" in metrics else "-")
    cols[1].metric(_("Parameters"), f"{metrics['parameters']:,}")
    cols[2].metric(_("Time"), format_seconds(metrics["wall_seconds"]))
    cols[3].metric(_("Epochs"), metrics["epochs_completed"])
    if (lag := diagnose_lag(run.config, run.history)) is not None:
        show_batch_norm_lag(run, lag, fill_form, job.config)
    if run.history:
        figure, _plotted = curves_figure([Curves(run.label, PALETTE[0], run.history)], height=360)
        st.plotly_chart(figure, key="train_result_curves")
    layers = run.layers()
    if layers is None and run.model_path.exists():
        from lib.engine.models import model_summary_rows  # loads TensorFlow: only runs written before layers.json

        layers = model_summary_rows(str(run.model_path))
    if layers:
        with st.expander(_("Model summary")):
            st.dataframe(layers, hide_index=True, column_config=summary_columns())
    st.download_button(_("Download this run (.zip)"), zip_run(run.path), file_name=f"{run.run_id}.zip",
                       mime="application/zip", key="train_download",
                       help=_("The model, its history, config and metrics, and its TensorBoard logs (folder tb)."))
    if runs_locally():
        # Only someone at the server can open its folders or run a command there.
        st.caption(_("The run is in `{path}` (`*`: your workspace's folder). To open its curves in TensorBoard:")
                   .format(path=shell_path(run.path)))
        st.code(f"tensorboard --logdir {shell_path(run.path / 'tb')}", language="bash", wrap_lines=True)
    else:
        st.caption(_("The download holds the run's TensorBoard logs (its folder tb): open them with TensorBoard "
                     "on your own computer."))
    next_left, next_right = st.columns(2)
    if page_exists(HISTORY_PAGE) and next_left.button(_("Compare it on the History page"), key="train_compare",
                                                      icon=":material/show_chart:"):
        # The History page reads this key and shows the run beside its nearest book run.
        st.session_state[HISTORY_FOCUS_KEY] = run.run_id
        st.switch_page(HISTORY_PAGE)
    if page_exists(CANVAS_PAGE):
        next_right.page_link(CANVAS_PAGE, label=_("Try it on the canvas"), icon=":material/draw:")
    hand_in_button(run, workspace_token())


def lag_rerun_config(run, lag: BatchNormLag, trained_with: TrainingConfig) -> TrainingConfig:
    """The run's settings with the suggested momentum; ValueError when they no longer make a config.

    A run records its data set as a digest, never where it was (lib.engine.data_record): the job that trained it,
    this workspace's own, still knows, and the run trains again on the same set."""
    if any(path and not Path(path).exists() for path in (trained_with.data, trained_with.test_data)):
        raise ValueError(_("the set it trained on is no longer kept on this server"))
    values = {**run.config, "data": trained_with.data, "test_data": trained_with.test_data,
              "batch_norm_momentum": lag.suggested_momentum,
              "name": f"{run.config.get('name') or 'batch norm'} (momentum {lag.suggested_momentum:g})"[:200]}
    return TrainingConfig.from_dict(values)


def show_batch_norm_lag(run, lag: BatchNormLag, fill_form: Callable[[dict], None] | None,
                        trained_with: TrainingConfig) -> None:
    """Why validation lags training in this batch-norm run, and one click to train it again with a lower momentum."""
    st.warning(lag.explanation(), icon=":material/info:")
    try:
        config = lag_rerun_config(run, lag, trained_with)
    except ValueError as error:  # a run written by another version of the app
        st.caption(_("It cannot be trained again from here: {error}").format(error=error))
        return
    label = _("Train it again with momentum {momentum:g}").format(momentum=lag.suggested_momentum)
    # The form is filled in the click's callback: by the time the script runs, its widgets may be drawn already.
    on_click = (lambda: fill_form(config.to_dict())) if fill_form else None
    clicked = st.button(label, key="train_rerun_momentum", type="primary", on_click=on_click,
                        help=_("The same settings with only the batch-norm momentum lowered."))
    if clicked and submit(config):
        st.rerun()
