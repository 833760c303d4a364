"""Your own classes read from files: image sets from folders and zips brought to MNIST's form, split for
training, and matched with their test data.

`load_image_set` reads the layout of Keras's `image_dataset_from_directory`
(one sub-folder per class, class names sorted as Keras sorts them) from a
folder or from a .zip of one. Every image, whatever its size, format and
polarity (light on dark or dark on light), goes through the Draw page's steps
(lib.engine.image_prep, after lib.explore.drawing): crop to the ink, scale the
longer side to 20 px, centre by mass in 28 x 28. The ImageSet they make, the
limits on it, and sets built from drawings are lib.engine.labelled_images's.

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

# The one-image steps are lib.engine.image_prep's; they are part of this module's interface too.
from lib.engine.image_prep import SIDE, BlankImageError, ImageSetError, decode_image, decoded_pixels, prepare_image, read_image_bytes  # noqa: F401
from lib.engine.labelled_images import (
    IGNORED_NAMES,
    ImageSet,
    assemble_image_set,
    check_class_count,
    check_class_name,
    check_image_count,
)
from lib.i18n import _, ngettext

MAX_BYTES = 50 * 1024 * 1024
# Decoding costs by the pixel, not by the byte: a 5 kB PNG can declare 40 M blank pixels. Every image's header
# is read first and a set whose images add up to more than this (5,000 images of 224 x 224) is refused before
# any is decoded. The heaviest set under it (six colour 6320 x 6320 PNGs) took 2.7 s of the page's worker
# process (lib.engine.image_set_worker) to decode, never the server's (benchmarks/bench_hostile_upload.py).
MAX_SET_PIXELS = 250_000_000


class _ArchiveError(ImageSetError):
    """The zip itself cannot be read (damaged, or protected by a password): the whole set is refused."""


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
    check_class_count(len(class_names))
    seen: dict[str, str] = {}
    for name in class_names:
        check_class_name(name)
        if name.casefold() in seen:
            raise ImageSetError(_("{where} has two class folders named {first!r} and {second!r}: names must "
                                  "differ other than in case.").format(where=where, first=seen[name.casefold()],
                                                                       second=name))
        seen[name.casefold()] = name
    check_image_count(len(in_classes))
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
    return assemble_image_set(per_class, tuple(notes))


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


# --- splits, test sets and evaluation ------------------------------------------------------------------------

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
