"""A model card: test accuracy, confusion matrix and misclassified examples of a run. Not a page itself.

Shown by the Draw page and by Your own classes. A run trained on MNIST is judged on MNIST's test set; a run
trained on a data set of its own on the examples its test_accuracy was measured on (its held-out test data, else
its validation split), which the run keeps in its own folder (lib.engine.data_record), with its own class names.
"""

import numpy as np
import plotly.express as px
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.engine.data import MnistUnavailableError
from lib.engine.data_record import EvaluationUnavailable
from lib.explore.images import enlarge
from lib.i18n import _, ngettext
from lib.plain_text import plain, plain_html
from lib.runs.history_file import RunReadError
from lib.runs.store import load_run
from ui.digits import class_names, evaluation_examples, mnist_test
from ui.explain_views import show_explanation

SHOWN_WRONG = 40


@st.cache_data(max_entries=8, show_spinner=False)
def _test_predictions(path: str, _model) -> np.ndarray:
    x_test, _labels = mnist_test()
    return _model.predict_batches(x_test).argmax(axis=1)


def test_predictions(path: str, model) -> np.ndarray:
    """The model's answers on MNIST's test set, once per model, under a spinner in the visitor's language (a cache
    decorator's own spinner text is fixed at import); plainly with no visitor (the warm-up thread)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return _test_predictions(path, model)
    with st.spinner(_("Reading the test set...")):
        return _test_predictions(path, model)


@st.cache_data(max_entries=8, show_spinner=False)
def _own_predictions(path: str, mtime: float, _model, _images) -> np.ndarray:
    return _model.predict_batches(_images).argmax(axis=1)


def confusion_figure(matrix: np.ndarray, names: list[str]):
    """A heatmap of a confusion matrix: true classes down, predicted across, each cell its count."""
    shown = [plain_html(name) for name in names]  # class names are the learner's text, never markup
    figure = px.imshow(matrix, text_auto=True, color_continuous_scale="Blues", x=shown, y=shown,
                       labels={"x": _("predicted"), "y": _("true"), "color": _("images")})
    figure.update_layout(height=max(340, min(460, 120 + 36 * len(names))), margin=dict(t=10),
                         xaxis=dict(side="top", type="category", title=_("predicted")),
                         yaxis=dict(type="category", title=_("true")))
    return figure


def _test_examples(config: dict, metrics: dict, model):
    """(images, true labels, predictions, what they are) the card judges the model on; raises to say why not."""
    if config.get("data"):
        images, labels, kind = evaluation_examples(model.path.parent, len(class_names(model)),
                                                   metrics.get("tested_on", ""))
        mtime = model.path.stat().st_mtime if model.path.exists() else 0.0
        where = (ngettext("the {total:,} example of its test data", "the {total:,} examples of its test data",
                          len(labels)) if kind == "test"
                 else ngettext("the {total:,} example held out of its set for validation",
                               "the {total:,} examples held out of its set for validation", len(labels)))
        return images, labels, _own_predictions(str(model.path), mtime, model, images), where
    x_test, y_test = mnist_test()
    return x_test, y_test, test_predictions(str(model.path), model), _("MNIST's {total:,} test digits")


def show_model_card(label, model, key: str = "card", metrics_row: bool = True, gallery_open: bool = False) -> None:
    """The card of the run `model` was loaded from; `metrics_row` False leaves out the accuracy and size (for a
    page that has just shown them), `gallery_open` shows the misread examples unfolded."""
    st.subheader(_("Model card: {label}").format(label=plain(label)))
    names = list(class_names(model))
    try:
        run = load_run(model.path.parent)
        metrics, config = run.metrics, run.config
    except RunReadError as error:
        metrics, config = {}, {}
        st.warning(_("No recorded test results: {error}").format(error=error))
    if metrics_row and "test_accuracy" in metrics:
        cols = st.columns(3)
        cols[0].metric(_("Test accuracy"), f"{metrics['test_accuracy']:.2%}")
        cols[1].metric(_("Parameters"), f"{metrics.get('parameters', 0):,}")
        cols[2].metric(_("Epochs trained"), metrics.get("epochs_completed", "-"))
    if "confusion_matrix" in metrics:
        matrix = np.array(metrics["confusion_matrix"])
        if matrix.shape == (len(names), len(names)):
            st.plotly_chart(confusion_figure(matrix, names), key="draw_confusion" if key == "card" else f"{key}_confusion")
    try:
        images, labels, predicted, where = _test_examples(config, metrics, model)
    except MnistUnavailableError as error:
        st.info(_("The gallery needs MNIST's test set, which is not at hand: {error}").format(error=error))
        return
    except EvaluationUnavailable as error:  # an own-data run written before runs kept them, or a damaged one
        st.info(_("No gallery of misread examples: {error}").format(error=error))
        return
    wrong = np.flatnonzero(predicted != labels)
    with st.expander(_("Misclassified examples"), expanded=gallery_open):
        where = where.format(total=len(labels))
        if not len(wrong):
            st.caption(_("None of {where} is misread.").format(where=where))
        elif len(wrong) <= SHOWN_WRONG:
            st.caption(ngettext("{wrong:,} of {where} is misread:", "{wrong:,} of {where} are misread:",
                                len(wrong)).format(wrong=len(wrong), where=where))
        else:
            st.caption(_("{wrong:,} of {where} are misread. The first {shown}:").format(
                wrong=len(wrong), where=where, shown=SHOWN_WRONG))
        st.image([enlarge(images[i], 84, (0, 255)) for i in wrong[:SHOWN_WRONG]],
                 caption=[_("{true} read as {read}").format(true=plain(names[labels[i]]), read=plain(names[predicted[i]]))
                          for i in wrong[:SHOWN_WRONG]])
    if len(wrong):
        chosen = st.selectbox(_("Why was one of them misread?"), [int(i) for i in wrong[:SHOWN_WRONG]], index=None,
                              placeholder=_("pick a misread example"), key=f"{key}_why_digit",
                              format_func=lambda i: _("example {i}: {true} read as {read}").format(
                                  i=i, true=names[labels[i]], read=names[predicted[i]]))
        if chosen is not None:
            image = images[chosen].astype(np.float32)
            show_explanation(model, image, model.predict_proba(image)[0], key=f"{key}_why")
