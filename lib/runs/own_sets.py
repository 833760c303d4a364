"""The own-classes set a workspace is building, kept in the workspace's folder so a reload or another tab finds it.

The set is the page's plain data (ui.own_classes.data_set): the class names in order and, per class, its examples as
(id, (28, 28) uint8 image), the next id and a version that grows with every change. It is stored as
`<workspace>/.own_set/set.npz` (numpy arrays only, never pickles), written whole: a temporary file beside it,
then one rename, so a reader sees the old set or the new one. Its size is bounded by the image sets' limits
(lib.engine.image_sets: classes, images, 28 x 28 each, at most 5,000 x 784 bytes before compression). A file
that cannot be read back (cut short, edited by hand, from a newer format) reads as no set, with a line saying
so; nothing in it is trusted before it is checked.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from lib.engine.image_sets import SIDE, ImageSetError
from lib.engine.labelled_images import MAX_CLASSES, MAX_IMAGES, check_class_name
from lib.i18n import _
from lib.runs.workspaces import workspace_dir

FOLDER = ".own_set"  # hidden: never a run, and its changes leave the workspace's run listing alone
FILE = "set.npz"
FORMAT = 1
MAX_FILE_BYTES = 2 * MAX_IMAGES * SIDE * SIDE  # a compressed set is far smaller; anything larger is not one


def own_set_path(token: str, root: Path | None = None) -> Path:
    """Where a workspace's set is kept; ValueError for anything but a valid token."""
    return workspace_dir(token, root) / FOLDER / FILE


def own_set_stamp(token: str, root: Path | None = None) -> tuple[int, int] | None:
    """The stored set's (modification time, size): a cheap check of whether another session changed it."""
    try:
        stat = own_set_path(token, root).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def set_arrays(examples: dict) -> dict[str, np.ndarray]:
    """The set as the arrays stored; ImageSetError when it is beyond the limits or not a set."""
    classes = list(examples["classes"])
    if len(classes) > MAX_CLASSES:
        raise ImageSetError(_("The data set has {n} classes; at most {limit} are allowed.").format(
            n=len(classes), limit=MAX_CLASSES))
    ids, labels, images = [], [], []
    for label, name in enumerate(classes):
        for example_id, image in examples["examples"][name]:
            ids.append(int(example_id))
            labels.append(label)
            images.append(np.asarray(image, dtype=np.uint8))
    if len(images) > MAX_IMAGES:
        raise ImageSetError(_("The data set has {n:,} images; at most {limit:,} are allowed.").format(
            n=len(images), limit=MAX_IMAGES))
    if any(image.shape != (SIDE, SIDE) for image in images):
        raise ImageSetError(_("Examples must be prepared 28 x 28 images."))
    return {"format": np.array(FORMAT), "classes": np.array(classes, dtype=str),
            "ids": np.array(ids, dtype=np.int64), "labels": np.array(labels, dtype=np.int64),
            "images": np.array(images, dtype=np.uint8).reshape(len(images), SIDE, SIDE),
            "next_id": np.array(int(examples["next_id"])), "version": np.array(int(examples["version"]))}


def save_own_set(token: str, examples: dict, root: Path | None = None) -> Path:
    """Keep a workspace's set on disk, whole or not at all; ImageSetError when it is beyond the limits."""
    arrays = set_arrays(examples)
    path = own_set_path(token, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _checked(arrays) -> dict:
    """The page's set from stored arrays, every value checked; ValueError naming the first thing wrong."""
    if int(arrays["format"]) != FORMAT:
        raise ValueError("format")
    classes = [check_class_name(str(name)) for name in arrays["classes"].tolist()]
    if len(classes) > MAX_CLASSES or len({name.casefold() for name in classes}) != len(classes):
        raise ValueError("classes")
    ids, labels, images = arrays["ids"], arrays["labels"], arrays["images"]
    count = len(labels)
    if (count > MAX_IMAGES or ids.shape != (count,) or images.shape != (count, SIDE, SIDE)
            or images.dtype != np.uint8 or not np.issubdtype(ids.dtype, np.integer)
            or not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError("arrays")
    next_id, version = int(arrays["next_id"]), int(arrays["version"])
    if count and (labels.min() < 0 or labels.max() >= len(classes) or ids.min() < 0 or ids.max() >= next_id
                  or len(set(ids.tolist())) != count):
        raise ValueError("labels or ids")
    if version < 0:
        raise ValueError("version")
    examples = {name: [] for name in classes}
    for example_id, label, image in zip(ids.tolist(), labels.tolist(), images):
        examples[classes[label]].append((example_id, image.copy()))
    return {"classes": classes, "examples": examples, "next_id": next_id, "version": version}


def load_own_set(token: str, root: Path | None = None) -> tuple[dict | None, str | None]:
    """A workspace's stored set (None when it has none) and a line for the visitor when it could not be read."""
    path = own_set_path(token, root)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError("size")
        with np.load(path, allow_pickle=False) as arrays:
            return _checked(arrays), None
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, KeyError, TypeError, ImageSetError, zipfile.BadZipFile, EOFError):
        return None, _("Your saved set of own classes could not be read back, so the page starts with an empty "
                       "one; the next change you make replaces the unreadable file.")
