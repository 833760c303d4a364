"""Your own classes: image sets read from folders, zips or drawings, brought to MNIST's form.

An image set is what LeNet-5 trains on instead of MNIST: (n, 28, 28) uint8
images, white ink on black, with a label per image and a name per class.
`load_image_set` reads the layout of Keras's `image_dataset_from_directory`
(one sub-folder per class, class names sorted as Keras sorts them) from a
folder or from a .zip of one; `build_image_set` makes one from the page's
drawings. Every image, whatever its size, format and polarity (light on dark
or dark on light), goes through the Draw page's steps (lib.engine.image_prep,
after lib.explore.drawing): crop to the ink, scale the longer side to 20 px,
centre by mass in 28 x 28.

Input is checked before it is trusted: a zip's members are read in memory,
never extracted, and one that climbs out of its folder, too many images or
too many bytes refuse the whole set with one line naming the problem
(`ImageSetError`). numpy and Pillow only; TensorFlow is never imported here.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

# The one-image steps are lib.engine.image_prep's; they are part of this module's interface too.
from lib.engine.image_prep import SIDE, BlankImageError, ImageSetError, decode_image, decoded_pixels, prepare_image, read_image_bytes  # noqa: F401
from lib.i18n import _, ngettext

MIN_CLASSES = 2
MAX_CLASSES = 50  # the page itself offers 2-10
MAX_IMAGES = 5000
MAX_BYTES = 50 * 1024 * 1024
# Decoding costs by the pixel, not by the byte: a 5 kB PNG can declare 40 M blank pixels. Every image's header
# is read first and a set whose images add up to more than this (5,000 images of 224 x 224) is refused before
# any is decoded. The heaviest set under it (six colour 6320 x 6320 PNGs) took 2.7 s of the page's worker
# process (lib.engine.image_set_worker) to decode, never the server's (benchmarks/bench_hostile_upload.py).
MAX_SET_PIXELS = 250_000_000
MAX_NAME_LENGTH = 40
# Folders that tools add to archives and that never hold a class (macOS's resource forks).
IGNORED_NAMES = {"__MACOSX"}


class _ArchiveError(ImageSetError):
    """The zip itself cannot be read (damaged, or protected by a password): the whole set is refused."""


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


# --- class names and sets ------------------------------------------------------------------------------------

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


def _check_class_count(count: int) -> None:
    if count < MIN_CLASSES:
        raise ImageSetError(ngettext("The data set has {n} class; it needs at least {least}.",
                                     "The data set has {n} classes; it needs at least {least}.", count)
                            .format(n=count, least=MIN_CLASSES))
    if count > MAX_CLASSES:
        raise ImageSetError(_("The data set has {n} classes; at most {limit} are allowed.")
                            .format(n=count, limit=MAX_CLASSES))


def _check_image_count(count: int) -> None:
    if count > MAX_IMAGES:
        raise ImageSetError(_("The data set has {n:,} images; at most {limit:,} are allowed.")
                            .format(n=count, limit=MAX_IMAGES))


def _assembled(per_class: dict[str, list[np.ndarray]], notes: tuple[str, ...] = ()) -> ImageSet:
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
    _check_class_count(len(per_class))
    _check_image_count(sum(len(images) for images in per_class.values()))
    return _assembled(per_class)


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


# --- folders and zips ----------------------------------------------------------------------------------------

@dataclass
class _Member:
    parts: tuple[str, ...]  # its path inside the set, split
    size: int
    read: Callable[[], bytes]


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part in IGNORED_NAMES for part in parts)


def _zip_members(archive: zipfile.ZipFile) -> list[_Member]:
    members = []
    for info in archive.infolist():
        raw = info.filename.replace("\\", "/")
        path = PurePosixPath(raw)
        if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or ".." in path.parts:
            raise ImageSetError(_("The zip holds {name!r}, which climbs out of its folder: it is refused.")
                                .format(name=info.filename))
        if info.is_dir() or _hidden(path.parts):
            continue
        members.append(_Member(path.parts, info.file_size, lambda info=info: _read_member(archive, info)))
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            return member.read(MAX_BYTES + 1)
    except RuntimeError as error:  # encrypted
        raise _ArchiveError(_("The zip is protected by a password.")) from error
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise _ArchiveError(_("The zip is damaged: {name} cannot be read.").format(name=info.filename)) from error


def _folder_members(root: Path) -> list[_Member]:
    """The files under `root`, as members. Links are followed on purpose (a class folder linked in from elsewhere
    counts as any other), but a link back to a folder already read, a link to nothing and a folder or file that
    cannot be read each refuse the set in one line: training on a class fewer, silently, is worse."""
    members, seen = [], set()

    def unreadable(error: OSError):
        raise ImageSetError(_("{path} cannot be read ({why}).").format(path=error.filename or root,
                                                                     why=error.strerror or error))

    for folder, subfolders, files in os.walk(root, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            raise ImageSetError(_("{path} links to a folder that is read already ({target}).").format(
                path=folder, target=real))
        seen.add(real)
        subfolders[:] = sorted(name for name in subfolders if not _hidden((name,)))
        for name in sorted(files):
            path = Path(folder) / name
            parts = path.relative_to(root).parts
            if _hidden(parts):
                continue
            if path.is_symlink() and not path.exists():
                raise ImageSetError(_("{path} is a link to nothing.").format(path=path))
            if not path.is_file():
                continue
            members.append(_Member(parts, path.stat().st_size, lambda path=path: _read_file(path)))
    return members


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:  # unreadable now (permissions), or gone since the folder was listed
        raise _ArchiveError(_("{path} cannot be read ({why}).").format(path=path, why=error.strerror or error)) \
            from error


def _without_single_top_folder(members: list[_Member]) -> list[_Member]:
    """Members of a set packed inside one top folder (`shapes/circle/1.png`) as if at the top (`circle/1.png`)."""
    tops = {member.parts[0] for member in members}
    if len(tops) == 1 and all(len(member.parts) >= 2 for member in members) and any(
            len(member.parts) >= 3 for member in members):
        return [_Member(member.parts[1:], member.size, member.read) for member in members]
    return members


def _image_set_from_members(members: list[_Member], where: str, preparation: str = "ink") -> ImageSet:
    members = _without_single_top_folder(members)
    if not members:
        raise ImageSetError(_("{where} is empty: it needs a folder of images for each class.").format(where=where))
    loose = [member for member in members if len(member.parts) == 1]
    in_classes = [member for member in members if len(member.parts) >= 2]
    class_names = sorted({member.parts[0] for member in in_classes})
    _check_class_count(len(class_names))
    seen: dict[str, str] = {}
    for name in class_names:
        check_class_name(name)
        if name.casefold() in seen:
            raise ImageSetError(_("{where} has two class folders named {first!r} and {second!r}: names must "
                                  "differ other than in case.").format(where=where, first=seen[name.casefold()],
                                                                       second=name))
        seen[name.casefold()] = name
    _check_image_count(len(in_classes))
    total = sum(member.size for member in in_classes)
    if total > MAX_BYTES:
        raise ImageSetError(_("{where} holds {size:.0f} MB of files; the limit is {limit:.0f} MB.")
                            .format(where=where, size=total / 2**20, limit=MAX_BYTES / 2**20))
    # Headers first: what decoding would cost is known, and refused, before any of it is paid.
    headed, unreadable, pixels = [], 0, 0
    for member in in_classes:
        data, path = member.read(), "/".join(member.parts)
        try:
            pixels += decoded_pixels(data, path)
        except _ArchiveError:
            raise
        except ImageSetError:
            unreadable += 1
            continue
        headed.append((member.parts[0], data, path))
    if pixels > MAX_SET_PIXELS:
        raise ImageSetError(_("{where} holds images of {pixels:,} pixels in all; the limit is {limit:,}: use fewer "
                              "or smaller images.").format(where=where, pixels=pixels, limit=MAX_SET_PIXELS))
    per_class: dict[str, list[np.ndarray]] = {name: [] for name in class_names}
    blank = 0
    for class_name, data, path in headed:
        try:
            per_class[class_name].append(read_image_bytes(data, path, preparation))
        except BlankImageError:
            blank += 1
        except ImageSetError:
            unreadable += 1
    empty = [name for name in class_names if not per_class[name]]
    if len(empty) == len(class_names):
        raise ImageSetError(_("{where} holds no image that can be read.").format(where=where))
    if empty:
        raise ImageSetError(_("The class {name!r} has no readable image.").format(name=empty[0]))
    notes = []
    if unreadable:
        notes.append(ngettext("{n:,} file that is not an image was skipped.",
                              "{n:,} files that are not images were skipped.", unreadable).format(n=unreadable))
    if blank:
        notes.append(ngettext("{n:,} blank image was skipped.", "{n:,} blank images were skipped.", blank).format(n=blank))
    if loose:
        notes.append(ngettext("{n:,} file outside the class folders was ignored.",
                              "{n:,} files outside the class folders were ignored.", len(loose)).format(n=len(loose)))
    return _assembled(per_class, tuple(notes))


def _refuse_large_file(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageSetError(_("{name} is {size:.0f} MB; the limit is {limit:.0f} MB.")
                            .format(name=path.name, size=size / 2**20, limit=MAX_BYTES / 2**20))


def image_set_from_zip_bytes(data: bytes, name: str | None = None, preparation: str = "ink") -> ImageSet:
    """An image set from the bytes of a .zip of class folders (the page's upload), by `load_image_set`'s rules;
    `name` (the file's) is what messages call it."""
    name = name or _("The zip")
    if len(data) > MAX_BYTES:
        raise ImageSetError(_("{name} is {size:.0f} MB; the limit is {limit:.0f} MB.")
                            .format(name=name, size=len(data) / 2**20, limit=MAX_BYTES / 2**20))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImageSetError(_("{name} is not a zip file.").format(name=name)) from error
    with archive:
        return _image_set_from_members(_zip_members(archive), name, preparation)


def load_image_set(path: str | os.PathLike, preparation: str = "ink") -> ImageSet:
    """An image set from a folder of class sub-folders, or a .zip of one (at its top or inside one top folder).

    Class names are the sub-folders' names, sorted as Keras's `image_dataset_from_directory` sorts them. Hidden
    files and folders and `__MACOSX` are ignored; files that are not images are skipped and counted in the set's
    notes. Each image is prepared by `preparation` (lib.engine.image_prep.prepare_image: "ink" or "as_is").
    Raises ImageSetError, one line, for anything that makes the set unusable.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ImageSetError(_("{path} does not exist.").format(path=path))
    if path.is_dir():
        return _image_set_from_members(_folder_members(path), _("The folder {name}").format(name=path.name),
                                       preparation)
    _refuse_large_file(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageSetError(_("{path} cannot be read ({why}).").format(path=path, why=error.strerror or error)) \
            from error
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImageSetError(_("{path} is neither a folder nor a zip file.").format(path=path))
    return image_set_from_zip_bytes(data, path.name, preparation)


# --- starting points, splits and evaluation ------------------------------------------------------------------

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
    return _assembled(per_digit)


def stratified_split(labels: np.ndarray, validation_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts, `validation_fraction` of each class held out.

    Every class with at least two examples has at least one in each part; a class of one trains only.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction: must be between 0 and 1; got {validation_fraction!r}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        held = 0 if len(members) < 2 else min(len(members) - 1, max(1, round(len(members) * validation_fraction)))
        validation.append(members[:held])
        train.append(members[held:])
    return np.sort(np.concatenate(train)).astype(np.int64), np.sort(np.concatenate(validation)).astype(np.int64)


def split_image_set(image_set: ImageSet, validation_fraction: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """The training and validation parts of a set (see `stratified_split`)."""
    train, validation = stratified_split(image_set.labels, validation_fraction, seed)
    return image_set.subset(train), image_set.subset(validation)


def matching_test_set(test: ImageSet, class_names: tuple[str, ...]) -> ImageSet:
    """`test` checked to have the training set's class names (the same folders); ImageSetError otherwise."""
    if tuple(test.class_names) != tuple(class_names):
        raise ImageSetError(_("The test data's classes ({test}) are not the training data's ({train}).")
                            .format(test=", ".join(test.class_names), train=", ".join(class_names)))
    return test


def evaluation_set(config) -> ImageSet:
    """The examples a finished own-data run's test_accuracy was measured on: its test_data if it has one, else the
    validation part of its data (the same seed and fraction give the same split)."""
    if not config.data:
        raise ImageSetError(_("This run was trained on MNIST, not on a data set of its own."))
    preparation = getattr(config, "preparation", "ink")  # runs from before the choice prepared their ink
    image_set = load_image_set(config.data, preparation)
    if config.test_data:
        return matching_test_set(load_image_set(config.test_data, preparation), image_set.class_names)
    return split_image_set(image_set, config.validation_fraction, config.seed)[1]
