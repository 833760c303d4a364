"""The job registry and its training processes: one at a time, a queue, stop, kill, dead children, limits.

The queue logic is tested first, in milliseconds, with a stand-in process; then real training processes.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib.engine import resources
from lib.engine.config import TrainingConfig
from lib.engine.distribute import free_ports, local_cluster
from lib.engine.events import BatchEvent, EndEvent, StartEvent
from lib.runs.store import RunStorageError
from lib.runs.workspaces import new_token
from lib.server import job_limits, process_runner, stop_rules
from lib.server import jobs as jobs_module
from lib.server.job_journal import JOURNAL_FILE, JobJournal, read_journal
from lib.server.job_limits import RUN_RESERVE_BYTES, JobLimitError
from lib.server.jobs import JobRegistry
from lib.server.process_runner import Outcome, TrainingProcess, death_reason
from lib.settings import ServerSettings

pytest.importorskip("keras")


# --- the queue, with a stand-in process ---------------------------------------------------------------------


class FakeProcess:
    """Stands in for TrainingProcess: it runs until the test finishes it, and stops as soon as it is asked."""

    def __init__(self, config, out_dir, run_id, on_event, env=None):
        self.config, self.out_dir, self.run_id, self.on_event = config, out_dir, run_id, on_event
        self.pid = None
        self.result: Outcome | None = None
        self.stop_requested = False

    def start(self):
        self.pid = 4242

    def alive(self):
        return self.pid is not None and self.result is None

    def failed_early(self):
        return False

    def request_stop(self):
        self.stop_requested = True
        self.finish("stopped")

    def enforce_stop(self):
        pass

    def kill(self):
        self.finish("failed")

    def finish(self, status="finished", run_bytes=0):
        """End the 'training'; with `run_bytes`, publish a run folder of that size as the real process would."""
        if self.result is not None:
            return
        path = ""
        if run_bytes:
            folder = self.out_dir / self.run_id
            folder.mkdir(parents=True)
            (folder / "model.keras").write_bytes(b"x" * run_bytes)
            path = str(folder)
        self.result = Outcome(status, f"{status} by the test", path)

    def outcome(self):
        return self.result


@pytest.fixture
def made(monkeypatch):
    """The stand-in processes the registry has made, oldest first; whatever still runs is ended afterwards."""
    monkeypatch.setattr(jobs_module, "WATCH_INTERVAL", 0.001)
    processes = []
    yield processes
    for process in processes:
        process.kill()


def fast_registry(tmp_path, made, **limits) -> JobRegistry:
    def factory(*arguments):
        made.append(FakeProcess(*arguments))
        return made[-1]

    # Settings keep a browser's grace above the sidebar's heartbeat; these tests shorten it on the registry itself.
    abandon_seconds = limits.pop("abandon_seconds", None)
    limits = {"jobs_per_workspace": 10, **limits}
    registry = JobRegistry(out_dir=lambda: tmp_path, settings=ServerSettings(**limits), process_factory=factory)
    if abandon_seconds is not None:
        registry.abandon_after = abandon_seconds
    return registry


def quick(name="") -> TrainingConfig:
    return TrainingConfig(epochs=1, train_samples=10, name=name)


def test_jobs_beyond_max_jobs_wait_and_start_in_the_order_they_came(tmp_path, made):
    jobs = fast_registry(tmp_path, made, max_jobs=2)
    first, second, third, fourth = (jobs.submit(quick(name), owner=name) for name in "abcd")
    assert [job.status for job in (first, second, third, fourth)] == ["running", "running", "queued", "queued"]
    assert jobs.queue_position(third.job_id) == 1 and jobs.queue_position(fourth.job_id) == 2
    wait_for(lambda: len(made) == 2, timeout=5)
    made[0].finish()
    wait_for(lambda: third.status == "running", timeout=5)
    assert first.status == "finished" and fourth.status == "queued" and jobs.queue_position(fourth.job_id) == 1
    wait_for(lambda: len(made) == 3, timeout=5)
    assert [process.config.name for process in made] == [first.config.name, second.config.name, "c"]


def test_a_workspace_may_queue_another_job_once_its_last_one_ends(tmp_path, made):
    jobs = fast_registry(tmp_path, made, jobs_per_workspace=1)
    first = jobs.submit(quick(), owner="a")
    with pytest.raises(JobLimitError, match="already has 1 job"):
        jobs.submit(quick(), owner="a")
    jobs.submit(quick(), owner="b")  # another workspace is not held back
    wait_for(lambda: made, timeout=5)
    made[0].finish()
    wait_for(lambda: not first.active, timeout=5)
    assert jobs.submit(quick(), owner="a").active


def test_stop_takes_a_queued_job_off_the_queue_and_asks_a_running_one_to_stop(tmp_path, made):
    jobs = fast_registry(tmp_path, made, max_jobs=1)
    running, queued = jobs.submit(quick(), owner="a"), jobs.submit(quick(), owner="b")
    jobs.stop(queued.job_id)
    assert queued.status == "cancelled" and jobs.queue_position(queued.job_id) == 0
    wait_for(lambda: made, timeout=5)
    jobs.stop(running.job_id)
    wait_for(lambda: not running.active, timeout=5)
    assert running.status == "stopped" and made[0].stop_requested and len(made) == 1


def test_a_running_job_whose_browser_went_away_is_stopped(tmp_path, made):
    jobs = fast_registry(tmp_path, made, abandon_seconds=0.05)
    job = jobs.submit(quick(), owner="gone")
    wait_for(lambda: not job.active, timeout=5)
    assert job.status == "stopped" and "went away" in job.message


def test_a_queued_job_whose_browser_went_away_leaves_the_queue(tmp_path, made):
    jobs = fast_registry(tmp_path, made, max_jobs=1, abandon_seconds=0.2)
    running, waiting = jobs.submit(quick(), owner="a"), jobs.submit(quick(), owner="gone")
    for _ in range(30):  # the running job's browser is there; the queued one's is not
        jobs.heartbeat(running.job_id)
        time.sleep(0.01)
    made[0].finish()
    wait_for(lambda: not waiting.active, timeout=5)
    assert waiting.status == "cancelled" and "went away while it waited" in waiting.message and len(made) == 1


def test_a_job_over_its_time_limit_is_stopped_though_its_browser_is_there(tmp_path, made):
    jobs = fast_registry(tmp_path, made, max_train_seconds=0.1)
    job = jobs.submit(quick(), owner="a")
    while job.active:
        jobs.heartbeat(job.job_id)
        time.sleep(0.01)
    assert job.status == "stopped" and "limit" in job.message


def test_a_restarted_server_tells_each_workspace_once_of_the_jobs_it_lost(tmp_path, made):
    old_server = fast_registry(tmp_path, made, max_jobs=1)
    old_server.submit(quick("running one"), owner="a")
    old_server.submit(quick("queued one"), owner="a")
    old_server.submit(quick("other"), owner="b")
    assert sorted(entry["name"] for entry in read_journal(tmp_path)) == ["other", "queued one", "running one"]
    new_server = fast_registry(tmp_path, [])  # the old one crashed: its jobs are gone with it
    note = new_server.lost_job_note("a")
    assert "“running one” (running), “queued one” (queued) were lost when the server restarted" in note
    assert new_server.lost_job_note("a") is None  # once
    assert new_server.lost_job_note("c") is None
    # The note of a workspace not yet told survives another restart.
    assert "“other” (queued) was lost" in fast_registry(tmp_path, []).lost_job_note("b")


def test_jobs_that_end_leave_the_record_and_a_corrupt_record_loses_no_job(tmp_path, made):
    jobs = fast_registry(tmp_path, made)
    job = jobs.submit(quick("done"), owner="a")
    wait_for(lambda: made, timeout=5)
    made[0].finish()
    wait_for(lambda: not job.active, timeout=5)
    assert read_journal(tmp_path) == []
    (tmp_path / JOURNAL_FILE).write_text("{not json")
    assert JobJournal(lambda: tmp_path).take_lost("a") is None
    assert fast_registry(tmp_path, made).submit(quick(), owner="a").active


def test_a_process_that_cannot_start_fails_its_job_and_the_next_one_starts(tmp_path, made):
    jobs = fast_registry(tmp_path, made, max_jobs=1)
    fake_start = FakeProcess.start

    def refuse_once(process):
        if len(made) == 1:
            raise OSError("no more processes")
        fake_start(process)

    FakeProcess.start = refuse_once
    try:
        doomed, after = jobs.submit(quick(), owner="a"), jobs.submit(quick(), owner="b")
        wait_for(lambda: after.status == "running" and len(made) == 2, timeout=5)
    finally:
        FakeProcess.start = fake_start
    assert doomed.status == "failed" and doomed.message == "no more processes"


def submit_together(jobs, owners) -> tuple[list, list]:
    """Submit one job per owner from as many threads at once; the jobs accepted and the errors raised."""
    barrier, accepted, refused = threading.Barrier(len(owners)), [], []

    def press_train(owner):
        barrier.wait()
        try:
            accepted.append(jobs.submit(quick(), owner=owner))
        except (JobLimitError, RunStorageError) as error:
            refused.append(error)

    threads = [threading.Thread(target=press_train, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return accepted, refused


def slow_walks(monkeypatch) -> list:
    """Every check walks the runs folder, slowly, as a big one would; returns the list of walks made."""
    walks = []

    def slow_folder_bytes(folder):
        walks.append(folder)
        time.sleep(0.02)
        return real_folder_bytes(folder)

    real_folder_bytes = job_limits.folder_bytes
    monkeypatch.setattr(job_limits, "folder_bytes", slow_folder_bytes)
    return walks


def test_tabs_pressing_train_together_get_no_more_jobs_than_the_workspace_limit(tmp_path, made, monkeypatch):
    slow_walks(monkeypatch)
    monkeypatch.setattr(job_limits, "DISK_MEASURE_SECONDS", 0.0)
    jobs = fast_registry(tmp_path, made, jobs_per_workspace=2)
    token = new_token()
    accepted, refused = submit_together(jobs, [token] * 8)
    assert len(accepted) == 2 and len(refused) == 6
    assert all(isinstance(error, JobLimitError) for error in refused)


def test_jobs_submitted_together_stop_at_the_disk_cap(tmp_path, made, monkeypatch):
    slow_walks(monkeypatch)
    monkeypatch.setattr(job_limits, "DISK_MEASURE_SECONDS", 0.0)
    (tmp_path / "old-run").mkdir()
    (tmp_path / "old-run" / "model.keras").write_bytes(b"x" * 2**20)
    # Room for two and a half runs beside the old one: the first three jobs start while it is not full.
    cap = 2**20 + 2.5 * RUN_RESERVE_BYTES
    jobs = fast_registry(tmp_path, made, disk_cap_mb=cap / 2**20)
    accepted, refused = submit_together(jobs, [new_token() for _ in range(8)])
    assert len(accepted) == 3 and len(refused) == 5
    assert all(isinstance(error, RunStorageError) and "counting room for the 3 run(s)" in str(error)
               for error in refused)


def test_a_published_run_counts_toward_the_disk_cap_without_a_new_walk(tmp_path, made, monkeypatch):
    walks = slow_walks(monkeypatch)
    jobs = fast_registry(tmp_path, made, disk_cap_mb=3)
    job = jobs.submit(quick(), owner="a")
    wait_for(lambda: made, timeout=5)
    made[0].finish(run_bytes=3 * 2**20)
    wait_for(lambda: not job.active, timeout=5)
    with pytest.raises(RunStorageError, match="already fill 3 MB of the 3 MB allowed"):
        jobs.submit(quick(), owner="a")
    assert len(walks) == 2  # one of the runs folder, before the first job; one of the run it published


# --- real training processes ---------------------------------------------------------------------------------


def registry(fake_mnist, tmp_path, **limits) -> JobRegistry:
    """A registry of real training processes; `limits` are ServerSettings fields."""
    return JobRegistry(out_dir=lambda: tmp_path, env={"MNIST_PATH": str(fake_mnist)}, settings=ServerSettings(**limits))


def config(epochs, samples=512) -> TrainingConfig:
    return TrainingConfig(epochs=epochs, train_samples=samples, batch_size=8, optimizer="adam")


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def published(tmp_path) -> list:
    """What a folder of runs holds, but for the registry's record of its active jobs."""
    return sorted(path.name for path in tmp_path.iterdir() if path.name != JOURNAL_FILE)


