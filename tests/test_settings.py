"""The server's settings: one reader of every CNN_LAB_* variable, and a bad value stops the server in one line."""

import dataclasses
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lib.settings import ServerSettings, SettingsError, settings
from tests.conftest import ROOT, entry_app


def test_unset_and_empty_variables_mean_the_defaults():
    assert ServerSettings.from_env({}) == ServerSettings()
    assert ServerSettings.from_env({"CNN_LAB_MAX_JOBS": " ", "CNN_LAB_RUNS_DIR": ""}) == ServerSettings()


def test_every_variable_is_read_as_its_type():
    values = ServerSettings.from_env({"CNN_LAB_RUNS_DIR": "/tmp/runs", "CNN_LAB_MAX_JOBS": "3",
                                      "CNN_LAB_ABANDON_SECONDS": "90.5", "CNN_LAB_DISK_CAP_MB": "2e3",
                                      "CNN_LAB_LIVE_REFRESH": "0.5", "CNN_LAB_RAY_ADDRESS": "10.0.0.1:6379"})
    assert values.runs_dir == Path("/tmp/runs") and values.max_jobs == 3 and values.ray_address == "10.0.0.1:6379"
    assert values.abandon_seconds == 90.5 and values.disk_cap_bytes == 2000 * 2**20 and values.live_refresh_seconds == 0.5


@pytest.mark.parametrize("address", ["10.0.0.1:6379", "head.example.org:6379", "ray://10.0.0.1:10001",
                                     "[::1]:6379", "auto"])
def test_ray_addresses_as_ray_writes_them_are_allowed(address):
    assert ServerSettings.from_env({"CNN_LAB_RAY_ADDRESS": address}).ray_address == address


def test_every_field_names_a_variable_of_its_own():
    names = [field.metadata["env"] for field in dataclasses.fields(ServerSettings)]
    assert len(set(names)) == len(names) and all(name.startswith("CNN_LAB_") for name in names)


@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("CNN_LAB_MAX_JOBS", "0", "a whole number from 1 to 64"),  # 0 would queue every job for ever
    ("CNN_LAB_MAX_JOBS", "abc", "a whole number from 1 to 64"),
    ("CNN_LAB_JOBS_PER_WORKSPACE", "1.5", "a whole number from 1 to 100"),
    ("CNN_LAB_RUNS_PER_WORKSPACE", "-2", "a whole number from 1 to 10000"),
    ("CNN_LAB_ABANDON_SECONDS", "0", "a finite number from 15 to 604800"),
    # Below three of the sidebar's 5 s check-ins, jobs of visitors who are still there would be stopped.
    ("CNN_LAB_ABANDON_SECONDS", "4", "a finite number from 15 to 604800"),
    ("CNN_LAB_MAX_TRAIN_SECONDS", "nan", "a finite number above 0 and at most 604800"),
    ("CNN_LAB_DISK_CAP_MB", "inf", "a finite number above 0 and at most 1.07374e+09"),
    # Finite, but its bytes are not: every page would crash.
    ("CNN_LAB_DISK_CAP_MB", "1e308", "a finite number above 0 and at most 1.07374e+09"),
    ("CNN_LAB_LIVE_REFRESH", "0.01", "a finite number from 0.1 to 3600"),
    # A browser's timer overflows past 24.8 days and then fires at once, again and again.
    ("CNN_LAB_LIVE_REFRESH", "2200000", "a finite number from 0.1 to 3600"),
    ("CNN_LAB_LIVE_CHART_REFRESH", "soon", "a finite number from 0.1 to 3600"),
    ("CNN_LAB_MAX_JOBS", "1" + "0" * 400, "a whole number from 1 to 64"),
    # Ray would try to reach it and fail a minute later on the first job.
    ("CNN_LAB_RAY_ADDRESS", "my cluster", "a Ray address: host:port, ray://host:port or auto"),
    ("CNN_LAB_RAY_ADDRESS", "10.0.0.1", "a Ray address: host:port, ray://host:port or auto"),
])
def test_a_value_not_allowed_is_one_line_naming_the_variable_the_value_and_the_range(name, value, allowed):
    with pytest.raises(SettingsError) as caught:
        ServerSettings.from_env({name: value})
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}={value!r} is not allowed")
    assert allowed in message


