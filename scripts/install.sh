#!/usr/bin/env bash
# Idempotent installer for ./test.sh and ./run.sh: Debian packages (when root), then .venv with the project.
# Prints nothing when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "install: $*" >&2; }

# Xvfb/PulseAudio/null-sink tools for the virtual devices; libportaudio2 because sounddevice's Linux wheel does not
# bundle PortAudio ("PortAudio library not found" at import); x11-apps (xwd), imagemagick (import), xdotool to
# capture and drive real windows; fonts-noto-cjk and poppler-utils for the Chinese PDF reports and their checks.
packages=(xvfb xauth libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins x11-apps imagemagick xdotool
          fonts-noto-cjk poppler-utils)
if command -v dpkg >/dev/null && command -v apt-get >/dev/null; then
    missing=()
    for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ]; then
            say "apt-get install ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq >/dev/null
            apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            say "missing system packages (continuing without them): sudo apt-get install -y ${missing[*]}"
        fi
    fi
fi

if ! .venv/bin/python -c '' 2>/dev/null; then  # missing, or broken (e.g. its base Python was removed)
    say "creating .venv"
    rm -rf .venv
    python3 -m venv .venv
fi
hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat .venv/.installed-hash 2>/dev/null)" != "$hash" ]; then
    say "pip install -e '.[test]' (first run takes a minute)"
    .venv/bin/python -m pip install -qq --disable-pip-version-check -e '.[test]'
    echo "$hash" > .venv/.installed-hash
fi
