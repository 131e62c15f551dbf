#!/usr/bin/env bash
# Virtual screen (Xvfb) and sound card (PulseAudio null sink) for machines that have neither.
#   start   start a private virtual screen and sound card; records the PIDs in .devices/pids, writes .devices/env.
#           Tests never use the desktop's own screen or speakers (windows would pop up, and a loopback test cannot
#           pass through a real speaker and microphone); RESCUE_SIGNALS_HOST_DEVICES=1 reuses them instead.
#   stop    kill exactly the PIDs recorded by start, nothing else
#   env     print .devices/env (export lines to `source`)
#   status  exit 0 if devices started by this script are running
# Facts and traps: /work/shared/ENVIRONMENT.md ("Virtual display and sound card").
set -eEuo pipefail   # -E: the ERR trap in start() also fires inside helper functions
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/.devices
pids=$dir/pids
say() { echo "virtual-devices: $*" >&2; }

# A display answers (without xdotool, e.g. a user who skipped the system packages, a set DISPLAY is trusted).
display_ok() { [ -n "${DISPLAY:-}" ] && { ! command -v xdotool >/dev/null || xdotool getdisplaygeometry >/dev/null 2>&1; }; }
pulse_ok() { pactl info >/dev/null 2>&1; }
wait_for() { # wait_for SECONDS CMD...: poll until CMD succeeds
    local n=$(( $1 * 10 )); shift
    until "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}
ready() { # ready PID LOG CHECK...: wait up to 15 s for CHECK, giving up as soon as PID has exited
    local pid=$1 log=$2 n=150; shift 2
    until "$@"; do
        if gone "$pid" || [ $((n -= 1)) -le 0 ]; then say "not ready, see $dir/$log"; return 1; fi
        sleep 0.1
    done
}

# "PID NAME" lines; a PID counts only while /proc/PID/comm still matches NAME (guards against PID reuse).
ours() {
    [ -s "$pids" ] || return 0
    local pid name
    while read -r pid name; do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && echo "$pid"
    done < "$pids"
    return 0
}
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }  # zombie = gone
running() { [ -s "$pids" ] && [ "$(ours | wc -l)" -eq "$(wc -l < "$pids")" ]; }

stop() {
    local list; list=$(ours | tac)   # reverse order: keep-alive, then PulseAudio, then Xvfb
    for pid in $list; do kill "$pid" 2>/dev/null || true; done
    for pid in $list; do wait_for 5 gone "$pid" || kill -9 "$pid" 2>/dev/null || true; done
    rm -f "$pids" "$dir/env"
}

start() {
    if running; then return 0; fi
    stop   # a half-dead earlier set: clear it
    mkdir -p "$dir"; : > "$pids"
    trap 'say "start failed; logs in $dir"; stop; exit 1' ERR

    local host=${RESCUE_SIGNALS_HOST_DEVICES:-0}
    if [ "$host" != 1 ] || ! display_ok; then
        local n=99
        while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
        Xvfb ":$n" -screen 0 1366x768x24 -nolisten tcp </dev/null >"$dir/xvfb.log" 2>&1 &
        echo "$! Xvfb" >> "$pids"
        export DISPLAY=":$n"
        ready $! xvfb.log test -S "/tmp/.X11-unix/X$n"
        display_ok
    fi

    if [ "$host" != 1 ] || ! pulse_ok; then
        # Private runtime dir; a unix socket path must stay under ~108 bytes, so fall back to /tmp for deep clones.
        local run=$dir/run
        [ ${#run} -lt 90 ] || run=$(mktemp -d /tmp/rescue-signals-pulse.XXXXXX)
        mkdir -p "$run"; chmod 700 "$run"
        export XDG_RUNTIME_DIR=$run PULSE_SERVER=unix:$run/pulse/native
        # As root PulseAudio warns about it; it works.
        pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-target="file:$dir/pulse.log" \
            --load="module-native-protocol-unix auth-anonymous=1" \
            --load="module-null-sink sink_name=loop rate=48000 channels=2" </dev/null >/dev/null 2>&1 &
        echo "$! pulseaudio" >> "$pids"
        ready $! pulse.log pulse_ok
        pactl set-default-sink loop
        pactl set-default-source loop.monitor
        # Keep-alive: without a reader on the monitor every new PortAudio stream stalls 1.5-2 s.
        pacat -r --latency-msec=20 -d loop.monitor </dev/null >/dev/null 2>&1 &
        echo "$! pacat" >> "$pids"
        sleep 2
    fi
    trap - ERR

    # Point clients at whatever server answered, ours or the user's (pactl reports the socket it used).
    local server=${PULSE_SERVER:-}
    [ -n "$server" ] || server=$(pactl info | sed -n 's/^Server String: //p')
    [[ -z "$server" || "$server" == *:* ]] || server=unix:$server
    {
        echo "export DISPLAY=$(printf %q "$DISPLAY")"
        echo "export PULSE_SERVER=$(printf %q "$server")"
        [ -z "${XDG_RUNTIME_DIR:-}" ] || echo "export XDG_RUNTIME_DIR=$(printf %q "$XDG_RUNTIME_DIR")"
    } > "$dir/env"
    [ -s "$pids" ] && say "started: $(awk '{printf "%s ", $2}' "$pids")(DISPLAY=$DISPLAY)" || say "using existing display and sound server"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) cat "$dir/env" ;;
    status) running ;;
    *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
