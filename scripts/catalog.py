"""The Korean catalog's chores, with Babel: extract, update, merge translations in, compile, check.

    .venv/bin/python scripts/catalog.py update          # extract locales/messages.pot, merge it into ko's .po
    .venv/bin/python scripts/catalog.py merge A.po ...  # take the translations of other .po files
    .venv/bin/python scripts/catalog.py compile         # the .mo (scripts/run.sh does this at start)
    .venv/bin/python scripts/catalog.py check           # lists what is missing, untranslated or fuzzy
    .venv/bin/python scripts/catalog.py part OUT.po FILE...  # the messages of FILEs only, to translate apart

`check` exits 1 when the catalog has fallen behind the code; tests/test_catalog.py runs the same check.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.frontend import CommandLineInterface  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from lib.i18n import KOREAN, LOCALE_DIR, compile_catalog, po_path  # noqa: E402

POT = LOCALE_DIR / "messages.pot"
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(target: Path = POT) -> Catalog:
    """Babel's extraction of every marked string (babel.cfg), written to `target` and returned."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)  # locations relative to the repository
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords", *KEYWORDS, "--sort-by-file",
            "--project", "CNN Lab", "--no-wrap", "-o", str(target), ".")
    with target.open("rb") as source:
        return read_po(source)


def read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=KOREAN)


def write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_by_file=True, include_previous=False)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(path)


def update() -> None:
    extract()
    if not po_path(KOREAN).exists():
        pybabel("init", "-i", str(POT), "-d", str(LOCALE_DIR), "-l", KOREAN, "--no-wrap")
    else:
        pybabel("update", "-i", str(POT), "-d", str(LOCALE_DIR), "-l", KOREAN, "--no-fuzzy-matching",
                "--no-wrap", "--ignore-obsolete")


def part(out: Path, files: list[Path]) -> tuple[int, int]:
    """The messages of `files` in a .po of their own at `out`, translations kept from `out` itself and the
    Korean catalog, so that several people can translate their own files side by side and `merge` them."""
    os.chdir(ROOT)
    pot = out.with_suffix(".pot")
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords", *KEYWORDS, "--sort-by-file",
            "--no-wrap", "-o", str(pot), *[str(Path(file).resolve().relative_to(ROOT)) for file in files])
    with pot.open("rb") as source:
        extracted = read_po(source, locale=KOREAN)
    pot.unlink()
    known = [read(out)] if out.exists() else []
    if po_path(KOREAN).exists():
        known.append(read(po_path(KOREAN)))
    for message in extracted:
        if not message.id:
            continue
        for catalog in known:
            own = catalog.get(message.id, message.context)
            if own is not None and translated(own) and not own.fuzzy:
                message.string = own.string
                break
    extracted.locale = KOREAN
    write(extracted, out)
    messages = [message for message in extracted if message.id]
    return len(messages), sum(not translated(message) for message in messages)


def translated(message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def merge(sources: list[Path]) -> int:
    """Fill the Korean catalog's messages from `sources` (a part's translation replaces the catalog's: the
    part is its translator's latest word); the number filled or changed."""
    catalog = read(po_path(KOREAN))
    filled = 0
    for source in sources:
        for message in read(source):
            if not message.id or not translated(message):
                continue
            own = catalog.get(message.id, message.context)
            if own is not None and (not translated(own) or own.string != message.string or own.fuzzy):
                string = message.string
                if own.pluralizable and not isinstance(string, (tuple, list)):
                    string = (string,)
                own.string = string
                own.flags.discard("fuzzy")
                filled += 1
    write(catalog, po_path(KOREAN))
    return filled


def problems(extracted: Catalog | None = None) -> list[str]:
    """What the Korean catalog lacks against the code: missing, untranslated or fuzzy messages."""
    extracted = extracted if extracted is not None else extract(LOCALE_DIR / ".check.pot")
    catalog = read(po_path(KOREAN))
    found = []
    for message in extracted:
        if not message.id:
            continue
        own = catalog.get(message.id, message.context)
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        text = message.id if isinstance(message.id, str) else message.id[0]
        if own is None:
            found.append(f"missing ({where}): {text!r}")
        elif own.fuzzy:
            found.append(f"fuzzy ({where}): {text!r}")
        elif not translated(own):
            found.append(f"untranslated ({where}): {text!r}")
    return found


@contextlib.contextmanager
def catalog_lock():
    """One writer of the Korean catalog at a time (several translators may update and merge side by side)."""
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / ".catalog.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "merge", "compile", "check", "extract", "part"])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    with catalog_lock():
        return run(args)


def run(args) -> int:
    if args.command == "extract":
        print(f"{len(extract())} messages in {POT.relative_to(ROOT)}")
    elif args.command == "update":
        update()
    elif args.command == "part":
        total, left = part(args.files[0], args.files[1:])
        print(f"{args.files[0]}: {total} messages, {left} untranslated")
    elif args.command == "merge":
        print(f"filled {merge(args.files)} messages")
    elif args.command == "compile":
        compile_catalog(KOREAN)
    else:
        found = problems()
        (LOCALE_DIR / ".check.pot").unlink(missing_ok=True)
        for line in found:
            print(line)
        print(f"{len(found)} problems")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
