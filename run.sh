#!/usr/bin/env bash
# Run the app: ./run.sh [rescue-signals args]. Uses the machine's own screen and sound card (no virtual devices).
# Paths given as arguments stay relative to the folder the command was run from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && scripts/install.sh)
exec "$here/.venv/bin/rescue-signals" "$@"
