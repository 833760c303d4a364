# Shared install steps for scripts/run.sh and scripts/test.sh (sourced, not run).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Create .venv (installing Debian's python3-venv if the interpreter lacks it)
# and install the given requirements file into it.
install_python_packages() {
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      as_root apt-get update -q
      as_root apt-get install -y -q "python3-venv"
      python3 -m venv .venv
    fi
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$1"
}

# Playwright cannot download its own browser here, so tests use Debian's: its headless shell (Chromium's
# renderer without the browser's window code, which draws a page with less CPU; tests/browser.py) and the full
# Chromium, used where the shell is missing.
install_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromium-headless-shell ]; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    # Only a saving: without the shell the tests use the full Chromium.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium-headless-shell \
      || echo "note: chromium-headless-shell did not install; the browser tests use /usr/bin/chromium"
  fi
}
