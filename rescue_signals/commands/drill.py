"""`rescue-signals drill`: a drill in the terminal, for one trainee or a whole crew in turn.

Knocks are played on the sound card (or, with ``--silent`` or without one, shown as text beats); answers are read
from the keyboard (or a pipe), and each one is saved to the records the moment it is given.
"""

from __future__ import annotations

import os
import select
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import numpy as np

from rescue_signals.catalog import languages, say
from rescue_signals.codebook import HEADCOUNT, Codebook, default_codebook, load_codebook
from rescue_signals.drill import (NO_ANSWER, RECOGNISE, UNKNOWN, Attempt, Response, Scenario, Trial, find_scenario,
                                  label_name, refreshers, shipped_scenarios)
from rescue_signals.drill.session import DrillSession
from rescue_signals.errors import AudioDeviceError, RecordsError, UsageError
from rescue_signals.protocol import format_sequence
from rescue_signals.paper.records import Records
from rescue_signals.resources import codebook_path

_END_KNOCKS = (".", "end", "done", "完")


def add_arguments(parser):
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO",
                        help="a shipped scenario id (see --list) or a scenario YAML file")
    parser.add_argument("--trainee", action="append", default=[], metavar="NAME",
                        help="who is drilled; repeat for several people in turn (registered if new)")
    parser.add_argument("--crew", metavar="NAME",
                        help="the crew: the trainees join it; without --trainee every member is drilled in turn")
    parser.add_argument("--silent", action="store_true",
                        help="show the knocks as text beats instead of playing them")
    parser.add_argument("--device", metavar="D", help="audio output (index or part of its name)")
    parser.add_argument("--db", metavar="FILE", help="the records file (default: $RESCUE_SIGNALS_DB or the "
                                                     "user's data folder)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the drill (default: a fresh one)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the trainee's interrupted drill of this scenario")
    parser.add_argument("--lang", choices=languages(), default="zh", help="language (default zh)")
    parser.add_argument("--list", action="store_true", help="list the shipped scenarios and exit")


def run(args) -> int:
    if args.list:
        _list(args.lang)
        return 0
    if not args.scenario:
        raise UsageError("name a scenario (rescue-signals drill --list shows them), e.g. "
                         "rescue-signals drill first-lesson --trainee NAME")
    scenario = find_scenario(args.scenario)
    codebook = load_codebook(codebook_path(scenario.codebook_id)) if scenario.codebook_id else default_codebook()
    with Records(args.db) as records:
        names = _trainees(args, records)
        ui = _Terminal(args.lang, silent=args.silent, device=args.device)
        try:
            for i, name in enumerate(names):
                if len(names) > 1 and not ui.handover(name, i, len(names)):
                    return 1
                if not _drill_one(ui, records, scenario, codebook, name, args):
                    return 1
            if len(names) > 1 or args.crew:
                ui.leaderboard(records.leaderboard(crew=args.crew, scenario_id=scenario.id))
        finally:
            ui.close()
    return 0


def _list(lang: str) -> None:
    for s in shipped_scenarios():
        print(f"{s.level:>3}  {s.id:<20} {s.trial_count:>3} {say('cli.drill.trials', lang)}  {s.title.get(lang)}")


def _trainees(args, records: Records) -> list[str]:
    names = [" ".join(n.split()) for n in args.trainee if n.strip()]
    if not names and args.crew:
        names = [t.name for t in records.trainees(args.crew)]
        if not names:
            raise UsageError(f"crew '{args.crew}' has no members yet; name them with --trainee NAME "
                             "(repeat it for each person)")
    if not names:
        raise UsageError("name the trainee with --trainee NAME (or a crew with --crew NAME)")
    if len({n.lower() for n in names}) != len(names):
        raise UsageError("a trainee is named twice")
    return names


