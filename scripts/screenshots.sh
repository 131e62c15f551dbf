#!/usr/bin/env bash
# The README's screenshots (docs/screenshots): the layout walk at 1366x768 in Chinese, then chosen states copied.
#   scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./test.sh tests/app/test_app_layout.py -q -k "zh and 1366x768"
shots=test-artifacts/layout/zh-1366x768
# README name  <-  state of the walk
while read -r name state; do
    cp "$shots/$state.png" "docs/screenshots/$name.png"
done <<'LIST'
start start-with-trainees
course course-step-1
home home
learn learn-card-1
learn-walk learn-walk-8
listen listen-trial-1-answer
knock knock-graded
exchange exchange-running-4
progress progress-filled
decode decode-result
LIST
echo "screenshots: docs/screenshots updated from $shots"
