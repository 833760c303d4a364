"""lib.server.job_journal: the record of active jobs a restarted server reads to tell workspaces what was lost."""

import json
from types import SimpleNamespace

from lib.server.job_journal import JOURNAL_FILE, JobJournal, lost_job_note, read_journal, write_journal


def job(owner, name, status="running"):
    return SimpleNamespace(owner=owner, config=SimpleNamespace(name=name), status=status)


def test_a_journal_round_trips_and_a_missing_or_broken_one_reads_as_empty(tmp_path):
    assert read_journal(tmp_path) == []
    write_journal(tmp_path, [{"server": "s", "owner": "a", "name": "n", "status": "queued"}])
    assert read_journal(tmp_path) == [{"server": "s", "owner": "a", "name": "n", "status": "queued"}]
    (tmp_path / JOURNAL_FILE).write_text("{not json")
    assert read_journal(tmp_path) == []
    (tmp_path / JOURNAL_FILE).write_text(json.dumps([{"owner": 3}, "x", {"owner": "b"}]))
    assert read_journal(tmp_path) == [{"owner": "b"}]


def test_a_new_server_tells_each_workspace_of_its_lost_jobs_once(tmp_path):
    old = JobJournal(lambda: tmp_path)
    old.record([job("alice", "first"), job("bob", "", "queued")])
    new = JobJournal(lambda: tmp_path)
    note = new.take_lost("alice")
    assert "“first” (running)" in note and "was lost when the server restarted" in note
    assert new.take_lost("alice") is None
    assert "“unnamed” (queued)" in new.take_lost("bob")
    assert new.take_lost("carol") is None


def test_its_own_jobs_are_never_reported_lost_to_itself(tmp_path):
    journal = JobJournal(lambda: tmp_path)
    journal.record([job("alice", "mine")])
    assert journal.take_lost("alice") is None


def test_an_untold_workspace_is_still_told_after_a_second_restart(tmp_path):
    JobJournal(lambda: tmp_path).record([job("alice", "first")])
    second = JobJournal(lambda: tmp_path)
    second.record([])
    assert "first" in JobJournal(lambda: tmp_path).take_lost("alice")


def test_the_note_counts_its_jobs():
    assert lost_job_note([{"name": "a"}, {"name": "b", "status": "running"}]).startswith("Your jobs “a” (queued), “b”")
