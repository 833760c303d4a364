"""Run zips: a run folder packed for download or sent back by a Ray worker, and uploads (a run zip or a Keras
CSVLogger CSV) read back.

Nothing uploaded is unpacked to disk: a zip is read in memory, only the files a run is read from, each with a
limit on its unpacked size, and a member whose path climbs out of its folder is refused. Everything else about
runs (their folders, their history files) is lib.runs.store's.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from lib.i18n import _
from lib.runs.history_file import RunReadError, parse_history_csv
from lib.runs.schema import RunSchemaError, check_run_files, parse_run_json
from lib.runs.store import Run, RunBuilder, RunStorageError
from lib.runs.workspaces import SHARED_FILE

# Run zips: the files they may hold and how large each may be once unpacked.
RUN_FILES = ("config.json", "history.csv", "metrics.json")
MAX_UNPACKED_BYTES = 5 * 2**20
MAX_UPLOAD_BYTES = 20 * 2**20  # a whole upload, CSV or zip, as it arrives


def zip_run(path: Path) -> bytes:
    """The whole run folder as a zip, for download; the zip's top folder is the run's id."""
    buffer = io.BytesIO()
    path = Path(path)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name != SHARED_FILE:
                archive.write(file, Path(path.name) / file.relative_to(path))
    return buffer.getvalue()


def zip_folder(path: Path) -> bytes:
    """A folder's files as a zip, paths relative to the folder (a data set of one's own, sent to a Ray worker)."""
    buffer = io.BytesIO()
    path = Path(path)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(path))
    return buffer.getvalue()


def publish_run_zip(data: bytes, root: Path, run_id: str) -> Path:
    """Unpack a whole run zip (zip_run's, from a Ray worker) into a hidden folder under `root`, then publish it as
    run `run_id` in one rename: a reader never sees half of it. RunStorageError if it cannot be written or the
    zip is not one run folder."""
    builder = RunBuilder(root, run_id)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for item in archive.infolist():
                parts = PurePosixPath(item.filename).parts
                if len(parts) < 2 or item.filename.startswith(("/", "\\")) or ".." in parts or "\\" in item.filename:
                    raise RunStorageError(f"The run zip holds {item.filename!r}, which is not a file of one run folder.")
                if item.is_dir():
                    continue
                target = builder.staging.joinpath(*parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(item) as source, open(target, "wb") as copy:
                    while chunk := source.read(2**20):
                        copy.write(chunk)
    except RunStorageError:
        builder.discard()
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        builder.discard()
        raise RunStorageError(f"Cannot unpack the run into {root}: {error}") from error
    return builder.publish()


def run_from_zip(data: bytes, name: str) -> Run:
    """A Run read from a run zip in memory: nothing is unpacked to disk.

    Only config.json, history.csv and metrics.json at the top or one folder
    down are read; a member whose path climbs out of its folder or that
    would unpack to more than MAX_UNPACKED_BYTES is refused.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {}
            for item in archive.infolist():
                parts = PurePosixPath(item.filename).parts
                if item.filename.startswith(("/", "\\")) or ".." in parts or "\\" in item.filename:
                    raise RunReadError(_("{name} holds {member}, a path that climbs out of its folder.").format(
                        name=name, member=repr(item.filename)))
                if parts and parts[-1] in RUN_FILES and len(parts) <= 2:
                    if item.file_size > MAX_UNPACKED_BYTES:
                        raise RunReadError(_("{name}: {member} would unpack to {size:,} bytes; the limit is "
                                             "{limit:,}.").format(name=name, member=item.filename,
                                                                  size=item.file_size, limit=MAX_UNPACKED_BYTES))
                    members[parts[-1]] = item
            if "history.csv" not in members:
                raise RunReadError(_("{name} has no history.csv: upload a run downloaded from the Training page.").format(
                    name=name))

            def read(member: str) -> bytes:
                # The size in the zip's directory can lie; read no more than the limit allows.
                with archive.open(members[member]) as file:
                    content = file.read(MAX_UNPACKED_BYTES + 1)
                if len(content) > MAX_UNPACKED_BYTES:
                    raise RunReadError(_("{name}: {member} unpacks to more than {limit:,} bytes.").format(
                        name=name, member=member, limit=MAX_UNPACKED_BYTES))
                return content

            history, notes = parse_history_csv(read("history.csv").decode("utf-8"), f"{name}/history.csv")
            config = parse_run_json(read("config.json"), "config.json") if "config.json" in members else {}
            metrics = parse_run_json(read("metrics.json"), "metrics.json") if "metrics.json" in members else {}
            check_run_files(config, metrics)
    except RunSchemaError as error:
        raise RunReadError(_("{name} was not loaded: {error}").format(name=name, error=error)) from None
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError, EOFError) as error:
        raise RunReadError(_("{name} is not a readable run zip ({error}).").format(name=name, error=error)) from error
    if not config.get("name"):
        config["name"] = Path(name).stem
    return Run(Path(name), config, history, metrics, "upload", notes)


def run_from_upload(data: bytes, name: str) -> Run:
    """A Run from an uploaded CSVLogger CSV or run zip; RunReadError names what is wrong."""
    if not data:
        raise RunReadError(_("{name} is empty.").format(name=name))
    if len(data) > MAX_UPLOAD_BYTES:
        raise RunReadError(_("{name} is larger than {limit} MB.").format(name=name, limit=MAX_UPLOAD_BYTES // 2**20))
    if name.lower().endswith(".zip"):
        return run_from_zip(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunReadError(_("{name} is not a text CSV file.").format(name=name)) from error
    history, notes = parse_history_csv(text, name)
    return Run(Path(name), {"name": Path(name).stem}, history, {}, "upload", notes)
