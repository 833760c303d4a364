"""The browser tests' waits poll on a timer, not on every animation frame (tests/browser.py, `wait_until`)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def frame_polled_waits(source: str) -> list[int]:
    """Lines calling Playwright's `wait_for_function` without a `polling` interval: it then polls every frame."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "wait_for_function"
                and not any(keyword.arg == "polling" for keyword in node.keywords)):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_frame_polled_wait_and_passes_a_timed_one():
    assert frame_polled_waits("page.wait_for_function('() => done', timeout=5)") == [1]
    assert frame_polled_waits("page.wait_for_function('() => done', polling=50)") == []


def test_no_browser_test_waits_on_every_animation_frame():
    found = {path.name: lines for path in sorted(TESTS.glob("*.py"))
             if (lines := frame_polled_waits(path.read_text()))}
    assert not found, f"use tests.browser.wait_until instead of wait_for_function at {found}"
