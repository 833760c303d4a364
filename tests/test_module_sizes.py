"""Files a person can hold: no module of the app, its library, scripts or benchmarks is over 330 lines (issue 30)."""

from lib import REPO_ROOT

MOST_LINES = 330
FOLDERS = ("lib", "ui", "pages", "scripts", "benchmarks")


def test_no_module_is_over_330_lines():
    modules = [REPO_ROOT / "streamlit_app.py"] + [path for folder in FOLDERS
                                                   for path in sorted((REPO_ROOT / folder).rglob("*.py"))]
    assert len(modules) > 100
    long = {str(path.relative_to(REPO_ROOT)): lines for path in modules
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES}
    assert not long, f"split these by responsibility: {long}"
