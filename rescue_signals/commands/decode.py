"""`rescue-signals decode FILE...`: recorded knocks as a timeline of groups, or as JSON, CSV or Audacity labels."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

from rescue_signals.catalog import languages
from rescue_signals.codebook import default_codebook, load_codebook
from rescue_signals.errors import RescueSignalsError, UsageError

PROGRESS_AFTER_S = 1.0
"""Wall-clock seconds of work before a progress bar is shown (short work stays quiet)."""

PROGRESS_EVERY_S = 0.1
"""The bar is redrawn at most this often."""


def add_arguments(parser):
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="recordings (WAV, FLAC, OGG, MP3, AIFF, m4a/AAC, AMR, 3GP, video) or folders of them")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON object per recording, one per line")
    form.add_argument("--csv", action="store_true", help="one CSV row per group (for a spreadsheet)")
    form.add_argument("--labels", action="store_true",
                      help="an Audacity label track (File > Import > Labels); with several recordings, one "
                           "NAME.labels.txt beside each (or in --output DIR)")
    parser.add_argument("--plot", metavar="OUT.png",
                        help="draw waveform, level, knocks and groups (several recordings: OUT-NAME.png)")
    parser.add_argument("--channel", metavar="N|all",
                        help="decode channel N (1 = first/left) or each channel on its own; default: mix them")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="write to PATH instead of the terminal (CSV gets a byte-order mark for spreadsheets)")
    parser.add_argument("--lang", choices=languages(), default="zh", help="language of the readings (default zh)")
    parser.add_argument("--codebook", metavar="YAML", help="read with another codebook file")


def run(args) -> int:
    from rescue_signals.decode import audio_files

    codebook = load_codebook(args.codebook) if args.codebook else default_codebook()
    channel = _channel(args.channel)
    paths, failed = [], 0
    for name in args.files:  # a folder without audio is one more failed item, not the end of the batch
        try:
            paths += audio_files([name])
        except RescueSignalsError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    progress = _Progress(paths) if sys.stderr.isatty() else None
    results = []
    for path in paths:
        try:
            results += _decode(path, codebook, channel, keep_trace=bool(args.plot), progress=progress)
        except RescueSignalsError as exc:
            failed += 1
            if progress:
                progress.clear()
            print(f"error: {exc}", file=sys.stderr)
    if progress:
        progress.clear()
    _write(results, codebook, args, several=len(paths) > 1 or len(results) > 1)
    if args.plot:
        _plots(results, args.plot, args.lang)
    return 1 if failed else 0


def _channel(text: str | None):
    if text is None:
        return None
    if text.lower() == "all":
        return "all"
    try:
        number = int(text)
    except ValueError:
        raise UsageError(f"--channel takes a channel number (1 = first) or 'all', not '{text}'") from None
    if number < 1:
        raise UsageError(f"channels are numbered from 1 (the first, or left, channel), not {number}")
    return number - 1


def _decode(path: Path, codebook, channel, *, keep_trace: bool, progress):
    from rescue_signals.decode import decode_channels, decode_file

    report = progress.callback(path) if progress else None
    if channel == "all":
        return decode_channels(path, codebook=codebook, progress=report, keep_trace=keep_trace)
    return [decode_file(path, codebook=codebook, channel=channel, progress=report, keep_trace=keep_trace)]


def _write(results, codebook, args, *, several: bool) -> None:
    from rescue_signals.decode.formats import CSV_FIELDS, audacity_labels, csv_rows, timeline

    lang = args.lang
    if args.labels and several:
        _label_files(results, args.output, lang)
        return
    if args.json:
        text = "".join(json.dumps(r.as_dict(lang), ensure_ascii=False) + "\n" for r in results)
    elif args.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for r in results:
            writer.writerows(csv_rows(r, codebook, lang))
        text = buffer.getvalue()
    elif args.labels:
        text = "".join(audacity_labels(r, lang) for r in results)
    else:
        text = "\n\n".join(timeline(r, codebook, lang) for r in results) + ("\n" if results else "")
    if args.output:
        _save(Path(args.output), text, bom=args.csv)
    else:
        sys.stdout.write(text)


def _save(path: Path, text: str, *, bom: bool = False) -> None:
    try:
        path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _suffixed(result) -> str:
    stem = Path(result.file).stem
    return stem if result.channel is None else f"{stem}.ch{result.channel + 1}"


def _label_files(results, output: str | None, lang: str) -> None:
    from rescue_signals.decode.formats import audacity_labels

    folder = Path(output) if output else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for r in results:
        target = (folder or Path(r.file).parent) / f"{_suffixed(r)}.labels.txt"
        _save(target, audacity_labels(r, lang))
        print(f"wrote {target}", file=sys.stderr)


def _plots(results, plot: str, lang: str) -> None:
    from rescue_signals.decode.plot import plot_result

    out = Path(plot)
    for r in results:
        target = out if len(results) == 1 else out.with_name(f"{out.stem}-{_suffixed(r)}{out.suffix or '.png'}")
        plot_result(r, target, lang=lang)
        print(f"wrote {target}", file=sys.stderr)


class _Progress:
    """A one-line progress bar on stderr (a terminal only), shown once work has taken a moment."""

    def __init__(self, paths):
        self.total_files = len(paths)
        self.index = 0
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    def callback(self, path: Path):
        self.index += 1
        name = path.name if len(path.name) <= 32 else path.name[:29] + "..."

        def report(done_s: float, total_s: float | None) -> None:
            now = time.monotonic()
            if now - self.started < PROGRESS_AFTER_S or now - self.drawn < PROGRESS_EVERY_S:
                return
            self.drawn = now
            from rescue_signals.decode.reading import clock_text

            share = min(1.0, done_s / total_s) if total_s else 0.0
            bar = "#" * int(share * 30)
            files = f" [{self.index}/{self.total_files}]" if self.total_files > 1 else ""
            total = clock_text(total_s) if total_s else "?"
            sys.stderr.write(f"\r{name}{files} |{bar:<30}| {share:4.0%} {clock_text(done_s)} / {total} ")
            sys.stderr.flush()
            self.shown = True

        return report

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
            self.shown = False
