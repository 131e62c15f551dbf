"""`rescue-signals listen`: decode the microphone live; each knock shows as it is heard, each group is announced
with its meaning as soon as the silence after it closes it."""

from __future__ import annotations

import json
import sys
import time

from rescue_signals.catalog import languages, plural, say
from rescue_signals.codebook import default_codebook, load_codebook
from rescue_signals.errors import UsageError

BLOCK_SIZE = 512
"""Frames per block read from the input (about 11 ms at 48 kHz): small blocks keep the display close behind."""


def add_arguments(parser):
    parser.add_argument("--device", metavar="D", help="input device: its number or part of its name "
                                                      "(see 'rescue-signals devices'); default: the default input")
    parser.add_argument("--channel", type=int, default=1, metavar="N", help="input channel, 1 = first (default 1)")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")
    parser.add_argument("--json", action="store_true", help="one JSON object per event, one per line")
    parser.add_argument("--lang", choices=languages(), default="zh", help="language of the readings (default zh)")
    parser.add_argument("--codebook", metavar="YAML", help="read with another codebook file")


def run(args) -> int:
    from rescue_signals.audio import SAMPLE_RATE, Capture
    from rescue_signals.decode import KnockDecoder

    if args.channel < 1:
        raise UsageError(f"channels are numbered from 1, not {args.channel}")
    if args.duration is not None and args.duration <= 0:
        raise UsageError(f"--duration must be a positive number of seconds, not {args.duration:g}")
    codebook = load_codebook(args.codebook) if args.codebook else default_codebook()
    device = int(args.device) if args.device is not None and args.device.isdigit() else args.device
    decoder = KnockDecoder(SAMPLE_RATE, codebook)
    show = _Display(codebook, args.lang, as_json=args.json)
    with Capture(sample_rate=SAMPLE_RATE, block_size=BLOCK_SIZE, device=device, channel=args.channel - 1) as capture:
        show.start(getattr(capture, "device_name", str(device or "default input")))
        origin_s = None
        try:
            while args.duration is None or decoder.time_s < args.duration:
                block, start_s = capture.read(timeout_s=2.0)
                if origin_s is None:
                    origin_s = start_s  # the decoder's time 0, on the monotonic clock
                for event in decoder.feed(block):
                    show.event(event, latency_s=time.monotonic() - origin_s - event.time_s)
        except KeyboardInterrupt:
            pass
        for event in decoder.flush():
            show.event(event, latency_s=None)
    show.end(decoder)
    return 0


class _Display:
    """Prints events as they come: text for people, or JSON lines for programs."""

    def __init__(self, codebook, lang: str, *, as_json: bool):
        self.codebook = codebook
        self.lang = lang
        self.as_json = as_json
        self._standing: set[float] = set()  # times of the knocks shown and not taken back
        self.groups = 0

    def start(self, device: str) -> None:
        if self.as_json:
            self._json({"event": "start", "device": device})
        else:
            print(say("cli.listen.start", self.lang, device=device), flush=True)

    def event(self, event, *, latency_s: float | None) -> None:
        from rescue_signals.decode import GroupEvent, KnockEvent
        from rescue_signals.decode.formats import sender_text, sure_text
        from rescue_signals.decode.reading import clock_text

        latency = None if latency_s is None else round(latency_s, 3)
        if isinstance(event, KnockEvent):
            self._standing.add(event.time_s)
            if self.as_json:
                self._json({"event": "knock", "time_s": round(event.time_s, 3), "strength": round(event.strength, 5),
                            "snr_db": round(event.snr_db, 1), "latency_s": latency})
            else:
                bar = "#" * max(1, min(20, int(event.snr_db / 3)))
                print(f"  {clock_text(event.time_s)}  {say('cli.listen.knock', self.lang)} {bar}", flush=True)
        elif isinstance(event, GroupEvent):
            self.groups += 1
            g = event.group
            if self.as_json:
                self._json({"event": "group", "count": g.count, "start_s": round(g.start_s, 3),
                            "end_s": round(g.end_s, 3), "signal": g.signal, "meaning": g.meaning.get(self.lang),
                            "sender": g.sender, "confidence": g.confidence,
                            "count_alternatives": [{"count": c, "probability": p} for c, p in g.count_alternatives],
                            "notes": [n.get(self.lang) for n in g.notes], "latency_s": latency})
            else:
                knocks = plural("cli.listen.group", g.count).get(self.lang)
                print(f"{clock_text(g.start_s)}  {knocks}: {g.meaning.get(self.lang)}  "
                      f"[{sender_text(g, self.codebook, self.lang)}, {sure_text(g, self.lang)}]", flush=True)
                for note in g.notes:
                    print(f"        ! {note.get(self.lang)}", flush=True)
        else:
            taken_back = event.time_s in self._standing  # a knock shown earlier turned out not to be one
            if taken_back:
                self._standing.discard(event.time_s)
            if self.as_json:
                self._json({"event": "rejected", "time_s": round(event.time_s, 3), "reason": str(getattr(event.reason, "value", event.reason)),
                            "message": event.message.get(self.lang), "takes_back_knock": taken_back})
            elif taken_back:  # a knock shown earlier turned out to be something else: say so
                word = say("cli.listen.not_a_knock", self.lang)
                print(f"  {clock_text(event.time_s)}  ✗ {word}: {event.message.get(self.lang)}", flush=True)

    def end(self, decoder) -> None:
        if self.as_json:
            self._json({"event": "end", "duration_s": round(decoder.time_s, 3), "knocks": len(self._standing),
                        "groups": self.groups})
        else:
            print(say("cli.listen.end", self.lang, seconds=decoder.time_s, groups=self.groups,
                      knocks=len(self._standing)), flush=True)

    @staticmethod
    def _json(data: dict) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
