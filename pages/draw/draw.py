"""Draw a digit: a trained LeNet-5 reads it, step by step and from the inside."""

import numpy as np
import plotly.express as px
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from lib.explore.drawing import EmptyDrawingError, preprocess_drawing, preprocess_photo
from lib.explore.images import ImageInputError, enlarge, load_upload, preview
from lib.i18n import N_, _, ngettext
from lib.plain_text import plain, plain_html
from ui.digits import class_names, classifier, model_catalogue, names_digits, remember_drawing
from ui.explain_views import show_explanation
from ui.layout import captioned_image
from ui.model_card import show_model_card
from ui.pictures import kernel_slices, map_grid
from ui.warmup import models_deferred, wait_for_models

SOURCES = {"Draw": N_("Draw"), "Photo of a digit": N_("Photo of a digit")}  # value: what the choice shows
# The comparison table's columns (ids) as people read them.
COMPARE_COLUMNS = {"model": N_("model"), "prediction": N_("prediction"), "confidence": N_("confidence")}

st.title(_("Draw a digit"))
catalogue = model_catalogue()  # {model path: label}
if not catalogue:
    st.error(_("No trained model was found in saved_models/ or your runs. Train one on the Training page."))
    st.stop()
left, right = st.columns([1, 1])
# The choices sit right of the canvas, beside each other, so the canvas and the answer under them fit a 720 px
# screen: above the canvas they pushed its bottom below the fold.
with right:
    source_col, model_col = st.columns(2)
    source = source_col.radio(_("Input"), list(SOURCES), key="draw_source",
                              format_func={value: _(shown) for value, shown in SOURCES.items()}.get)
    chosen = model_col.selectbox(_("Read with"), list(catalogue), format_func=catalogue.get, key="draw_model")
# The preprocessing switches sit with the steps they switch, under the canvas; they are read first
# because the digit is prepared with them.
steps_area = st.container()
with steps_area:
    st.subheader(_("Preprocessing steps (as MNIST was made)"))
    crop_col, centre_col = st.columns(2)
    crop = crop_col.checkbox(_("Crop to the ink and scale to 20 px"), True, key="draw_crop")
    centre = centre_col.checkbox(_("Centre by mass in 28x28"), True, key="draw_centre")
with left:
    try:
        if source == "Draw":
            width = st.session_state.get("draw_width", 20)  # the slider is drawn under the canvas
            canvas = st_canvas(stroke_width=width, stroke_color="#FFFFFF", background_color="#000000",
                               height=280, width=280, drawing_mode="freedraw", return_image_data=True,
                               key="draw_canvas")
            st.caption(_("Draw in white on black. The toolbar above the canvas undoes, redoes and clears (bin "
                         "icon)."))
            st.slider(_("Stroke width"), 6, 40, 20, key="draw_width")
            if canvas.image_data is None:
                raise EmptyDrawingError(_("The canvas is empty: draw a digit first."))
            digit = preprocess_drawing(canvas.image_data, crop, centre)
        else:
            upload = st.file_uploader(_("A photo of one digit, written dark on light paper"),
                                      type=["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"],
                                      key="draw_photo")
            if upload is None:
                raise EmptyDrawingError(_("Upload a photo of a digit to read it."))
            photo = load_upload(upload.getvalue(), upload.name)
            shown = preview(photo.pixels, 280)
            st.image(shown, caption=plain(upload.name), width=shown.shape[1])
            digit = preprocess_photo(photo.pixels, crop, centre)
    except (EmptyDrawingError, ImageInputError) as problem:
        digit = None
        message = str(problem)

with right:
    if models_deferred():  # a cold server's first page: the canvas now, the model's parts once it is loaded
        wait_for_models()
        st.stop()
    label, model = catalogue[chosen], classifier(chosen)
    if digit is None:
        st.info(message)
    else:
        remember_drawing(digit.image)
        probabilities = model.predict_proba(digit.image)[0]
        guess, names = int(probabilities.argmax()), class_names(model)
        st.metric(_("Prediction"), plain(names[guess]), _("{confidence:.1%} confident").format(
            confidence=probabilities[guess]), delta_color="off", delta_arrow="off")
        # A run trained on classes of its own names them; the axis says "class" for those, "digit" for MNIST's.
        chart = px.bar(x=[plain_html(name) for name in names], y=probabilities, range_y=[0, 1],
                       labels={"x": _("digit") if names_digits(model) else _("class"), "y": _("probability")})
        chart.update_layout(height=200, margin=dict(t=10, b=10), xaxis=dict(type="category"))  # in the first screen
        st.plotly_chart(chart, key="draw_probabilities")
        for note in digit.notes:
            st.warning(note)

if digit is None:
    show_model_card(label, model)
    st.stop()

with steps_area:
    st.caption(_("Switch steps off above to see how much each one matters to the prediction. "
                 "Gray: black 0, white 255, the pixel values LeNet-5 is given."))
    for column, (caption, image) in zip(st.columns(len(digit.steps)), digit.steps):
        shown = enlarge(image, 112, (0, 255))  # its longer side 112 px, its shape kept
        captioned_image(column, shown, caption, width=shown.shape[1])

show_explanation(model, digit.image, probabilities, key="draw_why")

if st.toggle(_("Compare models: read this drawing with every model"), key="draw_compare"):
    import pandas as pd  # here, not atop the page: a cold deep link shows the canvas before pandas loads

    rows = []
    with st.spinner(_("Reading with every model...")):
        for path, name in catalogue.items():
            reader = classifier(path)
            probabilities = reader.predict_proba(digit.image)[0]
            rows.append({"model": name, "prediction": class_names(reader)[int(probabilities.argmax())],
                         "confidence": float(probabilities.max())})
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="draw_compare_table",
                 column_config={"model": st.column_config.TextColumn(_(COMPARE_COLUMNS["model"])),
                                "prediction": st.column_config.TextColumn(_(COMPARE_COLUMNS["prediction"])),
                                "confidence": st.column_config.ProgressColumn(_(COMPARE_COLUMNS["confidence"]),
                                                                              min_value=0, max_value=1,
                                                                              format="percent")})

st.subheader(_("Inside the network"))
link_left, link_right = st.columns(2)
link_left.page_link("pages/draw/receptive.py", label=_("Receptive fields: what each unit of this digit's maps sees"),
                    icon=":material/center_focus_strong:")
link_right.page_link("pages/operations/conv_layer.py",
                     label=_("Conv layer: conv1's kernels on this digit, step by step"), icon=":material/layers:")
maps = model.feature_maps(digit.image)
if not maps:
    st.caption(_("This model has no convolutional layers: it flattens the image straight away."))
for name, activation in maps.items():
    st.markdown(ngettext("**{name}**: {height}x{width}, {channels} channel", "**{name}**: {height}x{width}, "
                         "{channels} channels", activation.shape[2]).format(
        name=name, height=activation.shape[0], width=activation.shape[1], channels=activation.shape[2]))
    map_grid(activation, "", shared_scale=True)
kernels = model.first_kernels()
if kernels is not None:
    st.markdown(_("**The first layer's learned 5x5 kernels** (blue positive, red negative, white zero)"))
    st.plotly_chart(kernel_slices(kernels[:, :, np.newaxis, :], width=820, largest=110), key="draw_kernels",
                    width="content")

show_model_card(label, model)
