#!/usr/bin/env bash
# The test command: ./test.sh [pytest args]   (default: -q)
# Installs what is missing, starts a private virtual screen and sound card, runs pytest, and stops
# only the devices this run started.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh

# Devices already started by an earlier `scripts/virtual-devices.sh start` are reused and left running.
if ! scripts/virtual-devices.sh status; then
    trap 'scripts/virtual-devices.sh stop' EXIT
fi
scripts/virtual-devices.sh start
# PULSE_SERVER must be exported before anything imports sounddevice: it reads the device list at import.
source .devices/env

[ $# -gt 0 ] || set -- -q
rc=0
.venv/bin/python -m pytest "$@" || rc=$?
if [ $rc -eq 5 ]; then echo "test.sh: no tests collected" >&2; rc=1; fi
exit $rc
