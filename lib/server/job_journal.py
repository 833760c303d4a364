"""Which jobs were queued or training, kept in a small file so that a restarted server can say they were lost.

A server that crashes or restarts takes its queue with it. `JobJournal` keeps
the active jobs of each owner (workspace) in `.jobs.json` under the runs folder,
rewritten atomically whenever a job starts, ends or leaves the queue. A new
server reads what the last one left: those jobs are gone, and the first visit
of each of their workspaces gets a one-time note (`take_lost`).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from lib.i18n import N_, LazyText, _, ngettext

JOURNAL_FILE = ".jobs.json"
log = logging.getLogger(__name__)
# A lost job's status and a nameless job, as the note names them (translated where the note is read).
STATUS_WORDS = {"queued": N_("queued"), "running": N_("running")}
UNNAMED = N_("unnamed")


def read_journal(root: Path) -> list[dict]:
    """The jobs a journal lists ({"server", "owner", "name", "status"}); [] when missing or unreadable."""
    try:
        entries = json.loads((Path(root) / JOURNAL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, dict) and isinstance(entry.get("owner"), str)]


def write_journal(root: Path, entries: list[dict]) -> None:
    """Replace the journal in one step; a folder that cannot be written costs the note, never the job."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=root, prefix=".jobs.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(entries, file)
        os.replace(temporary, root / JOURNAL_FILE)
    except OSError as error:
        log.warning("could not record the active jobs in %s: %s", root, error)


def lost_job_note(lost: list[dict]) -> LazyText:
    """The sentence a workspace reads about its jobs that a restart lost, in the language of whoever reads it."""
    jobs = [(entry.get("name"), entry.get("status", "queued")) for entry in lost]

    def words() -> str:
        names = ", ".join(_("“{name}” ({status})").format(name=name or _(UNNAMED),
                                                           status=_(STATUS_WORDS.get(status, status)))
                          for name, status in jobs)
        return ngettext("Your job {names} was lost when the server restarted; nothing of it was kept. Train again "
                        "from the Training page.",
                        "Your jobs {names} were lost when the server restarted; nothing of them was kept. Train "
                        "again from the Training page.", len(jobs)).format(names=names)

    return LazyText(words)


class JobJournal:
    """This server's record of active jobs, and the jobs an earlier server left unfinished."""

    def __init__(self, root: Callable[[], Path]):
        self._root = root
        self.server_id = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._lost: dict[str, list[dict]] | None = None  # read on first use, when the runs folder is known
        self._own: list[dict] = []

    def _load(self) -> dict[str, list[dict]]:
        """Hold the lock. The jobs of other servers in the journal, by owner, read once."""
        if self._lost is None:
            self._lost = {}
            for entry in read_journal(self._root()):
                if entry.get("server") != self.server_id:
                    self._lost.setdefault(entry["owner"], []).append(entry)
        return self._lost

    def record(self, jobs: Iterable) -> None:
        """Write the active jobs (objects with owner, config.name and status) as this server's."""
        with self._lock:
            self._own = [{"server": self.server_id, "owner": job.owner, "name": job.config.name,
                          "status": job.status} for job in jobs]
            self._write()

    def take_lost(self, owner: str) -> LazyText | None:
        """A note about the owner's jobs that an earlier server lost, once; None when there were none."""
        with self._lock:
            lost = self._load().pop(owner, None)
            if lost:
                self._write()
        return lost_job_note(lost) if lost else None

    def _write(self) -> None:
        """Hold the lock. This server's jobs, and the lost ones whose workspace has not been told yet."""
        untold = [entry for entries in self._load().values() for entry in entries]
        write_journal(self._root(), self._own + untold)
