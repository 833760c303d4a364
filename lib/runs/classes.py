"""Classes: a teacher's class on one short code, its members, and the runs they hand in to its board.

A class is one file, `<runs folder>/classes/<code>/class.json`, written whole (write_atomically) under a lock that
every writer of every class takes (a file lock, so the threads of one server and several servers on one folder
wait for each other): a change reads the file, checks the change and writes the file back inside the lock.

Who may do what is decided here, from the visitor's workspace token (lib.runs.workspaces): the class keeps only a
hash of each token (salted with the class's code, so the same browser reads as unrelated people in two classes),
never the token. The class's creator is its teacher: they may remove any entry and close the class. A member may
hand in their own finished runs while the class is open and withdraw their own entries; nobody else can change
anything. The limits (classes on the server, members per class, runs per class) are settings (lib.settings).
This module owns the class's file, its code and who is who in it; the changes each person may make are
lib.runs.class_rights's.

A code is CODE_LENGTH characters from CODE_ALPHABET (no 0/O, no 1/I); it is checked (`valid_code`) before it
becomes part of a path.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lib.i18n import _
from lib.runs.class_entries import BoardTextError, checked_text
from lib.runs.store import runs_dir, write_atomically
from lib.runs.workspaces import valid_token

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


def checked_class_text(value, longest: int, what: str) -> str:
    """A title or display name checked (lib.runs.class_entries.checked_text); ClassError with its reason if not."""
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
def locked_classes(root: Path | None = None) -> Iterator[None]:
    """Every change to any class happens inside this: one writer at a time, across threads and processes."""
    base = classes_root(root)
    base.mkdir(parents=True, exist_ok=True)
    with open(base / LOCK_FILE, "a") as lock:  # each call opens its own: flock then excludes threads too
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save_class(found: SchoolClass, root: Path | None = None) -> None:
    """Write the class's file whole; call it inside `locked_classes`."""
    write_atomically(class_path(found.code, root), found.to_json())
