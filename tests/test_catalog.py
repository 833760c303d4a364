"""The Korean catalog keeps up with the code: Babel's extraction of every marked string (babel.cfg) finds each
one in locales/ko/LC_MESSAGES/messages.po, translated and not fuzzy; and the catalog compiles."""

import importlib.util
import io

from babel.messages.mofile import read_mo

from lib.i18n import KOREAN, compile_catalog
from tests.conftest import ROOT


def catalog_script():
    spec = importlib.util.spec_from_file_location("catalog_script", ROOT / "scripts" / "catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_string_is_in_the_korean_catalog_translated_and_not_fuzzy(tmp_path):
    catalog = catalog_script()
    extracted = catalog.extract(tmp_path / "messages.pot")
    assert len([message for message in extracted if message.id]) > 50  # the extraction found the app's strings
    problems = catalog.problems(extracted)
    assert not problems, f"{len(problems)} messages: run scripts/catalog.py update and translate:\n" + "\n".join(
        problems[:60])


def test_the_catalog_compiles_and_keeps_placeholders():
    compiled = read_mo(io.BytesIO(compile_catalog(KOREAN, write=False)))
    for message in compiled:
        if not message.id or not isinstance(message.id, str):
            continue
        for name in ("{n}", "{step}", "{title}", "{name}"):
            if name in message.id:
                assert name in message.string, f"{message.id!r} -> {message.string!r} lost {name}"
