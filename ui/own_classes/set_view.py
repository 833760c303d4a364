"""Your own classes: the set as it stands, its classes named and removed, its examples as thumbnails, and the
set downloaded as a zip. Not a page itself.

Each button acts on the set through ui.own_classes.data_set's functions (`change_set`) and says what it did, or
why not, in one message where the learner acted (ui.own_classes.messages); bad input changes nothing.
"""

from __future__ import annotations

import streamlit as st

from lib.engine.data import MnistUnavailableError
from lib.engine.image_sets import ImageSetError
from lib.engine.labelled_images import MAX_NAME_LENGTH, image_set_zip_bytes, mnist_subset
from lib.explore.images import enlarge
from lib.i18n import _, ngettext
from lib.plain_text import plain
from ui.own_classes.data_set import (
    add_class,
    change_set,
    example_set,
    load_image_set,
    remove_class,
    remove_example,
    stored_set_note,
    to_image_set,
    total_examples,
)
from ui.own_classes.messages import report, show_message

THUMBNAIL = 56  # a 28 x 28 example, each pixel drawn 2 x 2
GRID_COLUMNS = 12
GRID_SHOWN = 48  # per class, unless the learner asks for all: every thumbnail carries a button
GRID_OPEN = 24  # a class with more examples is shown folded


def _on_add_class() -> None:
    try:
        name = change_set(add_class, st.session_state.get("own_new_class", ""))
    except ImageSetError as error:
        report("error", str(error), "classes")
        return
    st.session_state["own_new_class"] = ""
    report("success", _("Class {name} added.").format(name=plain(repr(name))), "classes")


def _on_starter() -> None:
    try:
        starter = mnist_subset()
    except (MnistUnavailableError, ImageSetError) as error:  # one line, and the set as it was
        report("error", _("The MNIST starter is not at hand: {error}").format(error=error), "classes")
        return
    message = change_set(load_image_set, starter, True, _("MNIST's digits 0, 1 and 2"))
    report("success", message, "classes")


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
