#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine (run as root, or with sudo available):
# system packages, a virtualenv in .venv, and the package with its dev extras.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils qpdf
  fonts-liberation2 fonts-dejavu-core fonts-dejavu-extra fonts-freefont-ttf hunspell-vi
  ocrmypdf chromium python3-venv jbig2dec postgresql postgresql-contrib redis-server
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.sohoa-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing the Python package into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi

# The package is installed editable, and with PYTHONDONTWRITEBYTECODE set (as on the dev
# machines) Python compiles its ~60 modules from source at every start: ~0.1 CPU s in
# `sohoa ingest`'s fork server, on the path to the first page, and more in the parent.
# Byte-compiled here once (again after a change; up-to-date files are skipped), they load.
.venv/bin/python -m compileall -q pipeline
