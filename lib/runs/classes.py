"""Classes: a teacher's class on one short code, its members, and the runs they hand in to its board.

A class is one file, `<runs folder>/classes/<code>/class.json`, written whole (write_atomically) under a lock that
every writer of every class takes (a file lock, so the threads of one server and several servers on one folder
wait for each other): a change reads the file, checks the change and writes the file back inside the lock.

Who may do what is decided here, from the visitor's workspace token (lib.runs.workspaces): the class keeps only a
hash of each token (salted with the class's code, so the same browser reads as unrelated people in two classes),
never the token. The class's creator is its teacher: they may remove any entry and close the class. A member may
hand in their own finished runs while the class is open and withdraw their own entries; nobody else can change
anything. The limits (classes on the server, members per class, runs per class) are settings (lib.settings).

A code is CODE_LENGTH characters from CODE_ALPHABET (no 0/O, no 1/I); it is checked (`valid_code`) before it
becomes part of a path.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lib.i18n import _
from lib.runs.class_entries import MAX_DISPLAY_NAME, MAX_TITLE, BoardTextError, checked_text, snapshot
from lib.runs.store import load_run, runs_dir, write_atomically
from lib.runs.workspaces import own_run_folder, valid_token, workspace_dir
from lib.settings import settings

CLASSES = "classes"
CLASS_FILE = "class.json"
LOCK_FILE = ".lock"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
TEACHER, STUDENT, VISITOR = "teacher", "student", "visitor"


class ClassError(ValueError):
    """A change to a class that is not allowed, or a class that cannot be read; the message is one line."""


def valid_code(value) -> str | None:
    """The class code in `value` (spaces and dashes dropped, any case) if it is one, else None."""
    if not isinstance(value, str) or len(value) > 4 * CODE_LENGTH:
        return None
    code = value.replace(" ", "").replace("-", "").upper()
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        return code
    return None


def _checked_text(value, longest: int, what: str) -> str:
    try:
        return checked_text(value, longest, what)
    except BoardTextError as error:
        raise ClassError(str(error)) from None


def checked_code(value) -> str:
    if (code := valid_code(value)) is None:
        raise ClassError(_("A class code is {length} letters and digits (never 0, O, 1 or I); {value!r} is not "
                           "one.").format(length=CODE_LENGTH, value=str(value)[:20]))
    return code


def new_code(taken: set[str]) -> str:
    """A random code that no class in `taken` has (32**6, about a billion, codes: a clash is rare)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))
        if code not in taken:
            return code


def classes_root(root: Path | None = None) -> Path:
    return (root or runs_dir()) / CLASSES


def identity(code: str, token: str) -> str:
    """What a class keeps of a visitor: a hash of their workspace token, salted with the class's code."""
    if valid_token(token) is None:
        raise ClassError(_("This browser has no valid workspace, so it cannot take part in a class."))
    return hashlib.sha256(f"cnn-lab-class:{code}:{token}".encode()).hexdigest()


@dataclass
class SchoolClass:
    """A class as its file holds it. `teacher` and the members' keys are hashes (see `identity`)."""

    code: str
    title: str
    created: float
    teacher: str
    closed: bool
    members: dict[str, dict]  # identity -> {"name": display name, "joined": time}
    entries: list[dict]  # lib.runs.class_entries.snapshot, plus "id", "member" (identity), "name", "handed_in"

    def role(self, token: str) -> str:
        """TEACHER, STUDENT (a member) or VISITOR, for the browser whose workspace token this is."""
        if valid_token(token) is None:
            return VISITOR
        who = identity(self.code, token)
        return TEACHER if who == self.teacher else STUDENT if who in self.members else VISITOR

    def member_name(self, token: str) -> str | None:
        member = self.members.get(identity(self.code, token)) if valid_token(token) else None
        return member["name"] if member else None

    def own_entries(self, token: str) -> list[dict]:
        who = identity(self.code, token) if valid_token(token) else None
        return [entry for entry in self.entries if entry["member"] == who]

    def to_json(self) -> str:
        return json.dumps({"code": self.code, "title": self.title, "created": self.created, "teacher": self.teacher,
                           "closed": self.closed, "members": self.members, "entries": self.entries}, indent=1)


