"""A labelled image set in memory: the ImageSet type, the limits every set is held to, class names, and the
sets built without reading files (the page's drawings, a few MNIST digits), written out as a zip.

An image set is what LeNet-5 trains on instead of MNIST: (n, 28, 28) uint8
images, white ink on black, with a label per image and a name per class,
sorted as Keras's `image_dataset_from_directory` sorts class folders. Reading
sets from folders and zips is lib.engine.image_sets's. numpy and Pillow only.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np
from PIL import Image

from lib.engine.image_prep import SIDE, ImageSetError
from lib.i18n import _, ngettext

MIN_CLASSES = 2
MAX_CLASSES = 50  # the page itself offers 2-10
MAX_IMAGES = 5000
MAX_NAME_LENGTH = 40
# Folders that tools add to archives and that never hold a class (macOS's resource forks).
IGNORED_NAMES = {"__MACOSX"}


@dataclass(frozen=True)
class ImageSet:
    images: np.ndarray  # (n, 28, 28) uint8, white ink on black
    labels: np.ndarray  # (n,) int64, indices into class_names
    class_names: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what was skipped while reading it

    def __post_init__(self):
        images = np.asarray(self.images, dtype=np.uint8).reshape(-1, SIDE, SIDE)
        labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        if len(labels) and (labels.min() < 0 or labels.max() >= len(self.class_names)):
            raise ValueError(f"labels must be between 0 and {len(self.class_names) - 1}")
        images.setflags(write=False)
        labels.setflags(write=False)
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "class_names", tuple(self.class_names))
        object.__setattr__(self, "notes", tuple(self.notes))

    def __eq__(self, other):
        if not isinstance(other, ImageSet):
            return NotImplemented
        return (self.class_names == other.class_names and np.array_equal(self.labels, other.labels)
                and np.array_equal(self.images, other.images))

    def __hash__(self):
        return hash((self.class_names, self.labels.tobytes(), self.images.tobytes()))

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> dict[str, int]:
        """Examples per class, in class order."""
        found = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(count) for name, count in zip(self.class_names, found)}

    def subset(self, indices: np.ndarray) -> ImageSet:
        """The examples at `indices`, with the same class names."""
        return ImageSet(self.images[indices], self.labels[indices], self.class_names, self.notes)


def check_class_name(name: str) -> str:
    """The class name stripped; ImageSetError unless it is 1-40 characters, no path separators or control
    characters, and not a hidden folder's name (".", "..", ".anything", "__MACOSX")."""
    if not isinstance(name, str):
        raise ImageSetError(_("A class name must be text."))
    stripped = name.strip()
    if not stripped:
        raise ImageSetError(_("A class needs a name."))
    if len(stripped) > MAX_NAME_LENGTH:
        raise ImageSetError(_("The class name {name!r} is longer than {limit} characters.")
                            .format(name=stripped[:MAX_NAME_LENGTH] + "...", limit=MAX_NAME_LENGTH))
    if re.search(r"[/\\\x00-\x1f\x7f]", stripped):
        raise ImageSetError(_("The class name {name!r} holds a slash or a control character.").format(name=stripped))
    if stripped.startswith(".") or stripped in IGNORED_NAMES:
        raise ImageSetError(_("The class name {name!r} would be a hidden folder: start it with a letter or digit.")
                            .format(name=stripped))
    return stripped


def check_class_count(count: int) -> None:
    if count < MIN_CLASSES:
        raise ImageSetError(ngettext("The data set has {n} class; it needs at least {least}.",
                                     "The data set has {n} classes; it needs at least {least}.", count)
                            .format(n=count, least=MIN_CLASSES))
    if count > MAX_CLASSES:
        raise ImageSetError(_("The data set has {n} classes; at most {limit} are allowed.")
                            .format(n=count, limit=MAX_CLASSES))


def check_image_count(count: int) -> None:
    if count > MAX_IMAGES:
        raise ImageSetError(_("The data set has {n:,} images; at most {limit:,} are allowed.")
                            .format(n=count, limit=MAX_IMAGES))


def assemble_image_set(per_class: dict[str, list[np.ndarray]], notes: tuple[str, ...] = ()) -> ImageSet:
    """An ImageSet of prepared images, classes sorted by name as Keras sorts class folders."""
    names = sorted(per_class)
    images = [image for name in names for image in per_class[name]]
    labels = [index for index, name in enumerate(names) for _image in per_class[name]]
    return ImageSet(np.stack(images).astype(np.uint8), np.array(labels, dtype=np.int64), tuple(names), notes)


def build_image_set(examples: dict[str, list[np.ndarray]]) -> ImageSet:
    """An image set from already-prepared 28 x 28 images per class name (the page's drawings).

    Class names are checked and must differ other than in case; classes are sorted as `load_image_set`
    sorts folders, so the set and its zip (`image_set_zip_bytes`) agree on every label.
    """
    per_class: dict[str, list[np.ndarray]] = {}
    seen: dict[str, str] = {}
    for raw_name, images in examples.items():
        name = check_class_name(raw_name)
        if name.casefold() in seen:
            raise ImageSetError(_("Two classes are both called {name!r}: give each its own name.").format(name=name))
        seen[name.casefold()] = name
        arrays = [np.asarray(image) for image in images]
        if not arrays:
            raise ImageSetError(_("The class {name!r} has no examples yet.").format(name=name))
        for image in arrays:
            if image.shape != (SIDE, SIDE):
                raise ImageSetError(_("An example of {name!r} is {shape}, not a prepared 28 x 28 image.")
                                    .format(name=name, shape=image.shape))
        per_class[name] = [np.clip(image, 0, 255).astype(np.uint8) for image in arrays]
    check_class_count(len(per_class))
    check_image_count(sum(len(images) for images in per_class.values()))
    return assemble_image_set(per_class)


def image_set_zip_bytes(image_set: ImageSet) -> bytes:
    """A zip of class folders of 28 x 28 PNGs (white on black), which `load_image_set` reads back unchanged."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        counters = dict.fromkeys(image_set.class_names, 0)
        for image, label in zip(image_set.images, image_set.labels):
            name = image_set.class_names[label]
            counters[name] += 1
            png = io.BytesIO()
            Image.fromarray(np.asarray(image, dtype=np.uint8), mode="L").save(png, format="PNG")
            archive.writestr(f"{name}/{counters[name]:04d}.png", png.getvalue())
    return buffer.getvalue()


def mnist_subset(digits=(0, 1, 2), per_class: int = 30, seed: int = 0) -> ImageSet:
    """A few of the local MNIST's training digits (lib.engine.data.load_mnist), `per_class` of each of `digits`."""
    from lib.engine.data import load_mnist

    chosen = sorted({int(digit) for digit in digits})
    if len(chosen) < MIN_CLASSES or chosen[0] < 0 or chosen[-1] > 9:
        raise ImageSetError(_("Choose at least two different digits between 0 and 9."))
    if not 1 <= per_class * len(chosen) <= MAX_IMAGES:
        raise ImageSetError(_("Choose between 1 and {limit:,} images in all.").format(limit=MAX_IMAGES))
    (x_train, y_train), _test = load_mnist()
    rng = np.random.default_rng(seed)
    per_digit = {str(digit): list(x_train[rng.choice(np.flatnonzero(y_train == digit), per_class, replace=False)])
                 for digit in chosen}
    return assemble_image_set(per_digit)