def test_a_child_that_ignores_stop_is_killed_and_leaves_nothing(fake_mnist, tmp_path, monkeypatch):
    monkeypatch.setattr(process_runner, "STOP_GRACE_SECONDS", 1.0)
    jobs = registry(fake_mnist, tmp_path)
    job = jobs.submit(config(200, samples=4000), owner="a")
    wait_for(lambda: job.batch_points)
    os.kill(job.pids[0], signal.SIGSTOP)  # frozen: it cannot read the request
    jobs.stop(job.job_id)
    wait_for(lambda: not job.active, timeout=30)
    assert job.status == "stopped" and "showed no sign of life for 1 s after the stop request" in job.message
    assert job.run_path is None and published(tmp_path) == []


@pytest.mark.parametrize(("since_request", "since_event", "expected"), [
    (5, None, None), (16, None, "silent"),  # asked, no sign of life since
    (16, 5, None),  # an event or CPU used 5 s ago: winding down (validation, the test evaluation, the saving)
    (40, 16, "silent"), (170, 1, None), (181, 1, "slow"),  # gone quiet later; or alive, but for too long
])
def test_a_child_asked_to_stop_is_overdue_when_it_goes_quiet_or_takes_too_long(since_request, since_event, expected):
    now = 1000.0
    last_event = None if since_event is None else now - since_event
    assert stop_rules.STOP_GRACE_SECONDS == 15 and stop_rules.STOP_LIMIT_SECONDS == 180
    assert stop_rules.stop_overdue(now - since_request, last_event, 15.0, now) == expected
    assert stop_rules.stop_overdue(None, last_event, 15.0, now) is None  # never asked
    if expected:
        message = str(stop_rules.killed_after_stop_message(expected, 15.0))
        assert ("no sign of life for 15 s" if expected == "silent" else "had not ended 180 s after") in message


