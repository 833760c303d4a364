"""What a run on a data set of its own records about that set: never where it was, only what it was.

A run is shared with other visitors, so its files must not carry a server path (the app's sets live in the
owner's workspace folder, whose name is the owner's token) nor a local operator's folder (`--data`). Its
config.json records the set as a content digest instead (`sha256:` and 16 hex digits of the images, labels and
class names), beside the class names; metrics.json holds the counts. The examples its test accuracy was
measured on are kept in the run itself (evaluation.npz: uint8 images and their labels), so the model card can
show them to whoever picks the run without reading anything outside it.

Runs written before this recorded the path: `public_config` turns such a value into UNRECORDED wherever a run
is read, so no page can show it. numpy only.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import numpy as np

from lib.engine.image_prep import SIDE
from lib.i18n import _

DATA_FIELDS = ("data", "test_data")
DIGEST_PREFIX = "sha256:"
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{16}")
# What a run written before the digests shows for its data: it was a set of its own, where is not told.
UNRECORDED = "sha256:unrecorded"
EVALUATION_FILE = "evaluation.npz"
# evaluation.npz holds at most the largest set's examples (lib.engine.labelled_images.MAX_IMAGES, 5,000 of 784 bytes):
# a bigger file is not one this app wrote.
MAX_EVALUATION_BYTES = 5000 * SIDE * SIDE * 2 + 2**20


def set_digest(images: np.ndarray, labels: np.ndarray, class_names) -> str:
    """`sha256:` and 16 hex digits of a set's content: the same images, labels and class names, the same digest."""
    digest = hashlib.sha256()
    digest.update("\0".join(map(str, class_names)).encode("utf-8") + b"\1")
    digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes() + b"\1")
    digest.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    return DIGEST_PREFIX + digest.hexdigest()[:16]


def recorded_data(value) -> str:
    """A data field as a run may show it: "" (MNIST), a digest, or UNRECORDED for anything else (a path)."""
    if not value:
        return ""
    return value if isinstance(value, str) and DIGEST_PATTERN.fullmatch(value) else UNRECORDED


def public_config(config: dict) -> dict:
    """`config` with its data fields as a run may show them (see `recorded_data`); the rest as it is."""
    return {**config, **{name: recorded_data(config[name]) for name in DATA_FIELDS if name in config}}


def evaluation_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """evaluation.npz's content: the examples a run's test accuracy was measured on, compressed."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=np.asarray(images, dtype=np.uint8).reshape(-1, SIDE, SIDE),
                        labels=np.asarray(labels, dtype=np.int64).reshape(-1))
    return buffer.getvalue()


class EvaluationUnavailable(ValueError):
    """A run's evaluation examples are not in it or cannot be read; the message is one line, with no path."""


def read_evaluation(run_path: Path, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) from a run's evaluation.npz, checked: uint8 (n, 28, 28) images and labels below `classes`.

    Raises EvaluationUnavailable, in words and without the run's path, when the file is missing or malformed."""
    path = Path(run_path) / EVALUATION_FILE
    try:
        if path.is_symlink() or path.stat().st_size > MAX_EVALUATION_BYTES:
            raise EvaluationUnavailable(_("The examples it was tested on are not stored with this run."))
        with np.load(path, allow_pickle=False) as stored:
            images, labels = stored["images"], stored["labels"]
    except FileNotFoundError as error:
        raise EvaluationUnavailable(_("The examples it was tested on are not stored with this run.")) from error
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise EvaluationUnavailable(_("The examples stored with this run cannot be read.")) from error
    if (images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (SIDE, SIDE)
            or labels.ndim != 1 or len(labels) != len(images) or not np.issubdtype(labels.dtype, np.integer)
            or (len(labels) and (labels.min() < 0 or labels.max() >= classes))):
        raise EvaluationUnavailable(_("The examples stored with this run cannot be read."))
    return images, labels.astype(np.int64)
