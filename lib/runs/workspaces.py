"""Workspaces: each browser's own runs on a shared server, the gallery of shared runs, and the limits.

A workspace is a random token (32 hex characters) that the app keeps in a
cookie of the browser (ui.workspace), never in the page's address; whoever
has the token has the workspace. Its runs live in
`<runs folder>/workspaces/<token>/`, its own-classes set in a hidden folder
there (lib.runs.own_sets). A token is checked before anything is
done with it and only a checked one ever becomes part of a path.

Limits, each a setting (lib.settings, and the README's settings table):
runs kept per workspace (the oldest unshared run goes first), and a cap on
the disk all runs may fill, checked before a job is queued.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from lib.engine.config import FIELDS, check_field
from lib.engine.run_files import writer_alive
from lib.i18n import _
from lib.runs.store import CONFIG_FILE, Run, RunStorageError, list_runs, runs_dir, write_atomically
from lib.settings import settings

TOKEN_LENGTH = 32
TOKEN_PATTERN = re.compile(rf"[0-9a-f]{{{TOKEN_LENGTH}}}")
WORKSPACES = "workspaces"
DISK_CAP_ENV = "CNN_LAB_DISK_CAP_MB"  # named in the message that refuses a job when the disk is full
# Hidden folders a crash can leave behind: a run being assembled, one being replaced, or one being deleted.
STALE_SUFFIXES = (".partial",)
STALE_MARKERS = (".retired-", ".deleted-")
STALE_AFTER_SECONDS = 3600
# A run holding this file is shared with everyone on the server: the gallery lists it in every workspace.
SHARED_FILE = "shared.json"


def is_shared(path: Path) -> bool:
    return (Path(path) / SHARED_FILE).is_file()


def set_shared(path: Path, shared: bool) -> None:
    """Share a run with everyone on the server, or stop sharing it."""
    marker = Path(path) / SHARED_FILE
    if shared:
        write_atomically(marker, json.dumps({"shared_at": time.time()}))
    else:
        marker.unlink(missing_ok=True)


def new_token() -> str:
    return secrets.token_hex(TOKEN_LENGTH // 2)


def valid_token(value) -> str | None:
    """The token if `value` is exactly 32 lowercase hex characters, else None."""
    if isinstance(value, str) and len(value) == TOKEN_LENGTH and TOKEN_PATTERN.fullmatch(value):
        return value
    return None


def workspaces_root(root: Path | None = None) -> Path:
    return (root or runs_dir()) / WORKSPACES


def workspace_dir(token: str, root: Path | None = None) -> Path:
    """The folder of a workspace's runs; ValueError for anything but a valid token."""
    if valid_token(token) is None:
        raise ValueError(_("A workspace token is {length} hexadecimal characters.").format(length=TOKEN_LENGTH))
    return workspaces_root(root) / token


def workspace_runs(token: str, root: Path | None = None) -> tuple[list[Run], list[str]]:
    """This workspace's runs, newest first, and notes on any that could not be read."""
    return list_runs(workspace_dir(token, root), source="user")


def shared_runs(exclude: str | None = None, root: Path | None = None) -> tuple[list[Run], list[str]]:
    """Every workspace's shared runs (except `exclude`'s own), marked as shared, newest first."""
    runs, notes = [], []
    base = workspaces_root(root)
    if not base.is_dir():
        return runs, notes
    for folder in sorted(base.iterdir()):
        if not folder.is_dir() or valid_token(folder.name) is None or folder.name == exclude:
            continue
        found, skipped = list_runs(folder, source="shared")
        runs += [run for run in found if is_shared(run.path)]
        notes += skipped
    runs.sort(key=lambda run: run.run_id, reverse=True)
    return runs, notes


def owns(token: str, run: Run, root: Path | None = None) -> bool:
    """Whether `run` is one of this workspace's runs."""
    try:
        return run.path.resolve().parent == workspace_dir(token, root).resolve()
    except (OSError, ValueError):
        return False


def own_run_folder(token: str, path: Path, root: Path | None = None) -> Path:
    """`path` if it is a run folder of this workspace; ValueError for anything else (another's, a link, `..`)."""
    folder, candidate = workspace_dir(token, root).resolve(), Path(path)
    if (candidate.is_symlink() or candidate.name.startswith(".") or not candidate.is_dir()
            or candidate.resolve().parent != folder):
        raise ValueError(_("Only a run of this workspace can be deleted or renamed here."))
    return candidate.resolve()