def _drill_one(ui: "_Terminal", records: Records, scenario: Scenario, codebook: Codebook, name: str, args) -> bool:
    """Run the scenario for one trainee; False if the input ended before the drill did."""
    trainee = records.ensure_trainee(name, args.crew)
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % 2**62)
    session = DrillSession.open(records, trainee.id, scenario, codebook, seed=seed, resume=args.resume,
                                title=scenario.title.get(args.lang))
    drill, earlier = session.drill, session.resumed
    if args.resume and earlier is None:
        ui.say("cli.drill.no_interrupted", name=trainee.name, title=scenario.title)
    if earlier is not None:
        ui.say("cli.drill.continuing", started=earlier.started_at, n=len(drill.attempts))
    ui.intro(scenario, trainee.name)
    while (trial := drill.next_trial()) is not None:
        response = ui.present(trial, drill.total, codebook)
        if response is None:
            ui.say("cli.drill.input_ended", n=len(drill.attempts), total=drill.total)
            return False
        try:
            attempt, _ = session.answer(trial, replace(response, visual_beats=ui.player is None))
        except RecordsError as exc:
            raise RecordsError(f"{exc}. The answer to trial {trial.index + 1} was NOT saved; the "
                               f"{len(drill.attempts) - 1} before it are. Continue later with --resume.") from None
        ui.feedback(attempt, codebook)
    result = session.finish()
    ui.summary(result, codebook)
    labels = [s.id for s in codebook.signals] + [HEADCOUNT]
    ui.refreshers(refreshers(records.practice(trainee.id), now=datetime.now(timezone.utc), labels=labels), codebook)
    return True


@dataclass
class _Line:
    text: str
    time_s: float  # monotonic


class _Input:
    """Lines from stdin, each stamped with when it was typed.

    On a terminal a line is stamped when it arrives (so an answer typed while knocks still play is a false start);
    from a pipe, when it is taken (the whole script arrives at once).
    """

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        self.fd = self.stream.fileno()
        self.tty = os.isatty(self.fd)
        self._buf = b""
        self._lines: list[_Line] = []
        self._eof = False

    def _fill(self, timeout_s: float | None) -> None:
        if self._eof:
            return
        ready, _, _ = select.select([self.fd], [], [], timeout_s)
        if not ready:
            return
        chunk = os.read(self.fd, 65536)
        now = time.monotonic()
        if not chunk:
            self._eof = True
            if self._buf:
                self._lines.append(_Line(self._buf.decode("utf-8", "replace").strip(), now))
                self._buf = b""
            return
        self._buf += chunk
        *complete, self._buf = self._buf.split(b"\n")
        self._lines += [_Line(c.decode("utf-8", "replace").strip(), now) for c in complete]

    def poll(self) -> None:
        """Take in what has been typed so far, without waiting."""
        if self.tty:
            self._fill(0)

    def readline(self) -> _Line | None:
        while not self._lines and not self._eof:
            self._fill(None)
        if not self._lines:
            return None
        line = self._lines.pop(0)
        if not self.tty:
            line.time_s = time.monotonic()
        return line


