"""Your own classes: the widgets that build the learner's data set (ui.own_set holds it). Not a page itself.

Each widget acts on the set through ui.own_set's functions and says what it did, or why not, in one message
where the learner acted; bad input changes nothing.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.engine.config import FIELDS, PREPARATIONS
from lib.engine.data import MnistUnavailableError
from lib.engine.image_set_worker import read_images_in_worker, read_zip_in_worker
from lib.engine.image_sets import ImageSetError, prepare_image
from lib.engine.labelled_images import MAX_NAME_LENGTH, image_set_zip_bytes, mnist_subset
from lib.explore.drawing import EmptyDrawingError, preprocess_drawing
from lib.explore.images import enlarge
from lib.i18n import N_, _, ngettext
from lib.plain_text import plain
from ui.layout import captioned_image
from ui.own_set import (
    add_class,
    add_examples,
    change_set,
    example_set,
    load_image_set,
    remove_class,
    remove_example,
    stored_set_note,
    to_image_set,
    total_examples,
)

THUMBNAIL = 56  # a 28 x 28 example, each pixel drawn 2 x 2
GRID_COLUMNS = 12
GRID_SHOWN = 48  # per class, unless the learner asks for all: every thumbnail carries a button
GRID_OPEN = 24  # a class with more examples is shown folded
CANVAS = 280
# How uploaded, zipped and drawn images become examples (lib.engine.image_prep), chosen once for the set; the run
# records it (TrainingConfig.preparation) and reads new examples the same way.
PREPARATION_KEY = "own_images_preparation"
PREPARATION_NAMES = {"ink": N_("Find the ink (crop, scale to 20 px, centre, white on black)"),
                     "as_is": N_("Use as is (resize to 28 x 28 only)")}


def _counter(name: str) -> int:
    """A number that is part of a widget's key: raising it gives a fresh, empty widget (canvas, uploader)."""
    return st.session_state.get(f"own_{name}_round", 0)


def _next_round(name: str) -> None:
    st.session_state[f"own_{name}_round"] = _counter(name) + 1


def _report(kind: str, message: str, area: str) -> None:
    """A message shown once, on the next run, where the learner acted (`area`: classes, draw, upload or zip)."""
    st.session_state[f"own_message_{area}"] = (kind, message)


def show_message(area: str) -> None:
    kind, message = st.session_state.pop(f"own_message_{area}", (None, None))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")


def _on_add_class() -> None:
    try:
        name = change_set(add_class, st.session_state.get("own_new_class", ""))
    except ImageSetError as error:
        _report("error", str(error), "classes")
        return
    st.session_state["own_new_class"] = ""
    _report("success", _("Class {name} added.").format(name=plain(repr(name))), "classes")


def _on_starter() -> None:
    try:
        starter = mnist_subset()
    except (MnistUnavailableError, ImageSetError) as error:  # one line, and the set as it was
        _report("error", _("The MNIST starter is not at hand: {error}").format(error=error), "classes")
        return
    message = change_set(load_image_set, starter, True, _("MNIST's digits 0, 1 and 2"))
    _report("success", message, "classes")


def show_classes() -> None:
    """Name a class and add it; each class with its count and a button removing it; the MNIST starter."""
    examples = example_set()
    if note := stored_set_note():
        st.warning(note, icon=":material/warning:")
    show_message("classes")
    with st.form("own_class_form", clear_on_submit=False, border=False):
        name_col, add_col = st.columns([3, 1], vertical_alignment="bottom")
        name_col.text_input(_("New class name"), key="own_new_class", max_chars=MAX_NAME_LENGTH,
                            placeholder=_("for example: circle"),
                            help=_("Up to {most} characters, without slashes; it names the class's folder in the "
                                   "downloaded zip.").format(most=MAX_NAME_LENGTH))
        add_col.form_submit_button(_("Add class"), icon=":material/add:", on_click=_on_add_class,
                                   key="own_add_class", width="stretch")
    if examples["classes"]:
        columns = st.columns(min(len(examples["classes"]), 5))
        for position, name in enumerate(examples["classes"]):
            count = len(examples["examples"][name])
            label = _("Remove {name} ({count:,})").format(name=plain(name), count=count)
            with columns[position % len(columns)]:
                if not count:  # nothing to lose: one click
                    st.button(label, key=f"own_remove_class_{name}", icon=":material/delete:", on_click=change_set,
                              args=(remove_class, name))
                    continue
                with st.popover(label, icon=":material/delete:"):  # its examples would go too: one more click
                    st.button(ngettext("Remove {name} and its {n:,} example", "Remove {name} and its {n:,} examples",
                                       count).format(name=plain(name), n=count), key=f"own_remove_class_{name}",
                              type="primary", on_click=change_set, args=(remove_class, name))
    else:
        st.caption(_("No classes yet: name two or more, or start from three MNIST digits."))
    starter = _("Start from MNIST digits 0-2 only")
    starter_help = _("30 training images each of the digits 0, 1 and 2, to try the whole workflow before drawing "
                     "anything.")
    if not total_examples(examples):
        st.button(starter, key="own_starter", icon=":material/looks_3:", on_click=_on_starter, help=starter_help)
    else:
        with st.popover(starter, icon=":material/looks_3:", help=starter_help):
            st.warning(ngettext("This replaces your set and its {n:,} example: download it first to keep it.",
                                "This replaces your set and its {n:,} examples: download it first to keep it.",
                                total_examples(examples)).format(n=total_examples(examples)))
            st.button(_("Replace my set with MNIST digits 0-2"), key="own_starter", type="primary",
                      on_click=_on_starter)


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
                           key=f"own_canvas_{_counter('canvas')}")
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
                    _report("error", str(error), "draw")
                else:
                    _report("success", _("Added to {name}: it has {count:,} now.").format(
                        name=plain(name), count=len(example_set()["examples"].get(name, []))), "draw")
                _next_round("canvas")  # a fresh, empty canvas
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
                             accept_multiple_files=True, key=f"own_upload_{_counter('upload')}")
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
                _report("error", str(error), "upload")
                st.rerun()
            message = ""
            if images:
                try:
                    change_set(add_examples, name, images)
                except ImageSetError as error:
                    _report("error", str(error), "upload")
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
            _report("warning" if images and problems else "success" if images else "error", message.strip(), "upload")
            _next_round("upload")
            st.rerun()