def delete_run(token: str, path: Path, root: Path | None = None) -> None:
    """Delete one of this workspace's runs: out of every list in one rename, then off the disk."""
    run = own_run_folder(token, path, root)
    trash = run.with_name(f".{run.name}.deleted-{secrets.token_hex(3)}")  # remove_stale clears it after a crash
    try:
        os.replace(run, trash)
    except OSError as error:
        raise RunStorageError(_("Cannot delete run {run}: {error}.").format(run=run.name,
                                                                            error=error.strerror or error)) from error
    shutil.rmtree(trash, ignore_errors=True)


def rename_run(token: str, path: Path, name: str, root: Path | None = None) -> None:
    """Give one of this workspace's runs a new name (its label); its folder and id stay as they are."""
    run = own_run_folder(token, path, root)
    name = name.strip()
    check_field(FIELDS["name"], name)
    try:
        config = json.loads((run / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunStorageError(_("Cannot rename run {run}: its {file} cannot be read.").format(
            run=run.name, file=CONFIG_FILE)) from error
    if not isinstance(config, dict):
        raise RunStorageError(_("Cannot rename run {run}: its {file} is not a config.").format(run=run.name,
                                                                                               file=CONFIG_FILE))
    write_atomically(run / CONFIG_FILE, json.dumps({**config, "name": name}, indent=2))


def runs_per_workspace() -> int:
    return settings().runs_per_workspace


def disk_cap_bytes() -> int:
    return settings().disk_cap_bytes


def enforce_run_limit(token: str, keep: int | None = None, root: Path | None = None) -> list[str]:
    """Delete this workspace's oldest unshared runs beyond `keep`; return the labels of those deleted."""
    keep = keep or runs_per_workspace()
    runs, _notes = workspace_runs(token, root)
    unshared = [run for run in sorted(runs, key=lambda run: run.run_id) if not is_shared(run.path)]
    removed = []
    for run in unshared[: max(0, len(runs) - keep)]:
        shutil.rmtree(run.path, ignore_errors=True)
        removed.append(run.label)
    return removed


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total


def disk_full_error(used: int, cap: int, pending: int = 0) -> RunStorageError:
    """The refusal of a new job when `used` bytes (counting room kept for `pending` runs in training) fill `cap`."""
    values = dict(used=used / 2**20, cap=cap / 2**20, pending=pending, setting=DISK_CAP_ENV)
    if pending:
        return RunStorageError(_("The runs on this server already fill {used:.0f} MB of the {cap:.0f} MB allowed, "
                                 "counting room for the {pending} run(s) queued or training, so no new run can be "
                                 "stored. Delete some of your runs (History page, 'Share your runs'), or ask whoever "
                                 "runs the server to raise {setting}.").format(**values))
    return RunStorageError(_("The runs on this server already fill {used:.0f} MB of the {cap:.0f} MB allowed, so no "
                             "new run can be stored. Delete some of your runs (History page, 'Share your runs'), or "
                             "ask whoever runs the server to raise {setting}.").format(**values))


def check_disk_cap(root: Path | None = None) -> None:
    """Raise RunStorageError, in words, when all runs together already fill the disk cap."""
    used, cap = folder_bytes(root or runs_dir()), disk_cap_bytes()
    if used >= cap:
        raise disk_full_error(used, cap)


def remove_stale(root: Path | None = None, older_than: float = STALE_AFTER_SECONDS, now: float | None = None) -> list[Path]:
    """Remove half-written (.partial) and half-replaced or half-deleted run folders a crash left behind.

    A .partial folder whose writer process is gone goes at once; one that does not name its writer, and the
    others, once older than `older_than` seconds.
    """
    root = root or runs_dir()
    now = now or time.time()
    folders = [root, *(workspaces_root(root).iterdir() if workspaces_root(root).is_dir() else [])]
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            partial = path.name.endswith(STALE_SUFFIXES)
            if not path.name.startswith(".") or not (partial or any(marker in path.name for marker in STALE_MARKERS)):
                continue
            writer = writer_alive(path) if partial else None
            try:
                old = now - path.stat().st_mtime > older_than
            except OSError:
                continue
            if (writer is False or (writer is None and old)) and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def listing_fingerprint(root: Path | None = None) -> tuple:
    """Changes whenever a run is added, removed, shared or unshared in any workspace: a cache key for lists."""
    base = workspaces_root(root)
    if not base.is_dir():
        return ()
    stamps = []
    for folder in base.iterdir():
        with contextlib.suppress(OSError):
            stamps.append((folder.name, folder.stat().st_mtime_ns))
            # Hidden entries are never runs (an own-classes set saved at each drawing, a run being written).
            stamps += [(run.name, run.stat().st_mtime_ns) for run in folder.iterdir() if not run.name.startswith(".")]
    return tuple(sorted(stamps))
