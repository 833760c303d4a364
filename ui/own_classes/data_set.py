"""Your own classes: the learner's data set, as plain data kept with the workspace. Not a page itself.

The set is a dict: the class names in order and, per class, its examples as (id, (28, 28) uint8 white-on-black
image). Ids never repeat, so a remove button removes the example it was drawn under even after others went.
The functions that change the set take it as an argument and raise ImageSetError with a message for the
learner, so tests call them without a page; ui.own_classes.set_view and ui.own_classes.adders draw the widgets that call them through
`change_set`, which applies a change to the set as it is now in the workspace's folder and saves it there
(lib.runs.own_sets), so a reload or a second tab of the same browser shows it. Each session keeps its copy in
`st.session_state[SET_KEY]` and reads the folder again only when another session changed it.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import numpy as np
import streamlit as st

from lib.engine.image_sets import ImageSetError
from lib.engine.labelled_images import MAX_IMAGES, ImageSet, build_image_set, check_class_name
from lib.i18n import _, ngettext
from lib.runs.own_sets import load_own_set, own_set_stamp, save_own_set
from ui.workspace import workspace_token

SET_KEY = "own_set"
STAMP_KEY = "own_set_stamp"  # the stored file's (time, size) this session's copy was read or written at
NOTE_KEY = "own_set_note"  # a line for the visitor when the stored set could not be read back
# Two tabs of one workspace change its set one at a time: each change reads the set as the other left it.
_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_LOCKS_LOCK = threading.Lock()
# The page holds 2 to 10 classes; the command line (python -m lib.cli --data) trains on more.
MIN_CLASSES, MAX_CLASSES = 2, 10


def empty_set() -> dict:
    return {"classes": [], "examples": {}, "next_id": 0, "version": 0}


def example_set() -> dict:
    """This workspace's set: this session's copy, read again from the workspace's folder when another session
    (a second tab, an earlier visit) changed it there; empty when there is none."""
    token = workspace_token()
    stamp = own_set_stamp(token)
    if SET_KEY not in st.session_state or st.session_state.get(STAMP_KEY) != stamp:
        stored, note = load_own_set(token) if stamp is not None else (None, None)
        if note:
            st.session_state[NOTE_KEY] = note
        st.session_state[SET_KEY] = stored or empty_set()
        st.session_state[STAMP_KEY] = stamp
    return st.session_state[SET_KEY]


def stored_set_note() -> str | None:
    """Once, the line saying the stored set could not be read back."""
    return st.session_state.pop(NOTE_KEY, None)


def change_set(change, *args):
    """Apply `change(examples, *args)` (add_class, add_examples, ...) to this workspace's set as it is now, and
    keep the set in the workspace's folder when it changed; return what `change` returns. A set that cannot be
    written (a full disk) stays in this session, and the page says so once."""
    token = workspace_token()
    with _LOCKS_LOCK:
        lock = _LOCKS[token]
    with lock:
        examples = example_set()
        version = examples["version"]
        try:
            return change(examples, *args)
        finally:
            if examples["version"] != version:
                try:
                    save_own_set(token, examples)
                except (OSError, ImageSetError) as error:
                    st.session_state[NOTE_KEY] = _("Your set could not be kept with your workspace ({error}): it "
                                                   "stays in this tab only. Download it to keep it.").format(
                        error=getattr(error, "strerror", None) or error)
                st.session_state[STAMP_KEY] = own_set_stamp(token)


def total_examples(examples: dict) -> int:
    return sum(len(items) for items in examples["examples"].values())


def _changed(examples: dict) -> None:
    examples["version"] += 1


def add_class(examples: dict, name: str) -> str:
    """Add a class at the end; return its name as kept (trimmed). Raises ImageSetError saying what is wrong."""
    name = check_class_name(name)
    if any(name.casefold() == other.casefold() for other in examples["classes"]):
        raise ImageSetError(_("There is already a class {name!r}: each class needs a name of its own "
                              "(capitals do not count, as on many computers' folders).").format(name=name))
    if len(examples["classes"]) >= MAX_CLASSES:
        raise ImageSetError(_("This page holds at most {most} classes: remove one before adding {name!r}.").format(
            most=MAX_CLASSES, name=name))
    examples["classes"].append(name)
    examples["examples"][name] = []
    _changed(examples)
    return name


def remove_class(examples: dict, name: str) -> None:
    if name in examples["classes"]:
        examples["classes"].remove(name)
        examples["examples"].pop(name, None)
        _changed(examples)


def add_examples(examples: dict, name: str, images) -> int:
    """Append (28, 28) uint8 images to a class; return how many. Refused whole when the set would grow too big."""
    images = [np.asarray(image, dtype=np.uint8) for image in images]
    if name not in examples["classes"]:
        raise ImageSetError(_("There is no class {name!r}: add it first.").format(name=name))
    if any(image.shape != (28, 28) for image in images):
        raise ImageSetError(_("Examples must be prepared 28 x 28 images."))
    if total_examples(examples) + len(images) > MAX_IMAGES:
        raise ImageSetError(_("The set would hold {count:,} examples, more than the {most:,} it may: remove some "
                              "first.").format(count=total_examples(examples) + len(images), most=MAX_IMAGES))
    for image in images:
        examples["examples"][name].append((examples["next_id"], image))
        examples["next_id"] += 1
    _changed(examples)
    return len(images)


def remove_example(examples: dict, example_id: int) -> None:
    for items in examples["examples"].values():
        for position, (item_id, _image) in enumerate(items):
            if item_id == example_id:
                del items[position]
                _changed(examples)
                return


def to_image_set(examples: dict) -> ImageSet:
    """The set as the engine's ImageSet (classes in their order); ImageSetError when it cannot be trained on."""
    if len(examples["classes"]) < MIN_CLASSES:
        raise ImageSetError(_("A set needs at least {least} classes to tell apart; it has {count}.").format(
            least=MIN_CLASSES, count=len(examples["classes"])))
    empty = [name for name in examples["classes"] if not examples["examples"][name]]
    if empty:
        raise ImageSetError(ngettext("The class {names} has no examples yet.", "The classes {names} have no examples yet.",
                                     len(empty)).format(names=", ".join(empty)))
    return build_image_set({name: [image for _id, image in examples["examples"][name]]
                            for name in examples["classes"]})