def test_a_child_that_works_shows_it_in_its_cpu_time_and_a_frozen_one_does_not():
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        first = resources.cpu_seconds(busy.pid)
        time.sleep(0.5)
        assert resources.cpu_seconds(busy.pid) > first
        os.kill(busy.pid, signal.SIGSTOP)
        time.sleep(0.1)
        frozen = resources.cpu_seconds(busy.pid)
        time.sleep(0.5)
        assert resources.cpu_seconds(busy.pid) == frozen
    finally:
        busy.kill()
        busy.wait()
    assert resources.cpu_seconds(busy.pid) is None  # gone


def test_a_job_that_fails_reports_why(fake_mnist, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    jobs = JobRegistry(out_dir=lambda: blocker, env={"MNIST_PATH": str(fake_mnist)}, settings=ServerSettings())
    job = jobs.submit(config(1), owner="a")
    wait_for(lambda: not job.active)
    assert job.status == "failed" and "Cannot write runs" in job.message


def test_a_config_the_command_line_refuses_never_starts(fake_mnist, tmp_path):
    jobs = registry(fake_mnist, tmp_path)
    with pytest.raises(ValueError, match="batch_size"):
        jobs.submit(TrainingConfig(batch_size=0), owner="a")
    assert jobs.running_count() == 0


def test_process_runner_reads_events_and_ignores_other_lines(fake_mnist, tmp_path):
    events = []
    process = TrainingProcess(config(1), tmp_path, "run-1", events.append, {"MNIST_PATH": str(fake_mnist)})
    script = ("import sys\nfrom lib.engine.events import *\n"
              "print('TensorFlow says hello')\n"
              "print(to_json(StartEvent('run-1', 1, 2, 10, 'default', 1)))\n"
              "print('{not json')\nprint('{\"kind\": \"lunch\"}')\n"
              "print(to_json(BatchEvent(1, 1, 2, 0.5, 0.25)))\n"
              "print(to_json(EndEvent('finished', 'Trained 1 epoch(s).', '')))\n")
    process.command = [sys.executable, "-c", script]
    process.start()
    outcome = process.outcome()
    assert [type(event) for event in events] == [StartEvent, BatchEvent, EndEvent]
    assert outcome.status == "finished" and outcome.message == "Trained 1 epoch(s)."


def test_a_child_that_crashes_reports_its_last_words(tmp_path):
    process = TrainingProcess(config(1), tmp_path, "run-2", lambda event: None)
    process.command = [sys.executable, "-c", "import sys; sys.stderr.write('Segmentation fault in kernel\\n'); sys.exit(3)"]
    (tmp_path / ".run-2.abc.partial").mkdir()
    process.start()
    outcome = process.outcome()
    assert outcome.status == "failed" and "exited with status 3" in outcome.message
    assert "Segmentation fault in kernel" in outcome.message and published(tmp_path) == []


def test_the_error_of_a_traceback_is_its_last_line_after_tensorflows_start_up_lines():
    from lib.server.process_runner import error_line

    traceback = ('Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n'
                 "OSError: [Errno 28] No space left on device\n")
    assert error_line(TENSORFLOW_START_UP + traceback) == "OSError: [Errno 28] No space left on device"
    assert error_line(TENSORFLOW_START_UP) == ""


TENSORFLOW_START_UP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796606493.282748    7833 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors.\n"
    "E0000 00:00:1796606493.300000    7833 cuda_executor.cc:1309] INTERNAL: CUDA Runtime error: Failed call to "
    "cudaGetRuntimeVersion\n")


