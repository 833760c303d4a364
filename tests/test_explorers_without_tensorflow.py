"""The explorer pages run on numpy alone: rendering them never imports TensorFlow.

Why CNNs has one part that needs trained models, the shift experiment; it loads TensorFlow only after its
button is pressed (tests/test_why_cnns.py presses it), so opening the page stays TensorFlow-free.

The server's background warm-up (ui/warmup.py) imports TensorFlow after a visitor's first page, on purpose; it is
held back here so that what is checked is the pages' own imports, and tests/test_warmup.py checks the warm-up.
"""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXPLORER_PAGES = ["pages/operations/convolution.py", "pages/operations/conv_layer.py", "pages/operations/pooling.py",
                  "pages/operations/why_cnns.py"]

SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
import ui.warmup
ui.warmup.WARM_UP.start = lambda: False  # the warm-up imports TensorFlow by design; the pages must not
app = AppTest.from_file({entry!r}, default_timeout=60)
app.run()
app.switch_page({page!r})
app.run()
assert not app.exception, [e.message for e in app.exception]
assert app.title, "page rendered nothing"
print("TF_IMPORTED" if any(name == "tensorflow" or name.startswith("tensorflow.") for name in sys.modules) else "TF_ABSENT")
"""


@pytest.mark.parametrize("page", EXPLORER_PAGES)
def test_explorer_page_leaves_tensorflow_unimported(page):
    code = SCRIPT.format(entry=str(ROOT / "streamlit_app.py"), page=page)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "TF_ABSENT" in result.stdout