def test_every_number_setting_has_a_largest_value_and_its_largest_value_keeps_the_app_working():
    for spec in dataclasses.fields(ServerSettings):
        if spec.type in ("Path", Path, "str", str):
            continue
        largest = ServerSettings(**{spec.name: spec.metadata["maximum"]})
        assert largest.disk_cap_bytes > 0
        assert largest.live_refresh_seconds * 1000 < 2**31 - 1 and largest.live_chart_refresh_seconds * 1000 < 2**31 - 1


def test_settings_built_in_code_are_checked_too():
    with pytest.raises(SettingsError, match="CNN_LAB_MAX_JOBS='0'"):
        ServerSettings(max_jobs=0)


def test_settings_follow_the_environment_as_it_changes(monkeypatch):
    monkeypatch.setenv("CNN_LAB_MAX_JOBS", "2")
    assert settings().max_jobs == 2
    monkeypatch.setenv("CNN_LAB_MAX_JOBS", "4")
    assert settings().max_jobs == 4
    assert settings({"CNN_LAB_MAX_JOBS": "5"}).max_jobs == 5


def check_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("CNN_LAB_")}
    return subprocess.run([sys.executable, "-m", "lib.settings"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_the_start_up_check_refuses_a_ray_address_without_ray_installed():
    # A Python whose path holds the project but none of the venv's packages, so no Ray.
    clean = {name: value for name, value in os.environ.items() if not name.startswith("CNN_LAB_")}
    script = "import sys; sys.path = [p for p in sys.path if 'site-packages' not in p]; " \
             "import runpy; runpy.run_module('lib.settings', run_name='__main__')"
    result = subprocess.run([sys.executable, "-S", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**clean, "CNN_LAB_RAY_ADDRESS": "10.0.0.1:6379"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["CNN Lab cannot start: CNN_LAB_RAY_ADDRESS is set, but Ray is not "
                                                  "installed: install it with pip install -r requirements-cluster.txt."]
    assert check_settings({"CNN_LAB_RAY_ADDRESS": "10.0.0.1:6379"}).returncode == (
        0 if importlib.util.find_spec("ray") else 1)


def test_the_start_up_check_prints_one_line_and_fails_on_a_bad_value():
    result = check_settings({"CNN_LAB_MAX_JOBS": "abc"})
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CNN_LAB_MAX_JOBS='abc' is not allowed" in lines[0]


def test_the_start_up_check_passes_quietly_on_good_values():
    result = check_settings({"CNN_LAB_MAX_JOBS": "2"})
    assert result.returncode == 0 and result.stdout == result.stderr == ""


def test_run_script_checks_the_settings_before_starting_the_server():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert script.index("-m lib.settings") < script.index("scripts/serve.py")  # serve.py starts the server


def test_the_app_shows_a_bad_setting_in_one_line_and_nothing_else(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("CNN_LAB_MAX_JOBS", "0")
    app = entry_app(timeout=60)
    app.run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "CNN_LAB_MAX_JOBS='0' is not allowed: trainings that may run at once must be a whole number from 1 to 64 "
        "(default 1)."]
    assert not app.title  # no page ran


# A read of the environment: os.environ[...], os.environ.get(...), os.getenv(...), environ.get(...).
ENVIRONMENT_READ = re.compile(r"environ\s*(\[|\.get\b)|getenv\s*\(")


def test_no_module_but_lib_settings_reads_a_cnn_lab_variable():
    files = [path for folder in ("lib", "ui", "pages") for path in (ROOT / folder).rglob("*.py")]
    files.append(ROOT / "streamlit_app.py")
    offenders = []
    for path in files:
        if path == ROOT / "lib" / "settings.py":
            continue
        text = path.read_text()
        # Names bound to a variable's name (RUNS_DIR_ENV = "CNN_LAB_RUNS_DIR") count as the variable itself.
        aliases = re.findall(r"(\w+)\s*=\s*[\"']CNN_LAB_", text)
        for number, line in enumerate(text.splitlines(), 1):
            if ENVIRONMENT_READ.search(line) and ("CNN_LAB_" in line or any(re.search(rf"\b{alias}\b", line)
                                                                           for alias in aliases)):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_readme_settings_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text()
    missing = [field.metadata["env"] for field in dataclasses.fields(ServerSettings)
               if f"| `{field.metadata['env']}` |" not in readme]
    assert missing == []


def test_the_server_script_runs_the_app_with_streamlits_old_pages_mode_off():
    source = (ROOT / "scripts" / "serve.py").read_text()
    assert "PagesManager.uses_pages_directory = False" in source
    assert '"run", "streamlit_app.py"' in source