def class_path(code: str, root: Path | None = None) -> Path:
    return classes_root(root) / checked_code(code) / CLASS_FILE


def load_class(code, root: Path | None = None) -> SchoolClass:
    """The class with this code; ClassError, in one line, for a bad code, no such class or an unreadable file."""
    path = class_path(code, root)
    code = path.parent.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = SchoolClass(code, str(data["title"]), float(data["created"]), str(data["teacher"]),
                            bool(data["closed"]), dict(data["members"]), list(data["entries"]))
    except FileNotFoundError:
        raise ClassError(_("There is no class with the code {code}.").format(code=code)) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ClassError(_("Class {code} cannot be read ({error}).").format(code=code, error=type(error).__name__)) \
            from None
    if problem := _malformed(found, code):
        raise ClassError(_("Class {code} cannot be read ({error}).").format(code=code, error=problem))
    return found


# What each entry must hold for the board to draw it, and of which type.
ENTRY_TYPES = {"id": str, "member": str, "name": str, "run_id": str, "optimizer": str, "regularizers": list,
               "best_val_accuracy": (int, float), "best_epoch": int, "final_val_accuracy": (int, float), "epochs": int,
               "curves": dict, "handed_in": (int, float)}


def _malformed(found: SchoolClass, code: str) -> str | None:
    """What is wrong with a class read from its file (a hand-edited or damaged one), or None."""
    if found.code != code:
        return "code"
    if not all(isinstance(member, dict) and isinstance(member.get("name"), str) for member in found.members.values()):
        return "members"
    for entry in found.entries:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), kind) for key, kind in ENTRY_TYPES.items()):
            return "entries"
        curves = entry["curves"]
        if not all(isinstance(curves.get(key), list) for key in ("epoch", "val_accuracy")):
            return "entries"
    return None


def class_codes(root: Path | None = None) -> list[str]:
    base = classes_root(root)
    return sorted(path.name for path in base.iterdir() if valid_code(path.name) == path.name
                  and (path / CLASS_FILE).is_file()) if base.is_dir() else []


@contextlib.contextmanager
def _locked(root: Path | None = None) -> Iterator[None]:
    """Every change to any class happens inside this: one writer at a time, across threads and processes."""
    base = classes_root(root)
    base.mkdir(parents=True, exist_ok=True)
    with open(base / LOCK_FILE, "a") as lock:  # each call opens its own: flock then excludes threads too
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _save(found: SchoolClass, root: Path | None = None) -> None:
    write_atomically(class_path(found.code, root), found.to_json())


def create_class(token: str, title: str, root: Path | None = None, now: float | None = None) -> SchoolClass:
    """A new class whose teacher is this workspace; ClassError when the title or the server's limit refuses it."""
    title = _checked_text(title, MAX_TITLE, _("class title"))
    with _locked(root):
        limit = settings().max_classes
        if len(class_codes(root)) >= limit:
            raise ClassError(_("This server already keeps {limit} classes, as many as allowed (CNN_LAB_MAX_CLASSES); "
                               "a teacher can delete a closed class to make room.").format(limit=limit))
        code = new_code(set(class_codes(root)))
        found = SchoolClass(code, title, now or time.time(), identity(code, token), False, {}, [])
        class_path(code, root).parent.mkdir(parents=True)
        _save(found, root)
    return found


def _change(code, token: str, root: Path | None, change) -> SchoolClass:
    """Load the class, let `change(found, who)` check and alter it, and save it, all inside the lock."""
    with _locked(root):
        found = load_class(code, root)
        change(found, identity(found.code, token))
        _save(found, root)
    return found


def _open(found: SchoolClass) -> None:
    if found.closed:
        raise ClassError(_("Class {code} is closed: its board can be read, not changed.").format(code=found.code))


def join_class(code, token: str, name: str, root: Path | None = None, now: float | None = None) -> SchoolClass:
    """Join (or, for a member, change the display name in) an open class; the name must be free in the class."""
    name = _checked_text(name, MAX_DISPLAY_NAME, _("display name"))

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
    with _locked(root):
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
