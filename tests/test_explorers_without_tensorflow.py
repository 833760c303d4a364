"""Every page not declared `needs_tensorflow` (lib/server/pages.py) runs on numpy alone: rendering it never imports
TensorFlow. The explorer pages open instantly for it; a page that starts to need TensorFlow says so in its
declaration, and a page added without the tag is checked here at once.

Why CNNs has one part that needs trained models, the shift experiment; it loads TensorFlow only after its
button is pressed (tests/test_why_cnns.py presses it), so opening the page stays TensorFlow-free.

The pages are opened one after another in one fresh interpreter (a fresh one for each would cost seconds a page);
it stops at the first page that imports TensorFlow, since every page after it would then find TensorFlow loaded.
The server's background warm-up (ui/warmup.py) imports TensorFlow after a visitor's first page, on purpose; it is
held back here so that what is checked is the pages' own imports, and tests/test_warmup.py checks the warm-up.
"""

import json
import subprocess
import sys

import pytest

from lib.server.navigation import untagged
from lib.server.pages import NEEDS_TENSORFLOW
from tests.conftest import ROOT


def tensorflow_free_pages() -> list:
    """The pages declared without `needs_tensorflow`, in the sidebar's order."""
    return untagged(NEEDS_TENSORFLOW)


PAGES = tensorflow_free_pages()

SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
import tests.conftest
import ui.warmup
ui.warmup.WARM_UP = tests.conftest.WarmUpOff()  # the warm-up imports TensorFlow by design; the pages must not

def tensorflow_loaded():
    return any(name == "tensorflow" or name.startswith("tensorflow.") for name in sys.modules)

app = AppTest.from_file({entry!r}, default_timeout=60)
app.run()
found = {{}}
for page in {pages!r}:
    app.switch_page(page)
    app.run()
    if app.exception:
        found[page] = "failed: " + "; ".join(exception.message for exception in app.exception)
    elif not app.title:
        found[page] = "rendered nothing"
    else:
        found[page] = "imported TensorFlow" if tensorflow_loaded() else "TensorFlow-free"
    if tensorflow_loaded():
        break
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def opened() -> dict[str, str]:
    """What each TensorFlow-free page did when opened: "TensorFlow-free", or what went wrong."""
    paths = [page.path for page in PAGES]
    code = SCRIPT.format(entry=str(ROOT / "streamlit_app.py"), pages=paths)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60 + 30 * len(paths))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("page", PAGES, ids=[page.title for page in PAGES])
def test_page_not_declared_needing_tensorflow_leaves_it_unimported(page, opened):
    blamed = next((path for path, outcome in opened.items() if outcome == "imported TensorFlow"), None)
    assert page.path in opened, f"not checked: {blamed} imported TensorFlow before it"
    assert opened[page.path] == "TensorFlow-free", opened[page.path]
