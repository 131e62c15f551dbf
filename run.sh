#!/usr/bin/env bash
# Run the app: ./run.sh [rescue-signals args]. Uses the machine's own screen and sound card (no virtual devices).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
exec .venv/bin/rescue-signals "$@"
