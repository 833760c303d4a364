"""What each person may do to a class, each change made inside the classes' lock (lib.runs.classes): a teacher
creates, closes and deletes a class and takes any entry off its board; a member joins, hands in their own
finished runs and withdraws their own entries while the class is open. A change that is not allowed raises
ClassError with a one-line reason and changes nothing.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from lib.i18n import _
from lib.runs.class_entries import MAX_DISPLAY_NAME, MAX_TITLE, snapshot
from lib.runs.classes import (
    ClassError,
    SchoolClass,
    checked_class_text,
    class_codes,
    class_path,
    identity,
    load_class,
    locked_classes,
    new_code,
    save_class,
)
from lib.runs.store import load_run
from lib.runs.workspaces import own_run_folder, workspace_dir
from lib.settings import settings


def create_class(token: str, title: str, root: Path | None = None, now: float | None = None) -> SchoolClass:
    """A new class whose teacher is this workspace; ClassError when the title or the server's limit refuses it."""
    title = checked_class_text(title, MAX_TITLE, _("class title"))
    with locked_classes(root):
        limit = settings().max_classes
        if len(class_codes(root)) >= limit:
            raise ClassError(_("This server already keeps {limit} classes, as many as allowed (CNN_LAB_MAX_CLASSES); "
                               "a teacher can delete a closed class to make room.").format(limit=limit))
        code = new_code(set(class_codes(root)))
        found = SchoolClass(code, title, now or time.time(), identity(code, token), False, {}, [])
        class_path(code, root).parent.mkdir(parents=True)
        save_class(found, root)
    return found


def _change(code, token: str, root: Path | None, change) -> SchoolClass:
    """Load the class, let `change(found, who)` check and alter it, and save it, all inside the lock."""
    with locked_classes(root):
        found = load_class(code, root)
        change(found, identity(found.code, token))
        save_class(found, root)
    return found


def _open(found: SchoolClass) -> None:
    if found.closed:
        raise ClassError(_("Class {code} is closed: its board can be read, not changed.").format(code=found.code))


def join_class(code, token: str, name: str, root: Path | None = None, now: float | None = None) -> SchoolClass:
    """Join (or, for a member, change the display name in) an open class; the name must be free in the class."""
    name = checked_class_text(name, MAX_DISPLAY_NAME, _("display name"))

    def join(found: SchoolClass, who: str) -> None:
        _open(found)
        if any(member["name"].casefold() == name.casefold() for key, member in found.members.items() if key != who):
            raise ClassError(_("Someone in this class already goes by that name; choose another."))
        if who not in found.members and len(found.members) >= (limit := settings().class_members):
            raise ClassError(_("Class {code} already has {limit} students, as many as allowed "
                               "(CNN_LAB_CLASS_MEMBERS).").format(code=found.code, limit=limit))
        found.members[who] = {"name": name, "joined": found.members.get(who, {}).get("joined") or now or time.time()}
        for entry in found.entries:
            if entry["member"] == who:
                entry["name"] = name

    return _change(code, token, root, join)


def hand_in(code, token: str, run_id: str, root: Path | None = None, now: float | None = None) -> dict:
    """Put a snapshot of one of this member's own finished runs (by its id in their workspace) on the board; the
    entry as the board keeps it."""
    try:
        folder = own_run_folder(token, workspace_dir(token, root) / str(run_id), root)
    except ValueError:  # another workspace's run, a path, a link
        raise ClassError(_("Only a run of your own workspace can be handed in.")) from None
    try:
        entry = snapshot(load_run(folder))
    except ValueError as error:  # unreadable (RunReadError), or not finished, not on MNIST, no validation
        raise ClassError(str(error)) from None

    def add(found: SchoolClass, who: str) -> None:
        _open(found)
        if who not in found.members:
            raise ClassError(_("Join class {code} with a display name before handing in a run.").format(code=found.code))
        if any(old["member"] == who and old["run_id"] == entry["run_id"] for old in found.entries):
            raise ClassError(_("You have already handed in this run."))
        if len(found.entries) >= (limit := settings().class_runs):
            raise ClassError(_("The board of class {code} already holds {limit} runs, as many as allowed "
                               "(CNN_LAB_CLASS_RUNS).").format(code=found.code, limit=limit))
        entry.update(id=secrets.token_hex(4), member=who, name=found.members[who]["name"],
                     handed_in=now or time.time())
        found.entries.append(entry)

    _change(code, token, root, add)
    return entry


def remove_entry(code, token: str, entry_id: str, root: Path | None = None) -> SchoolClass:
    """Take an entry off the board: the teacher any entry, at any time; a member their own, while the class is open."""

    def remove(found: SchoolClass, who: str) -> None:
        entry = next((entry for entry in found.entries if entry["id"] == entry_id), None)
        if entry is None:
            raise ClassError(_("That run is no longer on the board."))
        if who != found.teacher:
            if entry["member"] != who:
                raise ClassError(_("Only the teacher, or whoever handed a run in, can take it off the board."))
            _open(found)
        found.entries.remove(entry)

    return _change(code, token, root, remove)


def close_class(code, token: str, root: Path | None = None) -> SchoolClass:
    """Close the class (teacher only): nobody joins, hands in or withdraws any more; the board stays readable."""

    def close(found: SchoolClass, who: str) -> None:
        if who != found.teacher:
            raise ClassError(_("Only the class's teacher can close it."))
        found.closed = True

    return _change(code, token, root, close)


def delete_class(code, token: str, root: Path | None = None) -> None:
    """Delete a closed class (teacher only), making room under the server's limit."""
    with locked_classes(root):
        found = load_class(code, root)
        if identity(found.code, token) != found.teacher:
            raise ClassError(_("Only the class's teacher can delete it."))
        if not found.closed:
            raise ClassError(_("Close the class before deleting it."))
        folder = class_path(found.code, root).parent
        trash = folder.with_name(f".{found.code}.deleted-{secrets.token_hex(3)}")
        folder.rename(trash)
        for path in trash.iterdir():
            path.unlink()
        trash.rmdir()