def load_image_set(examples: dict, image_set: ImageSet, replace: bool, source: str | None = None) -> str:
    """Put an ImageSet into the set (replacing it, or merging by class name); return what was done, in words.

    `source` names where the images came from in that sentence ("the zip" when not given).
    """
    source = source or _("the zip")
    names = list(image_set.class_names)
    was_empty = not examples["classes"]
    if replace:
        if len(names) > MAX_CLASSES:
            raise ImageSetError(_("it has {count} classes; this page holds at most {most}. The command line "
                                  "trains on more: python -m lib.cli --data your.zip").format(count=len(names),
                                                                                               most=MAX_CLASSES))
        if len(image_set.labels) > MAX_IMAGES:
            raise ImageSetError(_("it holds {count:,} images, more than the {most:,} a set may.").format(
                count=len(image_set.labels), most=MAX_IMAGES))
        fresh = empty_set()
        fresh["next_id"], fresh["version"] = examples["next_id"], examples["version"]
        examples.clear()
        examples.update(fresh)
    existing = {name.casefold(): name for name in examples["classes"]}
    new = [name for name in names if name.casefold() not in existing]
    if len(examples["classes"]) + len(new) > MAX_CLASSES:
        raise ImageSetError(_("Merged, the set would have {count} classes; this page holds at most {most}. Replace "
                              "the set instead, or remove classes first.").format(
            count=len(examples["classes"]) + len(new), most=MAX_CLASSES))
    if total_examples(examples) + len(image_set.labels) > MAX_IMAGES:
        raise ImageSetError(_("Merged, the set would hold {count:,} examples, more than the {most:,} it may.").format(
            count=total_examples(examples) + len(image_set.labels), most=MAX_IMAGES))
    for name in new:
        add_class(examples, name)
    for index, name in enumerate(names):
        add_examples(examples, existing.get(name.casefold(), name), image_set.images[image_set.labels == index])
    images = ngettext("{n:,} image", "{n:,} images", len(image_set.labels)).format(n=len(image_set.labels))
    classes = ngettext("{n} class", "{n} classes", len(names)).format(n=len(names))
    if was_empty:
        return _("Loaded {source}: {classes}, {images}.").format(source=source, classes=classes, images=images)
    if replace:
        return _("Replaced the set with {source}: {classes}, {images}.").format(source=source, classes=classes,
                                                                               images=images)
    if new:
        return _("Merged {source} into the set: {images} added; new classes: {names}.").format(
            source=source, images=images, names=", ".join(new))
    return _("Merged {source} into the set: {images} added to the classes of the same names.").format(
        source=source, images=images)
