"""A report's answers and sessions as xAPI statements (Experience API 1.0.3), for a learning record store.

Each answer is one statement: the trainee (actor) *answered* the signal asked about (object), with whether the
answer was accepted, its score and reaction time (result), and the instructor, the crew (team), the scenario and
whether the knocks were also shown on screen (context). Each finished session is one more: the trainee
*completed* the scenario, with its composite score, pass and duration. Statement ids are the trials' and
sessions' own UUIDs, so exporting the same records twice gives the same statements (a store keeps one copy).
"""

from __future__ import annotations

from datetime import datetime

IRI = "urn:rescue-signals:"
"""Prefix of the activities, accounts and extensions this program names (URNs: valid IRIs, no web address)."""

VISUAL_BEATS = IRI + "extension:visual-beats"
"""Context extension: the knocks were also shown on screen (flashes or text beats), not only heard."""

REACTION_S = IRI + "extension:reaction-s"
"""Result extension: seconds from the last knock heard to the answer (negative: a false start)."""

_ANSWERED = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered", "zh-CN": "回答"}}
_COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "zh-CN": "完成"}}
_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"


def statements(report, *, site: str | None = None, instructor: str | None = None) -> list[dict]:
    """The statements of a :class:`~rescue_signals.paper.reports.Report`: one per answer, one per finished session.

    Parameters
    ----------
    site : str, optional
        The training site (its accounts' home); also the instructor when none is named.
    instructor : str, optional
        Who ran the drills.
    """
    from rescue_signals.codebook import default_codebook
    from rescue_signals.drill import label_name

    cb = default_codebook()
    home = IRI + "site:" + _slug(site or "training-site")
    teacher = _agent(instructor or site or "training site", home)
    out = []
    for row in report.data["trials"]:
        label = row["expected"]
        obj = {"objectType": "Activity", "id": f"{IRI}signal:{label}",
               "definition": {"name": {"en-US": label_name(label, cb, "en"), "zh-CN": label_name(label, cb, "zh")},
                              "type": _INTERACTION}}
        result = {"success": bool(row["accepted"]), "completion": True,
                  "score": {"scaled": 1.0 if row["accepted"] else 0.0, "raw": int(bool(row["accepted"])), "min": 0,
                            "max": 1},
                  "response": str(row["given"] if row["given_count"] is None else
                                  f"{row['given']} {row['given_count']}")}
        if row["reaction_s"] is not None:
            result["extensions"] = {REACTION_S: row["reaction_s"]}
            if row["reaction_s"] >= 0:
                result["duration"] = duration(row["reaction_s"])
        out.append({"id": row["trial_uuid"], "actor": _agent(row["trainee"], home), "verb": _ANSWERED,
                    "object": obj, "result": result,
                    "context": _context(teacher, row["crew"], home, row["scenario"], row["visual_beats"]),
                    "timestamp": row["answered_at"]})
    beats = _beats_by_session(report.data["trials"])
    for s in report.data["sessions"]:
        if not s["finished"] or s["composite"] is None:
            continue
        result = {"success": bool(s["passed"]), "completion": True,
                  "score": {"scaled": round(s["composite"] / 100, 4), "raw": s["composite"], "min": 0, "max": 100}}
        spent = (datetime.fromisoformat(s["ended_at"]) - datetime.fromisoformat(s["started_at"])).total_seconds()
        result["duration"] = duration(max(0.0, spent))
        out.append({"id": s["uuid"], "actor": _agent(s["trainee"], home), "verb": _COMPLETED,
                    "object": {"objectType": "Activity", "id": f"{IRI}scenario:{s['scenario_id']}",
                               "definition": {"name": {"en-US": s["scenario_title"] or s["scenario_id"]},
                                              "type": _ASSESSMENT}},
                    "result": result,
                    "context": _context(teacher, s["crew"], home, None, beats.get(s["id"])),
                    "timestamp": s["ended_at"]})
    return out


def duration(seconds: float) -> str:
    """An ISO 8601 duration with hundredths of a second, as xAPI wants: ``PT2.35S``, ``PT1H2M3.5S``."""
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    secs = f"{rest / 100:.2f}".rstrip("0").rstrip(".")
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _agent(name: str, home: str) -> dict:
    return {"objectType": "Agent", "name": name, "account": {"homePage": home, "name": name}}


def _context(teacher: dict, crew: str | None, home: str, scenario: str | None, visual_beats) -> dict:
    context: dict = {"instructor": teacher, "language": "zh-CN"}
    if crew:
        context["team"] = {"objectType": "Group", "name": crew, "account": {"homePage": home, "name": crew}}
    if scenario:
        context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": f"{IRI}scenario:{scenario}"}]}
    if visual_beats is not None:
        context["extensions"] = {VISUAL_BEATS: visual_beats}
    return context


def _beats_by_session(rows) -> dict:
    """Per session: True or False when every answer had the same, "some" when it changed, absent when unknown."""
    seen: dict = {}
    for row in rows:
        if row["visual_beats"] is not None:
            seen.setdefault(row["session"], set()).add(bool(row["visual_beats"]))
    return {k: (next(iter(v)) if len(v) == 1 else "some") for k, v in seen.items()}


def _slug(text: str) -> str:
    from urllib.parse import quote

    return quote("-".join(text.split()), safe="")