def show_zip_loader() -> None:
    """A zip of class folders (the layout of Keras's image_dataset_from_directory), replacing or merging."""
    show_message("zip")
    upload = st.file_uploader(_("A zip of class folders: one folder per class, the images inside"), type=["zip"],
                              key=f"own_zip_{_counter('zip')}")
    how = st.radio(_("The zip's classes"), ["merge", "replace"], horizontal=True, key="own_zip_mode",
                   format_func={"replace": _("replace the set"),
                                "merge": _("merge into the set (same names add up)")}.get)
    if upload is not None and st.button(_("Load the zip"), key="own_zip_load", icon=":material/folder_zip:"):
        try:
            image_set = read_zip_in_worker(upload.getvalue(), preparation=preparation())
            message = change_set(load_image_set, image_set, how == "replace")
        except ImageSetError as error:
            _report("error", _("The zip was not loaded: {error}").format(error=error), "zip")
        else:
            notes = " ".join(image_set.notes)
            _report("success", f"{message} {notes}".strip(), "zip")
            _next_round("zip")
        st.rerun()


def show_grid() -> None:
    """Each class's examples as small thumbnails under its count; a click on the cross under one removes it.

    A class is shown open while it is small, and folded (its count in sight) once it holds many examples.
    """
    examples = example_set()
    for name in examples["classes"]:
        items = examples["examples"][name]
        title = ngettext("{name}: {n:,} example", "{name}: {n:,} examples", len(items)).format(name=plain(name), n=len(items))
        with st.expander(title, expanded=len(items) <= GRID_OPEN):
            if not items:
                st.caption(_("No examples yet: draw some, or upload images."))
                continue
            shown = items[-GRID_SHOWN:]
            if len(items) > GRID_SHOWN:
                if st.toggle(_("Show all {n:,}").format(n=len(items)), key=f"own_show_all_{name}"):
                    shown = items
                else:
                    st.caption(_("The newest {shown} are shown.").format(shown=GRID_SHOWN))
            for start in range(0, len(shown), GRID_COLUMNS):
                for column, (example_id, image) in zip(st.columns(GRID_COLUMNS), shown[start:start + GRID_COLUMNS]):
                    column.image(enlarge(image, THUMBNAIL, (0, 255)), width=THUMBNAIL)
                    column.button(":material/close:", key=f"own_remove_{example_id}", help=_("Remove this example"),
                                  on_click=change_set, args=(remove_example, example_id), type="tertiary")


def set_zip_bytes(examples: dict) -> bytes:
    """The set as a zip of class folders of PNGs, made once per version of the set (kept in this session)."""
    cached = st.session_state.get("own_zip_cache")
    if cached is None or cached[0] != examples["version"]:
        cached = (examples["version"], image_set_zip_bytes(to_image_set(examples)))
        st.session_state["own_zip_cache"] = cached
    return cached[1]


def show_download() -> None:
    examples = example_set()
    if not total_examples(examples):
        return
    try:
        data = set_zip_bytes(examples)
    except ImageSetError as error:
        st.caption(_("Download: {why}").format(why=error))
        return
    st.download_button(_("Download the set (.zip of class folders)"), data, file_name="my-classes.zip",
                       mime="application/zip", key="own_download", icon=":material/download:",
                       help=_("One folder per class with its examples as 28 x 28 PNGs: load it back here, share "
                              "it, or train on it with python -m lib.cli --data my-classes.zip."))
