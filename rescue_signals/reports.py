"""Reports of a trainee's or a crew's records, as CSV, HTML or PDF, sealed so that a changed report is detected.

A report is built in two steps: :func:`build_report` gathers its content from the records (plain data, the same
in every format and language), then :func:`write_report` lays it out. Two SHA-256 digests go into every file:

content digest
    Over the canonical content (the data as compact JSON with sorted keys). Printed on every page, so a paper
    copy can be matched with the records: ``report --verify`` rebuilds the content from the records file for the
    same person and cut-off time and compares.
seal
    Over the file's own bytes, with the seal's 64 hex digits replaced by zeros. Any change to the file (a number,
    a name, a byte) breaks it. A digest is not a signature: someone who edits a report could compute a new seal,
    which is why the content digest is checked against the records too.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rescue_signals import __version__
from rescue_signals.codebook import HEADCOUNT, Codebook, default_codebook
from rescue_signals.datafile import did_you_mean
from rescue_signals.drill import Practice, find_scenario, refreshers, score
from rescue_signals.errors import RecordsError, RescueSignalsError, UsageError
from rescue_signals.protocol import format_sequence
from rescue_signals.records import Records, SessionRecord, stamp

FORMATS = ("csv", "html", "pdf")
REPORT_FORMAT = 1
SEAL = "seal-sha256:"
META = "rescue-signals-report:"
_ZERO = "0" * 64
_SEAL_RE = re.compile(rb"seal-sha256:([0-9a-f]{64})")
_META_RE = re.compile(rb"rescue-signals-report:([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class Report:
    """The content of a report.

    Attributes
    ----------
    kind : str
        ``"trainee"`` or ``"crew"``.
    subject : str
        The trainee's or the crew's name.
    data : dict
        Everything the report shows (plain JSON data).
    """

    kind: str
    subject: str
    data: dict

    @property
    def canonical(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.canonical).hexdigest()

    @property
    def meta(self) -> dict:
        """What ``--verify`` needs to rebuild the content from the records."""
        return {"format": REPORT_FORMAT, "kind": self.kind, "subject": self.subject,
                "until": self.data["generated_at"], "content_sha256": self.content_sha256}


# -- gathering --------------------------------------------------------------------------------------------------
def build_report(records: Records, *, trainee: str | None = None, crew: str | None = None,
                 until: datetime | None = None) -> Report:
    """Gather the report of one trainee or one crew from the records, as they stood at ``until`` (default now).

    Raises
    ------
    RecordsError
        No such trainee or crew (naming the closest one).
    """
    if (trainee is None) == (crew is None):
        raise UsageError("a report is of one trainee (--trainee NAME) or of one crew (--crew NAME)")
    until = (until or records.now()).astimezone(timezone.utc)
    if trainee is not None:
        person = records.trainee(trainee)
        if person is None:
            names = [t.name for t in records.trainees()]
            raise RecordsError(f"no trainee '{trainee}' in {records.path}{did_you_mean(trainee, names)}")
        people, kind, subject = [person], "trainee", person.name
    else:
        found = records.crew(crew)
        if found is None:
            names = [c.name for c in records.crews()]
            raise RecordsError(f"no crew '{crew}' in {records.path}{did_you_mean(crew, names)}")
        people, kind, subject = records.trainees(found.name), "crew", found.name
    cb = default_codebook()
    members, sessions, trials, attempts_all = [], [], [], []
    for person in people:
        history = [h for h in records.history(trainee_id=person.id) if h.answered_at <= until]
        own = [s for s in records.sessions(trainee_id=person.id) if s.started_at <= until]
        for s in own:
            answers = [h for h in history if h.session_id == s.id]
            sessions.append(_session_data(s, [h.attempt for h in answers], until))
            trials += [_trial_row(h, cb) for h in answers]
        attempts = [h.attempt for h in history]
        attempts_all += attempts
        members.append(_member_data(person, own, attempts, sessions, history, until, cb))
    members.sort(key=lambda m: (-(m["best_composite"] if m["best_composite"] is not None else -1), m["name"]))
    for rank, m in enumerate(members, 1):
        m["rank"] = rank
    data = {
        "format": REPORT_FORMAT, "kind": kind, "subject": subject, "generated_at": stamp(until),
        "codebook": cb.id, "program_version": __version__, "members": members,
        "sessions": sorted(sessions, key=lambda s: (s["started_at"], s["id"])), "trials": trials,
        "confusion": score(attempts_all).confusion.as_dict(),
    }
    return Report(kind, subject, data)


def _session_data(s: SessionRecord, attempts, until: datetime) -> dict:
    if s.score is not None and s.ended_at is not None and s.ended_at <= until:
        result = s.score
    else:
        try:
            scenario = find_scenario(s.scenario_path or s.scenario_id)
        except RescueSignalsError:
            scenario = None
        result = score(attempts, scenario).as_dict()
    keep = ("trials", "accepted", "accuracy", "latency_median_s", "latency_p90_s", "false_starts", "timeouts",
            "composite", "passed", "snr_threshold_db", "failures")
    return {"id": s.id, "trainee": s.trainee, "scenario_id": s.scenario_id, "scenario_title": s.scenario_title,
            "started_at": stamp(s.started_at), "finished": s.ended_at is not None and s.ended_at <= until,
            "trials_planned": s.trials_planned, **{k: result.get(k) for k in keep}}


def _trial_row(h, cb: Codebook) -> dict:
    a, t = h.attempt, h.attempt.trial
    return {
        "trainee": h.trainee, "crew": h.crew, "session": h.session_id, "scenario": h.scenario_id,
        "trial": t.index + 1, "task": t.task, "answered_at": stamp(h.answered_at),
        "context": format_sequence(t.context, cb), "played": format_sequence(t.sequence, cb),
        "expected": a.expected, "expected_count": t.expected.count, "given": a.given, "given_count": a.given_count,
        "correct": a.correct, "accepted": a.accepted, "reaction_s": _round(a.reaction_s),
        "false_start": a.false_start, "timed_out": a.timed_out, "time_limit_s": t.time_limit_s,
        "knocks": len(a.response.knock_times_s), "mean_interval_s": _round(a.mean_interval_s),
        "snr_db": t.snr_db, "medium": t.conditions.medium, "noises": "+".join(t.conditions.noises),
        "distance_m": t.conditions.distance_m, "seed": t.seed,
        "conditions": json.dumps(t.conditions.as_dict(), sort_keys=True), "trial_uuid": t.uuid,
    }


def _member_data(person, own, attempts, sessions, history, until, cb: Codebook) -> dict:
    s = score(attempts)
    mine = [x for x in sessions if x["trainee"] == person.name]
    composites = [x["composite"] for x in mine if x["composite"] is not None and x["finished"]]
    labels = [sig.id for sig in cb.signals] + [HEADCOUNT]
    practice = [Practice(h.attempt.expected, h.attempt.accepted, h.answered_at) for h in history]
    snr = next((x["snr_threshold_db"] for x in reversed(mine) if x["snr_threshold_db"] is not None), None)
    return {
        "name": person.name, "crew": person.crew, "sessions": len(own),
        "passed_scenarios": sorted({x["scenario_id"] for x in mine if x["passed"]}),
        "scenarios": _scenario_results(mine),
        "best_composite": max(composites, default=None), "last_composite": composites[-1] if composites else None,
        "trials": s.trials, "accuracy": s.accuracy if s.trials else None,
        "latency_median_s": _round(s.latency_median_s), "latency_p90_s": _round(s.latency_p90_s),
        "false_starts": s.false_starts, "knock_spacing_error_s": _round(s.timing.mean_abs_error_s),
        "snr_threshold_db": snr, "last_session": mine[-1]["started_at"] if mine else None,
        "per_label": [{"label": p.label, "trials": p.trials, "accepted": p.accepted} for p in s.per_label],
        "refreshers": [{"label": r.label, "due": stamp(r.due), "overdue": r.overdue, "streak_days": r.streak_days}
                       for r in refreshers(practice, now=until, labels=labels)],
    }


def _scenario_results(sessions: list[dict]) -> list[dict]:
    """Per scenario a trainee drilled: sessions, best finished composite, and whether any session passed."""
    out: dict[str, dict] = {}
    for x in sessions:
        r = out.setdefault(x["scenario_id"], {"scenario_id": x["scenario_id"], "title": x["scenario_title"],
                                              "sessions": 0, "finished": 0, "best_composite": None,
                                              "passed": False})
        r["sessions"] += 1
        r["finished"] += int(x["finished"])
        r["passed"] = r["passed"] or bool(x["passed"])
        if x["finished"] and x["composite"] is not None:
            r["best_composite"] = max(x["composite"], r["best_composite"] or 0.0)
    return list(out.values())


def _round(x, digits: int = 3):
    return None if x is None else round(float(x), digits)


# -- writing ----------------------------------------------------------------------------------------------------
def write_report(report: Report, path: str | Path, *, fmt: str | None = None, lang: str = "zh") -> Path:
    """Write the report as CSV, HTML or PDF (chosen by ``fmt`` or the file extension), sealed.

    Raises
    ------
    UsageError
        Unknown format, or the file cannot be written.
    """
    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".")).lower()
    if fmt == "htm":
        fmt = "html"
    if fmt not in FORMATS:
        raise UsageError(f"cannot write a report as '{fmt or p.name}'{did_you_mean(fmt, FORMATS)}; "
                         f"use {', '.join(FORMATS)}")
    if fmt == "csv":
        body = _csv(report).encode("utf-8")
    elif fmt == "html":
        from rescue_signals.reportpages import html_page

        body = html_page(report, lang).encode("utf-8")
    else:
        from rescue_signals.reportpages import pdf_document

        body = pdf_document(report, lang)
    sealed = _seal(body)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(sealed)
    except OSError as exc:
        raise UsageError(f"{p}: cannot write the report: {exc.strerror}") from None
    return p


def meta_text(report: Report) -> str:
    """The report's metadata, base64 JSON after :data:`META` (embedded in every format)."""
    return META + base64.b64encode(json.dumps(report.meta, sort_keys=True).encode()).decode()


