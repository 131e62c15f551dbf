"""Reports of a trainee's or a crew's records, as CSV, HTML or PDF, signed by the training site, and their check.

A report is built in two steps: :func:`build_report` gathers its content from the records (plain data, the same
in every format and language), then :func:`write_report` lays it out and signs it.

content digest
    SHA-256 over the canonical content (the data as compact JSON with sorted keys). Printed on every page, so a
    paper copy can be matched with the records: ``report --verify --db`` rebuilds the content from the records
    for the same person and cut-off time and compares.
chain position and head
    Where the records' hash chain (:mod:`rescue_signals.paper.chain`) stood when the report was made. The records
    must still hold that entry with that hash: records rewritten since (even with every hash recomputed) do not.
signature
    Ed25519, by the site's key (:mod:`rescue_signals.paper.sitekey`), over the file's own bytes with the
    signature's 128 hex digits set to zeros: every number, name and byte the report shows. The public key travels in the
    report; whether it is a key the inspector trusts is checked against its fingerprint.
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
from rescue_signals.errors import RecordsError, RescueSignalsError, SignatureError, UsageError
from rescue_signals.filesystem import not_a_regular_file, write_whole
from rescue_signals.paper.chain import Head
from rescue_signals.paper.pages import percent
from rescue_signals.paper.records import Records, SessionRecord, stamp
from rescue_signals.paper.sitekey import SIGNATURE_BYTES, PublicKey, SiteKey, Trusted
from rescue_signals.protocol import format_sequence

FORMATS = ("csv", "html", "pdf", "xapi")
SIGNED_FORMATS = ("csv", "html", "pdf")
REPORT_FORMAT = 2
SIGNATURE = "rescue-signals-signature:ed25519:"
META = "rescue-signals-report:"
_ZERO_SIGNATURE = "0" * (2 * SIGNATURE_BYTES)
_SIGNATURE_RE = re.compile(rb"rescue-signals-signature:ed25519:([0-9a-f]{128})")
_META_RE = re.compile(rb"rescue-signals-report:([A-Za-z0-9+/=]+)")
_OLD_SEAL_RE = re.compile(rb"seal-sha256:[0-9a-f]{64}")
MAX_REPORT_BYTES = 200 << 20
"""A file larger than this is not read as a report (reports of a whole crew's year are a few megabytes)."""


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
    chain: Head | None = None

    @property
    def canonical(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.canonical).hexdigest()

    def meta(self, signer: PublicKey) -> dict:
        """What ``--verify`` needs: who signed, and what to rebuild from the records and compare."""
        return {"format": REPORT_FORMAT, "kind": self.kind, "subject": self.subject,
                "until": self.data["generated_at"], "content_sha256": self.content_sha256,
                "chain": None if self.chain is None else {"position": self.chain.position, "head": self.chain.hash},
                "signer": {"site": signer.site, "public_key": signer.base64, "fingerprint": signer.fingerprint},
                **({"details": self.data["details"]} if "details" in self.data else {})}


@dataclass(frozen=True)
class Stamp:
    """What a signed report shows of its signing, and the text that carries its metadata and signature.

    Attributes
    ----------
    site, fingerprint : str
        The signer, as printed on the report.
    chain : Head or None
        Where the records' hash chain stood.
    meta : str
        :data:`META` and the base64 metadata, embedded in every format.
    signature : str
        The signature's place: :data:`SIGNATURE` and zeros, filled in once the file is laid out.
    """

    site: str
    fingerprint: str
    chain: Head | None
    meta: str
    signature: str = SIGNATURE + _ZERO_SIGNATURE

    @property
    def chain_text(self) -> str:
        return "—" if self.chain is None else f"{self.chain.position} · {self.chain.hash}"

    def qr_text(self, report: "Report") -> str:
        """What the PDF's QR code holds: enough to match a paper copy with a trusted key and with the records."""
        chain = "" if self.chain is None else f"\nrecords chain: entry {self.chain.position} {self.chain.hash}"
        return (f"rescue-signals {report.kind} report: {report.subject}\nsigned by: {self.site}\n"
                f"key: {self.fingerprint}\ncontent sha256: {report.content_sha256}{chain}")


@dataclass(frozen=True)
class Details:
    """What an inspection asks of a training record besides the results, set by the site and printed on its
    reports: the unit (mine or company), the place of training and the trainer. Remembered in the records
    (:meth:`remember`), and signed into every report that carries them."""

    unit: str | None = None
    place: str | None = None
    trainer: str | None = None

    FIELDS = ("unit", "place", "trainer")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.FIELDS if getattr(self, k)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Details":
        data = data if isinstance(data, dict) else {}
        return cls(**{k: str(data[k]) for k in cls.FIELDS if data.get(k)})

    @classmethod
    def from_records(cls, records: Records) -> "Details":
        """The details remembered in the records (None for those never set)."""
        return cls(**{k: records.setting(f"report.{k}") for k in cls.FIELDS})

    def updated(self, **given: str | None) -> "Details":
        """These details with the ``given`` ones replaced (an empty text clears one; None keeps it)."""
        values = {k: getattr(self, k) for k in self.FIELDS}
        values.update({k: (" ".join(v.split()) or None) for k, v in given.items() if v is not None})
        return Details(**values)

    def remember(self, records: Records) -> None:
        for k in self.FIELDS:
            records.set_setting(f"report.{k}", getattr(self, k))


def stamp_for(report: "Report", signer: PublicKey) -> Stamp:
    meta = META + base64.b64encode(json.dumps(report.meta(signer), sort_keys=True).encode()).decode()
    return Stamp(signer.site, signer.fingerprint, report.chain, meta)


# -- gathering --------------------------------------------------------------------------------------------------
def build_report(records: Records, *, trainee: str | None = None, crew: str | None = None,
                 until: datetime | None = None, details: Details | None = None) -> Report:
    """Gather the report of one trainee or one crew from the records, as they stood at ``until`` (default now),
    with the site's ``details`` (unit, place, trainer) if any.

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
    with records.snapshot():  # the chain head and the content from one state of the file
        chain = records.chain_head()
        for person in people:
            history = [h for h in records.history(trainee_id=person.id) if h.answered_at <= until]
            own = [s for s in records.sessions(trainee_id=person.id) if s.started_at <= until]
            for s in own:
                answers = [h for h in history if h.session_id == s.id]
                sessions.append(_session_data(s, [h.attempt for h in answers], until))
                trials += [_trial_row(h, cb, sessions[-1]) for h in answers]
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
    if details is not None and details.as_dict():
        data["details"] = details.as_dict()
    return Report(kind, subject, data, chain)


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
    finished = s.ended_at is not None and s.ended_at <= until
    return {"id": s.id, "uuid": s.uuid, "trainee": s.trainee, "crew": s.crew, "scenario_id": s.scenario_id,
            "scenario_title": s.scenario_title, "started_at": stamp(s.started_at),
            "ended_at": stamp(s.ended_at) if finished else None, "finished": finished,
            "trials_planned": s.trials_planned, **{k: result.get(k) for k in keep}}


def _trial_row(h, cb: Codebook, session: dict) -> dict:
    """One answer as a row of the CSV (see :data:`CSV_COLUMNS`)."""
    a, t = h.attempt, h.attempt.trial
    return {
        "trainee": h.trainee, "crew": h.crew, "session": h.session_id, "scenario": h.scenario_id,
        "trial": t.index + 1, "task": t.task, "answered_at": stamp(h.answered_at),
        "context": format_sequence(t.context, cb), "played": format_sequence(t.sequence, cb),
        "expected": a.expected, "expected_count": t.expected.count, "given": a.given, "given_count": a.given_count,
        "correct": a.correct, "accepted": a.accepted, "reaction_s": _round(a.reaction_s),
        "false_start": a.false_start, "timed_out": a.timed_out, "time_limit_s": t.time_limit_s,
        "knocks": len(a.response.knock_times_s), "mean_interval_s": _round(a.mean_interval_s),
        "visual_beats": a.response.visual_beats, "snr_db": t.snr_db, "medium": t.conditions.medium,
        "noises": "+".join(t.conditions.noises), "distance_m": t.conditions.distance_m, "seed": t.seed,
        "session_accuracy": percent(session["accuracy"]), "session_composite": session["composite"],
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
CSV_COLUMNS = (
    ("trainee", "the trainee's name"), ("crew", "the crew, if any"), ("session", "the session's number in the records"),
    ("scenario", "the scenario's id"), ("trial", "the trial's number in the session, from 1"),
    ("task", "recognise (name what was heard), send (knock a signal) or respond (knock the reply)"),
    ("answered_at", "when the answer was saved: ISO 8601, UTC"),
    ("context", "groups already exchanged before the trial, e.g. R4 T3"), ("played", "groups played, e.g. T9"),
    ("expected", "the right answer: a signal id, headcount or unknown (not a signal)"),
    ("expected_count", "knocks of the group asked about (people, for a headcount)"),
    ("given", "the answer: a signal id, headcount, miscount, unknown or none"),
    ("given_count", "the number answered or knocked"), ("correct", "the answer's content is right"),
    ("accepted", "right, in time and not a false start (what accuracy counts)"),
    ("reaction_s", "seconds from the last knock heard to the answer"),
    ("false_start", "answered before the last knock"), ("timed_out", "no answer, or later than the limit"),
    ("time_limit_s", "seconds allowed"), ("knocks", "knocks the trainee made"),
    ("mean_interval_s", "mean spacing of those knocks, seconds"),
    ("visual_beats", "the knocks were also shown on screen (flashes or text beats); empty when not recorded"),
    ("snr_db", "signal-to-noise ratio of what was played, dB (empty without noise)"),
    ("medium", "what was struck"), ("noises", "noise beds, joined by +"), ("distance_m", "metres of propagation"),
    ("seed", "seed of the rendering: with conditions, plays the trial again exactly"),
    ("session_accuracy", "the session's accuracy as the screen shows it, e.g. 86%"),
    ("session_composite", "the session's composite score, 0-100"),
    ("conditions", "every acoustic condition, JSON"), ("trial_uuid", "the trial's unique id"),
)
"""The columns of ``report --format csv``, one row per answer, with what each holds."""


def write_report(report: Report, path: str | Path, *, key: SiteKey | None = None, fmt: str | None = None,
                 lang: str = "zh", instructor: str | None = None) -> Path:
    """Write the report as CSV, HTML or PDF signed with ``key``, or as xAPI statements (chosen by ``fmt`` or the
    file extension). The file is written beside its name and renamed: it is whole, or not there.

    Raises
    ------
    UsageError
        Unknown format, no key for a signed format, or the file cannot be written.
    """
    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".")).lower()
    fmt = {"htm": "html", "json": "xapi"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise UsageError(f"cannot write a report as '{fmt or p.name}'{did_you_mean(fmt, FORMATS)}; "
                         f"use {', '.join(FORMATS)}")
    if fmt == "xapi":
        from rescue_signals.paper.xapi import statements

        signer = key.public if key is not None else None
        body = json.dumps(statements(report, site=signer.site if signer else None, instructor=instructor),
                          ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    else:
        if key is None:
            raise UsageError("a report is signed by the site's key; none was given")
        body = _signed(_layout(report, stamp_for(report, key.public), fmt, lang), key)
    try:
        write_whole(p, body)
    except OSError as exc:
        why = "the disk is full" if exc.errno == 28 else exc.strerror
        raise UsageError(f"{p}: cannot write the report: {why} (nothing was written)") from None
    return p


def _layout(report: Report, stamp: Stamp, fmt: str, lang: str) -> bytes:
    if fmt == "csv":
        return _csv(report, stamp).encode("utf-8")
    if fmt == "html":
        from rescue_signals.paper.pages import html_page

        return html_page(report, stamp, lang).encode("utf-8")
    from rescue_signals.paper.pages import pdf_document

    return pdf_document(report, stamp, lang)


def _csv(report: Report, stamp: Stamp) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[c for c, _ in CSV_COLUMNS], lineterminator="\n")
    w.writeheader()
    for row in report.data["trials"]:
        w.writerow({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})
    details = report.data.get("details", {})
    buf.write(f"# rescue-signals {report.kind} report: {report.subject}; records until {report.data['generated_at']}"
              f"; content sha256 {report.content_sha256}\n"
              + "".join(f"# {k}: {' '.join(str(details[k]).split())}\n" for k in Details.FIELDS if k in details) +
              f"# signed by: {stamp.site}; key fingerprint {stamp.fingerprint}; records chain entry "
              f"{stamp.chain_text}\n# {stamp.meta}\n# {stamp.signature}\n")
    return buf.getvalue()


def _signed(body: bytes, key: SiteKey) -> bytes:
    placeholder = (SIGNATURE + _ZERO_SIGNATURE).encode()
    if body.count(placeholder) != 1:
        raise AssertionError("the report needs exactly one place for its signature")
    return body.replace(placeholder, (SIGNATURE + key.sign(body).hex()).encode())


# -- verifying --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    """What ``report --verify`` found in a report whose signature is valid.

    Attributes
    ----------
    path : str
    kind, subject, until, content_sha256 : str
        From the report's metadata (signed).
    signer : PublicKey
        Who signed it (the site's name as signed, and its key).
    trusted_as : str or None
        Why the key is trusted (``"this site's own key"``, ``"--trust"``, a trusted-keys file), or None.
    chain : Head or None
        Where the records' chain stood when the report was made.
    details : dict or None
        The site's details the report carries (signed), to rebuild its content with.
    """

    path: str
    kind: str
    subject: str
    until: str
    content_sha256: str
    signer: PublicKey
    trusted_as: str | None
    chain: Head | None
    details: dict | None = None


def read_signed_report(path: str | Path, trusted: list[Trusted]) -> Verification:
    """Check that a file is a report signed, unchanged, by the key it names, and whether that key is trusted.

    Raises
    ------
    SignatureError
        Not a report, unsigned, or changed since it was signed (the message says which).
    """
    p = Path(path)
    problem = not_a_regular_file(p)
    if problem:
        raise SignatureError(f"{p}: {problem}")
    try:
        if p.stat().st_size > MAX_REPORT_BYTES:
            raise SignatureError(f"{p}: not a report (larger than {MAX_REPORT_BYTES >> 20} MB)")
        body = p.read_bytes()
    except OSError as exc:
        raise SignatureError(f"{p}: cannot read: {exc.strerror}") from None
    signatures = _SIGNATURE_RE.findall(body)
    metas = _META_RE.findall(body)
    if not signatures:
        if metas or _OLD_SEAL_RE.search(body):
            raise SignatureError(f"{p}: unsigned: this report carries no signature (made by an older version, or "
                                 "its signature was removed), so nothing shows who made it or that it is unchanged")
        raise SignatureError(f"{p}: not a report made by rescue-signals (no report data and no signature in it)")
    if len(signatures) != 1 or len(metas) != 1:
        raise SignatureError(f"{p}: changed: it holds {len(signatures)} signatures and {len(metas)} report data "
                             "blocks where a report has one of each")
    meta = _decode_meta(metas[0])
    signer = _signer(meta)
    if meta is None or signer is None:
        raise SignatureError(f"{p}: changed: its report data cannot be read, so neither who signed it nor what it "
                             "covers can be checked")
    signature = bytes.fromhex(signatures[0].decode())
    blank = body.replace(SIGNATURE.encode() + signatures[0], (SIGNATURE + _ZERO_SIGNATURE).encode())
    if not signer.verify(signature, blank):
        raise SignatureError(f"{p}: changed since it was signed: the signature of '{signer.site}' (key "
                             f"{signer.fingerprint}) does not match the file as it is now")
    chain = meta.get("chain")
    return Verification(
        str(p), str(meta.get("kind")), str(meta.get("subject")), str(meta.get("until")),
        str(meta.get("content_sha256")), signer, next((t.source for t in trusted if t.matches(signer)), None),
        Head(int(chain["position"]), str(chain["head"])) if isinstance(chain, dict) else None,
        meta.get("details") if isinstance(meta.get("details"), dict) else None)


def _decode_meta(text: bytes) -> dict | None:
    try:
        meta = json.loads(base64.b64decode(text, validate=True))
    except ValueError:
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == REPORT_FORMAT else None


def _signer(meta: dict | None) -> PublicKey | None:
    if meta is None or not isinstance(meta.get("signer"), dict):
        return None
    try:
        raw = base64.b64decode(meta["signer"]["public_key"], validate=True)
    except (KeyError, ValueError, TypeError):
        return None
    return PublicKey(str(meta["signer"].get("site", "?")), raw) if len(raw) == 32 else None


def check_against_records(found: Verification, records: Records) -> str:
    """Check that the records still hold the chain the report came from and give the same content.

    Returns
    -------
    str
        What matched, for the user.

    Raises
    ------
    RecordsError
        The records' chain is broken, no longer holds the report's head, or gives other content.
    """
    check = records.verify_chain()
    if not check.ok:
        raise RecordsError(f"{records.path}: the records were changed after they were written: "
                           f"{check.first.message} (rescue-signals records --verify lists every change)")
    if found.chain is not None:
        held = records.chain_hash(found.chain.position)
        if held is None:
            raise RecordsError(f"{records.path}: the records end at entry {check.entries}; the report was made "
                               f"from entry {found.chain.position}: these are other records, or entries were "
                               "removed")
        if held != found.chain.hash:
            raise RecordsError(f"{records.path}: entry {found.chain.position} of the records is not the one the "
                               "report was made from: these are other records, or they were rewritten")
    try:
        until = datetime.fromisoformat(found.until)
        rebuilt = build_report(records, trainee=found.subject if found.kind == "trainee" else None,
                               crew=found.subject if found.kind == "crew" else None, until=until,
                               details=Details.from_dict(found.details))
    except (RecordsError, UsageError, ValueError) as exc:
        raise RecordsError(f"{records.path}: the report's content cannot be rebuilt from these records: {exc}") \
            from None
    if rebuilt.content_sha256 != found.content_sha256:
        raise RecordsError(f"{records.path}: the records give different content (sha256 {rebuilt.content_sha256} "
                           f"where the report has {found.content_sha256})")
    where = f"entry {found.chain.position} of their chain, " if found.chain else ""
    return f"the records in {records.path} hold {where}are intact ({check.entries} entries) and give the same content"
