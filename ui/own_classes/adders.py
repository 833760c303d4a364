"""Your own classes: the ways examples come into the learner's set (drawn on a canvas, uploaded images, a zip of
class folders) and the one choice of how an image becomes an example. Not a page itself.

Each adder acts on the set through ui.own_classes.data_set's functions (`change_set`) and says what it did, or
why not, in one message where the learner acted (ui.own_classes.messages); bad input changes nothing. Images
are decoded in a worker process (lib.engine.image_set_worker), never the server's own.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.engine.config import FIELDS, PREPARATIONS
from lib.engine.image_set_worker import read_images_in_worker, read_zip_in_worker
from lib.engine.image_sets import ImageSetError, prepare_image
from lib.explore.drawing import EmptyDrawingError, preprocess_drawing
from lib.explore.images import enlarge
from lib.i18n import N_, _, ngettext
from lib.plain_text import plain
from ui.layout import captioned_image
from ui.own_classes.data_set import add_examples, change_set, example_set, load_image_set
from ui.own_classes.messages import next_round, report, show_message, widget_round

CANVAS = 280
# How uploaded, zipped and drawn images become examples (lib.engine.image_prep), chosen once for the set; the run
# records it (TrainingConfig.preparation) and reads new examples the same way.
PREPARATION_KEY = "own_images_preparation"
PREPARATION_NAMES = {"ink": N_("Find the ink (crop, scale to 20 px, centre, white on black)"),
                     "as_is": N_("Use as is (resize to 28 x 28 only)")}


def preparation() -> str:
    """How this set's images are prepared: "ink" or "as_is" (TrainingConfig.preparation's choices)."""
    chosen = st.session_state.get(PREPARATION_KEY, FIELDS["preparation"].default)
    return chosen if chosen in PREPARATIONS else FIELDS["preparation"].default


def show_preparation() -> None:
    """The choice of how images become examples, and what each does."""
    if st.session_state.get(PREPARATION_KEY) not in PREPARATIONS:
        st.session_state[PREPARATION_KEY] = FIELDS["preparation"].default
    shown = {value: _(words) for value, words in PREPARATION_NAMES.items()}
    st.radio(_("How images become examples"), list(PREPARATIONS), key=PREPARATION_KEY,
             format_func=lambda value: shown.get(value, value), help=_(FIELDS["preparation"].metadata["help"]))
    st.caption(_("Find the ink: the paper's level is read from the image's border, and whatever differs from it "
                 "more than the paper's own grain is ink, light or dark, every gray level kept; the ink is then "
                 "cropped, scaled to 20 px and centred, as MNIST was made. Use as is only resizes to 28 x 28: choose "
                 "it when all the images, and those the run will read, are framed alike (the same polarity, the "
                 "object filling the image the same way, as in scans cut to a box). A run reads new examples the "
                 "way it was trained."))


def _prepared_drawing(image_data) -> tuple[np.ndarray | None, str]:
    if image_data is None:
        return None, _("Draw an example on the canvas.")
    try:
        if preparation() == "as_is":
            return prepare_image(image_data, "as_is"), ""
        return preprocess_drawing(image_data).image, ""
    except (EmptyDrawingError, ImageSetError):
        return None, _("The canvas is empty or nearly so: draw an example first.")


def show_draw_adder() -> None:
    """The canvas; one click on "Add to <class>" adds the prepared drawing and clears the canvas."""
    from streamlit_drawable_canvas import st_canvas  # needs a running app: imported where it is drawn

    examples = example_set()
    canvas_col, preview_col = st.columns([1, 1])
    with canvas_col:
        canvas = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=CANVAS,
                           width=CANVAS, drawing_mode="freedraw", return_image_data=True,
                           key=f"own_canvas_{widget_round('canvas')}")
        st.caption(_("Draw in white on black. Point at the canvas for its toolbar: undo, redo and clear."))
    image, why = _prepared_drawing(canvas.image_data)
    with preview_col:
        show_message("draw")
        if image is None:
            st.info(why)
        else:
            caption = (_("As it will be added: 28 x 28, cropped to the ink, scaled to 20 px, centred by mass")
                       if preparation() == "ink" else _("As it will be added: resized to 28 x 28"))
            captioned_image(st, enlarge(image, 112, (0, 255)), width=112, caption=caption)
        if not examples["classes"]:
            st.caption(_("Add a class first: its button appears here."))
        for name in examples["classes"]:
            if st.button(_("Add to {name}").format(name=plain(name)), key=f"own_add_drawing_{name}", disabled=image is None,
                         icon=":material/add_photo_alternate:"):
                try:
                    change_set(add_examples, name, [image])
                except ImageSetError as error:
                    report("error", str(error), "draw")
                else:
                    report("success", _("Added to {name}: it has {count:,} now.").format(
                        name=plain(name), count=len(example_set()["examples"].get(name, []))), "draw")
                next_round("canvas")  # a fresh, empty canvas
                st.rerun()


def read_uploads(files, how: str = "ink") -> tuple[list[np.ndarray], list[str], list[str]]:
    """The uploads prepared (`how`: "ink" or "as_is") as 28 x 28 examples (decoded in a worker process, off the
    server's own); one line for each that could not be read; the names of those that were read but are blank."""
    return read_images_in_worker([(upload.name, upload.getvalue()) for upload in files], preparation=how)


def _listed(items: list[str]) -> str:
    return f"{'; '.join(items[:5])}{'; ...' if len(items) > 5 else ''}"


def show_upload_adder() -> None:
    """Several images at once, added to the class chosen; files that are not images are named and skipped."""
    examples = example_set()
    show_message("upload")
    files = st.file_uploader(_("Images of one class (any size; light on dark or dark on light)"),
                             accept_multiple_files=True, key=f"own_upload_{widget_round('upload')}")
    if not files:
        return
    if not examples["classes"]:
        st.info(_("Add a class first, then the images to it."))
        return
    for name in examples["classes"]:
        label = ngettext("Add {n:,} image to {name}", "Add {n:,} images to {name}", len(files)).format(n=len(files),
                                                                                              name=plain(name))
        if st.button(label, key=f"own_add_upload_{name}", icon=":material/upload:"):
            try:
                images, problems, blank = read_uploads(files, preparation())
            except ImageSetError as error:  # the worker itself was refused, stopped or failed: nothing added
                report("error", str(error), "upload")
                st.rerun()
            message = ""
            if images:
                try:
                    change_set(add_examples, name, images)
                except ImageSetError as error:
                    report("error", str(error), "upload")
                    st.rerun()
                message = ngettext("Added {n:,} image to {name}.", "Added {n:,} images to {name}.",
                                   len(images)).format(n=len(images), name=plain(name))
            if problems:
                skipped = ngettext("Skipped {n:,} file that is not a readable image", "Skipped {n:,} files that are "
                                   "not readable images", len(problems)).format(n=len(problems))
                message = f"{message} {skipped}: {_listed(problems)}."
            if blank:
                skipped = ngettext("Skipped {n} blank image (nothing stands out from its background)",
                                   "Skipped {n} blank images (nothing stands out from their background)",
                                   len(blank)).format(n=len(blank))
                message = f"{message} {skipped}: {_listed(blank)}."
            problems = problems + blank
            report("warning" if images and problems else "success" if images else "error", message.strip(), "upload")
            next_round("upload")
            st.rerun()


def show_zip_loader() -> None:
    """A zip of class folders (the layout of Keras's image_dataset_from_directory), replacing or merging."""
    show_message("zip")
    upload = st.file_uploader(_("A zip of class folders: one folder per class, the images inside"), type=["zip"],
                              key=f"own_zip_{widget_round('zip')}")
    how = st.radio(_("The zip's classes"), ["merge", "replace"], horizontal=True, key="own_zip_mode",
                   format_func={"replace": _("replace the set"),
                                "merge": _("merge into the set (same names add up)")}.get)
    if upload is not None and st.button(_("Load the zip"), key="own_zip_load", icon=":material/folder_zip:"):
        try:
            image_set = read_zip_in_worker(upload.getvalue(), preparation=preparation())
            message = change_set(load_image_set, image_set, how == "replace")
        except ImageSetError as error:
            report("error", _("The zip was not loaded: {error}").format(error=error), "zip")
        else:
            notes = " ".join(image_set.notes)
            report("success", f"{message} {notes}".strip(), "zip")
            next_round("zip")
        st.rerun()