def _csv(report: Report) -> str:
    buf = io.StringIO()
    rows = report.data["trials"]
    columns = list(rows[0]) if rows else ["trainee", "trial"]
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    buf.write(f"# rescue-signals {report.kind} report: {report.subject}; records until {report.data['generated_at']}"
              f"; content sha256 {report.content_sha256}\n# {meta_text(report)}\n# {SEAL}{_ZERO}\n")
    return buf.getvalue()


def _seal(body: bytes) -> bytes:
    placeholder = (SEAL + _ZERO).encode()
    if placeholder not in body:
        raise AssertionError("the report has no place for its seal")
    digest = hashlib.sha256(body).hexdigest()
    return body.replace(placeholder, (SEAL + digest).encode())


# -- verifying --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    """What ``report --verify`` found.

    Attributes
    ----------
    sealed : bool
        The file is byte for byte as it was written.
    kind, subject, until, content_sha256 : str or None
        From the report's metadata.
    records_match : bool or None
        The records (as they stood at ``until``) give the same content digest; None when not checked.
    records_note : str
    """

    path: str
    sealed: bool
    kind: str | None
    subject: str | None
    until: str | None
    content_sha256: str | None
    records_match: bool | None
    records_note: str

    @property
    def ok(self) -> bool:
        return self.sealed and self.records_match is not False


def verify_report(path: str | Path, records: Records | None = None) -> Verification:
    """Check a report's seal and, given the records, that its content matches them.

    Raises
    ------
    UsageError
        The file cannot be read or carries no seal (not a report made by this program).
    """
    p = Path(path)
    try:
        body = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"{p}: cannot read: {exc.strerror}") from None
    seals = set(_SEAL_RE.findall(body))
    if len(seals) != 1:
        raise UsageError(f"{p}: no report seal found; this is not a report written by rescue-signals "
                         "(or its seal was removed)")
    found = seals.pop().decode()
    blank = body.replace((SEAL + found).encode(), (SEAL + _ZERO).encode())
    sealed = hashlib.sha256(blank).hexdigest() == found
    meta = _read_meta(body)
    match, note = None, "records not checked"
    if meta and records is not None:
        match, note = _compare(meta, records)
    return Verification(str(p), sealed, meta.get("kind"), meta.get("subject"), meta.get("until"),
                        meta.get("content_sha256"), match, note)


def _read_meta(body: bytes) -> dict:
    m = _META_RE.search(body)
    if not m:
        return {}
    try:
        return json.loads(base64.b64decode(m.group(1)))
    except (ValueError, json.JSONDecodeError):
        return {}


def _compare(meta: dict, records: Records) -> tuple[bool | None, str]:
    kind, subject = meta.get("kind"), meta.get("subject")
    try:
        until = datetime.fromisoformat(meta["until"])
        rebuilt = build_report(records, trainee=subject if kind == "trainee" else None,
                               crew=subject if kind == "crew" else None, until=until)
    except (RecordsError, UsageError, KeyError, ValueError) as exc:
        return None, f"records not checked: {exc}"
    if rebuilt.content_sha256 == meta.get("content_sha256"):
        return True, f"the records in {records.path} give the same content"
    return False, (f"the records in {records.path} give different content (sha256 {rebuilt.content_sha256}): "
                   "the report or the records were changed")
