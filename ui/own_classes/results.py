"""Your own classes: what a trained run learned, and new examples read with it. Not a page itself.

The accuracy, the confusion matrix with the run's class names and the examples it gets wrong come from the
model card the Draw page shows (ui.model_card), so both pages judge a run alike.
"""

from __future__ import annotations

import numpy as np
import plotly.express as px
import streamlit as st

from lib.engine.image_sets import ImageSetError, prepare_image, read_image_bytes
from lib.explore.drawing import EmptyDrawingError, preprocess_drawing
from lib.explore.images import enlarge
from lib.i18n import N_, _
from lib.plain_text import plain, plain_html
from lib.runs.history_file import RunReadError
from lib.runs.store import load_run
from lib.runs.workspaces import workspace_runs
from ui.digits import class_names, classifier, known_classes_note, remember_drawing
from ui.explain_views import show_explanation
from ui.layout import captioned_image
from ui.model_card import show_model_card
from ui.own_classes.training import accuracy_caption
from ui.workspace import workspace_token

READER_SOURCES = {"draw": N_("Draw it"), "upload": N_("Upload an image")}


def own_runs() -> list:
    """This workspace's finished runs trained on a set of their own, newest first."""
    runs, _notes = workspace_runs(workspace_token())
    return [run for run in runs if run.config.get("data") and run.model_path.is_file() and not run.failed]


def choose_run(latest: str | None) -> str | None:
    """The run whose results are shown: this page's last one, or another of the workspace's own-class runs."""
    runs = own_runs()
    paths = [str(run.path) for run in runs]
    if latest and latest not in paths and load_run_or_none(latest) is not None:
        paths.insert(0, latest)
    if not paths:
        return None
    labels = {str(run.path): run.label for run in runs}
    return st.selectbox(_("Results of"), paths, index=paths.index(latest) if latest in paths else 0,
                        format_func=lambda path: labels.get(path, path), key="own_results_run",
                        help=_("Every run trained on this page is kept in your workspace; it is also on History "
                               "and the Draw page."))


def load_run_or_none(path: str):
    try:
        return load_run(path)
    except RunReadError:
        return None


def show_results(run_path: str, metrics_shown: bool = False) -> None:
    """The run's model card, then a new example read with it; `metrics_shown`: its accuracy is on the page already."""
    run = load_run_or_none(run_path)
    if run is None or not run.model_path.is_file():
        st.info(_("This run has no model to read with."))
        return
    model = classifier(str(run.model_path))
    if not metrics_shown:
        accuracy_caption(run.config)
    show_model_card(run.label, model, key="own_card", metrics_row=not metrics_shown, gallery_open=True)
    show_reader(model, str(run.config.get("preparation", "ink")))


def _new_example(source: str, how: str = "ink") -> tuple[np.ndarray | None, str]:
    """The learner's new example as a prepared 28 x 28 image, or None and what to do."""
    if source == "draw":
        from streamlit_drawable_canvas import st_canvas  # needs a running app: imported where it is drawn

        canvas = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=280,
                           width=280, drawing_mode="freedraw", return_image_data=True, key="own_try_canvas")
        st.caption(_("Draw in white on black. Point at the canvas for its toolbar: undo, redo and clear."))
        if canvas.image_data is None:
            return None, _("Draw a new example to read it.")
        try:
            if how == "as_is":
                return prepare_image(canvas.image_data, "as_is"), ""
            return preprocess_drawing(canvas.image_data).image, ""
        except (EmptyDrawingError, ImageSetError):
            return None, _("The canvas is empty or nearly so: draw an example first.")
    upload = st.file_uploader(_("An image of one example (any size; light on dark or dark on light)"),
                              key="own_try_upload")
    if upload is None:
        return None, _("Upload an image to read it.")
    try:
        return read_image_bytes(upload.getvalue(), upload.name, how), ""
    except ImageSetError as error:
        return None, str(error)


def show_reader(model, how: str = "ink") -> None:
    """Draw or upload a new example; the run reads it, prepared as it trained (`how`), with a probability for
    each class."""
    st.subheader(_("Read a new example"))
    source = st.radio(_("New example"), list(READER_SOURCES), horizontal=True, key="own_try_source",
                      format_func=lambda value: _(READER_SOURCES[value]))
    left, right = st.columns(2)
    with left:
        image, why = _new_example(source, how)
    with right:
        if image is None:
            st.info(why)
            return
        remember_drawing(image)  # Receptive fields can look inside the network at it
        names = class_names(model)
        probabilities = model.predict_proba(image)[0]
        guess = int(probabilities.argmax())
        picture, metric = st.columns([1, 2])
        captioned_image(picture, enlarge(image, 84, (0, 255)), _("as the network sees it"), width=84)
        metric.metric(_("Read as"), plain(names[guess]), _("{p:.1%} confident").format(p=probabilities[guess]),
                      delta_color="off", delta_arrow="off")
        chart = px.bar(x=[plain_html(name) for name in names], y=probabilities, range_y=[0, 1],
                       labels={"x": _("class"), "y": _("probability")})
        chart.update_layout(height=260, margin=dict(t=10, b=10), xaxis=dict(type="category"))
        st.plotly_chart(chart, key="own_try_probabilities")
        st.caption(known_classes_note(names, guess, float(probabilities[guess])))
    if st.toggle(_("Why this answer? Occlusion, integrated gradients and counterfactuals"), key="own_try_why"):
        show_explanation(model, image, probabilities, key="own_why")