def test_a_crashed_child_is_reported_by_its_error_not_by_tensorflows_start_up_lines(tmp_path):
    process = TrainingProcess(config(1), tmp_path, "run-3", lambda event: None)
    crash = ("import sys\n"
             f"sys.stderr.write({TENSORFLOW_START_UP!r})\n"
             "sys.exit('error: runs/ is full: No space left on device')\n")
    process.command = [sys.executable, "-c", crash]
    process.start()
    outcome = process.outcome()
    assert outcome.status == "failed"
    assert outcome.message.endswith("It said: error: runs/ is full: No space left on device")
    assert "oneDNN" not in outcome.message and "absl" not in outcome.message


def test_death_reasons_are_plain_words():
    assert death_reason(-9) == "the training process was killed, most likely for lack of memory"
    assert death_reason(-11) == "the training process died of SIGSEGV"
    assert death_reason(2) == "the training process exited with status 2"


def test_free_ports_skip_a_port_already_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = free_ports(4)
        assert port not in ports and len(set(ports)) == 4
    clusters = local_cluster(2)
    assert '"index": 0' in clusters[0] and '"index": 1' in clusters[1]


def test_one_job_runs_and_the_next_waits_its_turn_and_the_two_worker_demonstration_is_one_job_with_one_run(
        fake_mnist, tmp_path):
    # The queue with real processes, on the demonstration's two: the next job waits for the whole job to end.
    jobs = registry(fake_mnist, tmp_path, max_jobs=1)
    demo = jobs.submit(TrainingConfig(epochs=2, train_samples=512, batch_size=32, strategy="multiworker"),
                       owner="a", demo_workers=2)
    after = jobs.submit(config(1), owner="b")
    assert demo.status == "running" and after.status == "queued" and len(demo.pids) <= 2
    assert jobs.queue_position(after.job_id) == 1
    wait_for(lambda: not demo.active, timeout=240)
    assert demo.status == "finished", demo.message
    assert [len(worker.history) for worker in demo.workers] == [2, 2] and demo.run_path and demo.batch_points
    losses = [[row["loss"] for row in worker.history] for worker in demo.workers]
    assert losses[0] == pytest.approx(losses[1])  # in step: the same reduced loss on both
    wait_for(lambda: after.status == "finished")
    assert demo.finished <= after.started + 0.5 and len(after.history) == 1 and after.run_path
    assert len(published(tmp_path)) == 2  # the chief's run and the next job's; the other worker wrote nothing

