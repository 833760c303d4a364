"""The Draw page's model card: test accuracy, confusion matrix and misclassified digits. Not a page itself."""

import numpy as np
import plotly.express as px
import streamlit as st

from lib.engine.data import MnistUnavailableError
from lib.explore.images import enlarge
from lib.runs.store import RunReadError, load_run
from ui.digits import mnist_test
from ui.explain_views import show_explanation


@st.cache_data(max_entries=8, show_spinner="Reading the test set...")
def test_predictions(path: str, _model) -> np.ndarray:
    x_test, _ = mnist_test()
    return _model.predict_batches(x_test).argmax(axis=1)


def show_model_card(label, model) -> None:
    st.subheader(f"Model card: {label}")
    try:
        metrics = load_run(model.path.parent).metrics
    except RunReadError as error:
        metrics = {}
        st.warning(f"No recorded test results: {error}")
    if "test_accuracy" in metrics:
        cols = st.columns(3)
        cols[0].metric("Test accuracy", f"{metrics['test_accuracy']:.2%}")
        cols[1].metric("Parameters", f"{metrics.get('parameters', 0):,}")
        cols[2].metric("Epochs trained", metrics.get("epochs_completed", "-"))
    if "confusion_matrix" in metrics:
        matrix = np.array(metrics["confusion_matrix"])
        figure = px.imshow(matrix, text_auto=True, color_continuous_scale="Blues",
                           labels={"x": "predicted", "y": "true", "color": "images"}, x=list(range(10)), y=list(range(10)))
        figure.update_layout(height=460, margin=dict(t=10), xaxis=dict(dtick=1, side="top"), yaxis=dict(dtick=1))
        st.plotly_chart(figure, key="draw_confusion")
    with st.expander("Misclassified test digits"):
        try:
            x_test, y_test = mnist_test()
        except MnistUnavailableError as error:
            st.info(f"The gallery needs MNIST's test set, which is not at hand: {error}")
            return
        predicted = test_predictions(str(model.path), model)
        wrong = np.flatnonzero(predicted != y_test)
        st.caption(f"{len(wrong)} of {len(y_test):,} test digits are misread. The first 40:")
        st.image([enlarge(x_test[i], 84) for i in wrong[:40]],
                 caption=[f"{y_test[i]} read as {predicted[i]}" for i in wrong[:40]])
    if len(wrong):
        chosen = st.selectbox("Why was one of them misread?", [int(i) for i in wrong[:40]], index=None,
                              placeholder="pick a misread test digit", key="card_why_digit",
                              format_func=lambda i: f"test digit {i}: a {y_test[i]} read as {predicted[i]}")
        if chosen is not None:
            image = x_test[chosen].astype(np.float32)
            show_explanation(model, image, model.predict_proba(image)[0], key="card_why")
