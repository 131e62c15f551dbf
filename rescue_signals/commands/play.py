"""`rescue-signals play`: play a knock sequence on the default output, showing each group as it is heard.

Without a usable output device the same timeline is shown in the terminal (silent mode), so a listener can still
follow the groups; a device that disappears mid-play switches to silent mode instead of stopping.
"""

from __future__ import annotations

import sys
import time
from typing import Callable

from rescue_signals.codebook import Codebook
from rescue_signals.commands.render import add_sound_arguments, describe_conditions, rendering_from_args
from rescue_signals.errors import AudioDeviceError
from rescue_signals.protocol import Group, read_exchange
from rescue_signals.synth import Rendering

SILENT_LEAD_S = 0.3
"""In silent mode the first knock is shown this long after the start, s."""

WAIT_NOTE_S = 5.0
"""Gaps longer than this get a line saying how long until the next group, s."""


def add_arguments(parser):
    add_sound_arguments(parser)
    parser.add_argument("--device", metavar="D", help="output device, by index or part of its name (see "
                                                      "'rescue-signals devices'; default: the system's default)")
    parser.add_argument("--silent", action="store_true", help="do not play: only show the knocks as they come")


def run(args) -> int:
    rendering, codebook = rendering_from_args(args)
    for line in describe_conditions(rendering, codebook):
        print(line)
    player = None
    if not args.silent:
        try:
            from rescue_signals.audio import Player

            player = Player(sample_rate=rendering.sample_rate, device=_device(args.device))
        except AudioDeviceError as exc:
            if args.device is not None:
                raise
            print(f"no sound: {exc}\nsilent mode: the knocks are shown as they would be heard", file=sys.stderr)
    try:
        show_timeline(rendering, codebook, lang=args.lang, player=player)
    finally:
        if player is not None:
            player.close()
    return 0


def _device(text: str | None):
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def show_timeline(rendering: Rendering, codebook: Codebook, *, lang: str, player=None,
                  now: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                  out=None) -> str:
    """Play ``rendering`` (if ``player`` is given) and print each group and knock as it reaches the listener.

    Parameters
    ----------
    player : rescue_signals.audio.Player or None
        None for silent mode: knocks are shown at their times from a start just after the call.
    now, sleep : callable
        The clock (monotonic seconds) and a way to wait; injected in tests.
    out : file, optional
        Where to print (stdout by default).

    Returns
    -------
    str
        ``"played"``, ``"silent"``, or ``"lost"`` when the device failed during playback.
    """
    out = out or sys.stdout
    offsets = [k.time_s for k in rendering.knocks]
    playback = None
    if player is not None:
        playback = player.play(rendering.samples, knock_offsets_s=offsets)
    start_s = now() + SILENT_LEAD_S
    mode = "played" if playback is not None else "silent"
    mark = "●" if _can_print("●", out) else "*"
    groups = [Group(g.count, g.role, g.start_s, g.end_s) for g in rendering.groups]
    readings = read_exchange(codebook, groups)
    shown = 0
    end_s = start_s + rendering.duration_s
    while True:
        if playback is not None and playback.error is not None:
            print(f"\nsound lost: {playback.error}; continuing in silent mode", file=sys.stderr)
            heard = playback.heard_times_s()
            start_s = heard[0] - offsets[0] if heard else now()
            playback, mode = None, "lost"
        if playback is not None:
            heard = playback.heard_times_s()
            t = now()
            due = [h for h in heard if h <= t]
            if playback.started_s is not None:
                end_s = playback.started_s + rendering.duration_s
        else:
            t = now()
            due = [start_s + o for o in offsets if start_s + o <= t]
        while shown < len(due):
            _show_knock(shown, rendering, codebook, readings, lang=lang, mark=mark, out=out)
            shown += 1
        if shown >= len(offsets) and (t >= end_s or (playback is not None and playback.done)):
            break
        sleep(0.01)
    print(file=out)
    return mode


def _show_knock(index: int, rendering: Rendering, codebook: Codebook, readings, *, lang: str, mark: str, out) -> None:
    knock = rendering.knocks[index]
    group = rendering.groups[knock.group]
    first = index == 0 or rendering.knocks[index - 1].group != knock.group
    if first:
        who = codebook.role(group.role) if group.role else None
        label = f"{who.symbol if who else ''}{group.count}"
        name = who.name.get(lang) if who else "?"
        if index > 0:
            print(file=out)
        print(f"{label} {name}: {readings[knock.group].meaning.get(lang)}", file=out)
        print("  ", end="", file=out)
    print(mark + " ", end="", file=out, flush=True)
    last = index + 1 == len(rendering.knocks) or rendering.knocks[index + 1].group != knock.group
    if last and index + 1 < len(rendering.knocks):
        wait_s = rendering.knocks[index + 1].time_s - knock.time_s
        if wait_s > WAIT_NOTE_S:
            print(f"  (next group in {wait_s:.0f} s)", end="", file=out, flush=True)


def _can_print(text: str, out) -> bool:
    try:
        text.encode(getattr(out, "encoding", None) or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False
