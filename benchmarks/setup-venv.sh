#!/usr/bin/env bash
# Creates benchmarks/.venv with the project and the peer onset detectors (librosa, aubio, madmom if it builds).
#   bash benchmarks/setup-venv.sh            then   benchmarks/.venv/bin/python benchmarks/decoder_benchmark.py
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
venv=$here/.venv
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check -q)
# madmom 0.16.1 imports pkg_resources, which setuptools 81 dropped.
"${pip[@]}" --upgrade pip wheel "setuptools<81"
"${pip[@]}" -e "$root"
# aubio 0.4.9 is a source distribution: it needs a C compiler and numpy's headers at build time.
"${pip[@]}" numpy
"${pip[@]}" --no-build-isolation -r "$here/requirements.txt"
# madmom's CNN onset detector is optional: its last release predates current numpy and Python; try the
# release first, then the maintained source tree, and carry on without it.
if ! "$venv/bin/python" -c "import madmom" 2>/dev/null; then
    "${pip[@]}" cython mido \
        && { "${pip[@]}" --no-build-isolation madmom \
             || echo "setup-venv: madmom could not be installed; the benchmark runs without it" >&2; } \
        || true
fi
"$venv/bin/python" - <<'PY'
import importlib
for name in ("librosa", "aubio", "madmom"):
    try:
        m = importlib.import_module(name)
        print(f"{name} {getattr(m, '__version__', '?')}")
    except Exception as exc:  # report and go on: peers are optional
        print(f"{name} not available: {exc}")
PY