def test_a_workspace_may_not_queue_a_second_job_a_killed_child_fails_a_stopped_one_keeps_its_run_and_the_queue_moves_on(
        fake_mnist, tmp_path):
    # One queue of three real jobs checks what three tests did, with three training processes instead of five: the
    # limit and the wait estimate, a killed child, a stopped one, and the queue moving on after each.
    jobs = registry(fake_mnist, tmp_path, max_jobs=1)
    alice, bob, carol = new_token(), new_token(), new_token()
    doomed = jobs.submit(config(200, samples=4000), owner=alice)
    with pytest.raises(JobLimitError, match="already has 1 job"):
        jobs.submit(config(1), owner=alice)
    wait_for(lambda: doomed.batch_points)  # mid-epoch, in a process of its own (none was started ahead: none waited)
    stopped = jobs.submit(config(200, samples=4000), owner=bob)
    waiting = jobs.submit(config(1), owner=carol)
    assert doomed.status == "running" and jobs.queue_position(waiting.job_id) == 2
    wait_for(lambda: jobs.wait_estimate(stopped.job_id) is not None)
    assert jobs.wait_estimate(stopped.job_id) > 0 and jobs.wait_estimate(doomed.job_id) is None
    assert jobs.latest(alice) is doomed and jobs.latest("nobody") is None
    # A killed child fails its job with the reason, and the next job starts.
    assert process_runner.training_children(os.getpid()) == doomed.pids  # the one this process started
    os.kill(doomed.pids[0], signal.SIGKILL)
    wait_for(lambda: not doomed.active)
    assert doomed.status == "failed"
    assert "killed, most likely for lack of memory" in doomed.message
    # A running job stopped keeps its run, and the next job starts.
    wait_for(lambda: stopped.batch_points)
    jobs.stop(stopped.job_id)
    wait_for(lambda: not stopped.active)
    assert stopped.status == "stopped" and stopped.run_path and len(stopped.history) < 200
    wait_for(lambda: waiting.status == "finished")
    # Each workspace's run is in its own folder; the killed job's half-written folder is gone.
    assert published(tmp_path / "workspaces" / bob) == [os.path.basename(stopped.run_path)]
    assert os.path.dirname(waiting.run_path) == str(tmp_path / "workspaces" / carol)
    assert published(tmp_path / "workspaces" / alice) == []