class _Terminal:
    def __init__(self, lang: str, *, silent: bool, device):
        self.lang = lang
        self.input = _Input()
        self.out = sys.stdout
        self.live = self.out.isatty()
        self.player = None
        if not silent:
            try:
                from rescue_signals.audio import Player

                self.player = Player(device=device)
            except AudioDeviceError as exc:
                self.say("cli.drill.no_sound", problem=exc)

    def close(self) -> None:
        if self.player is not None:
            self.player.close()

    def t(self, key: str, **fields) -> str:
        """The catalog's phrase ``key`` in the terminal's language."""
        return say(key, self.lang, **fields)

    def say(self, key: str, *, before: str = "", **fields) -> None:
        """Print the catalog's phrase ``key`` (after ``before``)."""
        self.line(before + self.t(key, **fields))

    def line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- people -------------------------------------------------------------------------------------------------
    def handover(self, name: str, i: int, n: int) -> bool:
        self.say("cli.drill.handover", before="\n", i=i + 1, n=n, name=name)
        return self.input.readline() is not None

    def intro(self, scenario: Scenario, name: str) -> None:
        self.say("cli.drill.intro", before="\n", title=scenario.title, name=name)
        if scenario.summary.translations:
            self.line(scenario.summary.get(self.lang))
        if scenario.story is not None:
            self.line(scenario.story.get(self.lang))

    # -- one trial ----------------------------------------------------------------------------------------------
    def present(self, trial: Trial, total: int, cb: Codebook) -> Response | None:
        where = f" {self._conditions(trial, cb)}" if trial.sequence else ""
        self.line(f"\n[{trial.index + 1}/{total}]{where}")
        if trial.context:
            self.say("cli.drill.so_far", sequence=format_sequence(trial.context, cb))
        heard_s = self._play(trial, cb) if trial.sequence else time.monotonic()
        self.line(trial.prompt.get(self.lang) + self.t("cli.drill.time_limit", s=trial.time_limit_s))
        if trial.task == RECOGNISE:
            return self._recognition(trial, cb, heard_s)
        return self._knocks(heard_s)

    def _conditions(self, trial: Trial, cb: Codebook) -> str:
        c = trial.conditions
        media = {m.id: m.name.get(self.lang) for m in cb.media}
        parts = [media.get(c.medium, c.medium.replace("_", " ")), f"{c.distance_m:g} m"]
        if c.noises:
            snr = trial.snr_db
            parts.append(self.t("cli.drill.noise", noises="+".join(c.noises), snr=snr))
        from rescue_signals.synth.hand import group_gap_s

        gap = group_gap_s(cb, c)
        if len(trial.sequence) > 1 and gap < cb.timing.group_gap_s:
            parts.append(self.t("cli.drill.compressed", gap=gap, official=cb.timing.group_gap_s))
        return ", ".join(parts)

    def _play(self, trial: Trial, cb: Codebook) -> float:
        from rescue_signals.synth import render_sequence

        r = render_sequence(trial.sequence, cb, trial.conditions, seed=trial.seed)
        times = [k.time_s for k in r.knocks]
        if self.player is not None:
            self.say("cli.drill.listen")
            try:
                pb = self.player.play(r.samples, knock_offsets_s=times)
                while not pb.done:  # an answer typed while the sound plays is stamped within 10 ms
                    pb.wait(0.01)
                    self.input.poll()
                error = pb.error
            except AudioDeviceError as exc:  # it died before this trial (while the last was answered) or stalled
                error = exc
            if error is None:
                heard = pb.heard_times_s()
                return heard[-1] if heard else time.monotonic()
            # the sound output died (unplugged, sound server gone): go on as `play` and the app do, with beats
            self.say("cli.drill.sound_stopped", problem=error)
            self.player.close()
            self.player = None
        return self._beats(trial, r, cb)

    def _beats(self, trial: Trial, r, cb: Codebook) -> float:
        start = time.monotonic()
        for gi, g in enumerate(r.groups):
            symbol = cb.role(g.role).symbol if g.role else "?"
            print(f"  {symbol} ", end="", file=self.out, flush=True)
            for k in (k for k in r.knocks if k.group == gi):
                if self.live:
                    self._sleep_until(start + k.time_s)
                print("● ", end="", file=self.out, flush=True)
            print(file=self.out, flush=True)
        return time.monotonic()

    def _sleep_until(self, when_s: float) -> None:
        while (left := when_s - time.monotonic()) > 0:
            time.sleep(min(left, 0.02))
            self.input.poll()

    def _recognition(self, trial: Trial, cb: Codebook, heard_s: float) -> Response | None:
        # the same answers as the app's keys: the digit of the knocks, h and the number for a headcount, u
        keys = {str(d): s.id for s in cb.signals if (d := cb.answer_digit(s.id)) is not None}
        menu = [f"{k} {cb.signal(v).name.get(self.lang)}" for k, v in keys.items()]
        menu += [self.t("cli.drill.menu_headcount"), self.t("cli.drill.menu_unknown")]
        self.line("  " + " · ".join(menu))
        while True:
            line = self.input.readline()
            if line is None:
                return None
            answer = _parse_choice(line.text, keys)
            if answer is not None:
                return Response(answer, heard_s=heard_s, answered_s=line.time_s)
            self.say("cli.drill.type_digit", digits="/".join(keys))

    def _knocks(self, heard_s: float) -> Response | None:
        self.say("cli.drill.how_to_knock")
        knocks: list[float] = []
        while True:
            line = self.input.readline()
            if line is None:
                return None
            if line.text == "":
                knocks.append(line.time_s)
                continue
            if line.text.isdigit() and not knocks:
                return Response(int(line.text), heard_s=heard_s, answered_s=line.time_s)
            if line.text.lower() in _END_KNOCKS:
                if knocks:
                    return Response(None, heard_s=heard_s, answered_s=knocks[0], knock_times_s=tuple(knocks))
                return Response(None, heard_s=heard_s, answered_s=None)
            self.say("cli.drill.knock_keys")

    def feedback(self, a: Attempt, cb: Codebook) -> None:
        exp = a.trial.expected
        right = label_name(exp.label, cb, self.lang, exp.count)
        if a.given == NO_ANSWER:
            head = self.t("cli.drill.no_answer")
        elif a.correct:
            head = self.t("cli.drill.right")
        else:
            head = self.t("cli.drill.you_answered", given=label_name(a.given, cb, self.lang, a.given_count))
        self.say("cli.drill.feedback", head=head, right=right, meaning=exp.meaning)
        notes = []
        if a.false_start:
            notes.append(self.t("cli.drill.false_start"))
        elif a.reaction_s is not None:
            notes.append(self.t("cli.drill.reaction", s=a.reaction_s))
        if a.timed_out and a.given != NO_ANSWER:
            notes.append(self.t("cli.drill.too_late"))
        if a.mean_interval_s is not None:
            notes.append(self.t("cli.drill.spacing", s=a.mean_interval_s, code=cb.timing.knock_interval_s))
        if notes:
            self.line("  " + self.t("cli.drill.notes_separator").join(notes))
        if a.trial.note is not None:
            self.line("  " + a.trial.note.get(self.lang))

    # -- results ------------------------------------------------------------------------------------------------
    def summary(self, s, cb: Codebook) -> None:
        lat = "—" if s.latency_median_s is None else f"{s.latency_median_s:.1f} / {s.latency_p90_s:.1f} s"
        verdict = self.t("cli.drill.passed" if s.passed else "cli.drill.not_passed")
        self.say("cli.drill.result", before="\n", verdict=verdict, composite=s.composite)
        self.say("cli.drill.scores", before="  ", acc=s.accuracy, accepted=s.accepted, trials=s.trials, lat=lat,
                 fs=s.false_starts)
        if s.timing.answers:
            self.say("cli.drill.spacing_off", before="  ", s=s.timing.mean_abs_error_s)
        if s.snr_threshold_db is not None:
            self.say("cli.drill.snr", before="  ", snr=s.snr_threshold_db)
        for expected, given, n in s.confusion.mistakes()[:3]:
            self.say("cli.drill.took_for", before="  ", expected=label_name(expected, cb, self.lang),
                     given=label_name(given, cb, self.lang), n=n)
        for f in s.failures:
            self.line("  - " + f.get(self.lang))

    def refreshers(self, items, cb: Codebook) -> None:
        due = [r for r in items if r.overdue][:3] or items[:2]
        if not due:
            return
        self.say("cli.drill.to_review")
        for r in due:
            when = self.t("cli.drill.now") if r.overdue else f"{r.due.astimezone():%Y-%m-%d}"
            self.say("cli.drill.review_item", before="  ", label=label_name(r.label, cb, self.lang), when=when,
                     reason=r.reason)

    def leaderboard(self, rows) -> None:
        self.say("cli.drill.leaderboard", before="\n")
        for r in rows:
            best = "—" if r.best_composite is None else f"{r.best_composite:g}"
            acc = "—" if r.accuracy is None else f"{r.accuracy:.0%}"
            who = f"  {r.rank:>2}. {r.trainee:<16}"
            self.say("cli.drill.leader_row", who=who, best=best, acc=acc, passed=r.passed, sessions=r.sessions)


def _parse_choice(text: str, keys: dict[str, str]):
    """An answer typed in the terminal: a signal's digit (or its id), ``h`` and a number for a headcount (a number
    that is no signal's digit is read as a headcount too), ``u`` for not a signal."""
    t = text.strip().lower()
    if t in keys:
        return keys[t]
    if t in keys.values() or t == UNKNOWN:
        return t
    if t == "u":
        return UNKNOWN
    digits = t.removeprefix("h").strip()
    if digits.isdigit() and int(digits) > 0 and (t.startswith("h") or digits not in keys):
        return int(digits)
    return None