# A "server" that starts one training process and waits: the test kills it as a crash would.
FAKE_SERVER = """
import sys, threading, time
from pathlib import Path
from lib.engine.config import TrainingConfig
from lib.engine.events import BatchEvent
from lib.server.process_runner import TrainingProcess

training = threading.Event()
config = TrainingConfig(epochs=200, train_samples=4000, batch_size=8, optimizer="adam")
process = TrainingProcess(config, Path(sys.argv[1]), "orphan", lambda event: isinstance(event, BatchEvent) and training.set(),
                          {"MNIST_PATH": sys.argv[2]})
process.start()
training.wait(300)
print(process.pid, flush=True)
time.sleep(600)
"""


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie has exited; whoever adopted it has not reaped it yet


def test_a_training_child_whose_server_dies_exits_and_publishes_no_run(fake_mnist, tmp_path):
    server = subprocess.Popen([sys.executable, "-c", FAKE_SERVER, str(tmp_path), str(fake_mnist)],
                              cwd=process_runner.ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(server.stdout.readline())
        assert list(tmp_path.glob(".orphan.*.partial"))  # mid-run: its hidden folder is there
        server.kill()  # the server crashes
        server.wait()
        wait_for(lambda: process_gone(child), timeout=60)
        wait_for(lambda: published(tmp_path) == [], timeout=10)  # neither a failed run nor a partial folder
    finally:
        server.kill()
