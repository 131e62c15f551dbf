"""A crew as the trainer's desk shows it, and its printed report.

Each member's place on the course (:mod:`rescue_signals.drill.course`) and their row of the crew report's summary
table, made from the same report data as the printed report (:func:`rescue_signals.paper.reports.build_report`), so the
screen and the paper never disagree. The printed report is the one ``rescue-signals report --crew NAME -o FILE.pdf``
writes, by the same calls. No drawing here: the desk scene shows what these functions return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from rescue_signals.drill.course import Step, StepStatus, course_status, next_step

SUMMARY_COLUMNS = (2, 3, 4, 5, 6, 9, 10)
"""The columns of the report's summary table (:func:`rescue_signals.paper.pages.member_rows`) the desk shows:
sessions, trials, accuracy, reaction median/p90, false starts, best composite, scenarios passed."""


@dataclass(frozen=True)
class Member:
    """One trainee of a crew.

    Attributes
    ----------
    trainee : records.Trainee
    course : tuple of StepStatus
        Where they stand on every step of the course.
    results : tuple of str
        Their cells of the summary table, :data:`SUMMARY_COLUMNS` of the report's.
    """

    trainee: object
    course: tuple[StepStatus, ...]
    results: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.trainee.name

    @property
    def passed(self) -> tuple[StepStatus, ...]:
        return tuple(s for s in self.course if s.passed)

    @property
    def upcoming(self) -> StepStatus | None:
        return next_step(list(self.course))


@dataclass(frozen=True)
class CrewView:
    """A crew's members with the headings of their results."""

    crew: str
    head: tuple[str, ...]
    members: tuple[Member, ...]


def crew_view(records, crew: str, steps: list[Step], *, heard: Callable[[str], set[str]],
              signals: tuple[str, ...], lang: str) -> CrewView:
    """The crew ``crew`` from the records: every member (by name) with their course and results.

    Parameters
    ----------
    heard : callable
        A trainee's name -> the signal cards they have heard in Learn (the first step of the course).
    signals : tuple of str
        Every card of the codebook.

    Raises
    ------
    RecordsError
        The records cannot be read, or there is no such crew.
    """
    from rescue_signals.paper.pages import member_rows
    from rescue_signals.paper.reports import build_report

    report = build_report(records, crew=crew)
    head, rows = member_rows(report.data, lang)
    by_name = {row[1]: row for row in rows}
    members = []
    for trainee in records.trainees(crew):
        course = course_status(steps, records.sessions(trainee_id=trainee.id), heard=heard(trainee.name),
                               signals=signals)
        row = by_name.get(trainee.name)
        results = tuple(row[i] for i in SUMMARY_COLUMNS) if row else ("—",) * len(SUMMARY_COLUMNS)
        members.append(Member(trainee, tuple(course), results))
    return CrewView(report.subject, tuple(head[i] for i in SUMMARY_COLUMNS), tuple(members))


def default_report_path(folder: Path, crew: str, when: datetime) -> Path:
    """Where the crew's report goes unless the trainer says otherwise: ``folder/<crew> <date>.pdf``."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "-", crew.strip()).strip("-.") or "crew"
    return folder / f"{safe}-{when:%Y-%m-%d}.pdf"


def report_path(typed: str, fallback: Path) -> Path:
    """The file a typed path names: ``~`` expanded, a folder gets the fallback's name, ``.pdf`` added if missing."""
    text = typed.strip()
    if not text:
        return fallback
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith(("/", "\\")):
        return path / fallback.name
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


@dataclass(frozen=True)
class Printed:
    """A report written: where, and who signed it (``key_made``: the site's key was made for it)."""

    path: Path
    site: str
    fingerprint: str
    key_made: bool


def crew_report(records, crew: str):
    """The content of the crew's report (as ``report --crew`` gathers it), and the site key to sign it with.

    Returns
    -------
    report : reports.Report
    key : sitekey.SiteKey
    made : bool
        The key was made now (first use on this computer).
    """
    from rescue_signals.paper.reports import build_report
    from rescue_signals.paper.sitekey import site_key

    report = build_report(records, crew=crew)
    key, made = site_key()
    return report, key, made


def print_report(report, key, made: bool, path: Path, *, lang: str) -> Printed:
    """Lay out, sign and write the report as a PDF at ``path`` (slow: run it off the main loop).

    Raises
    ------
    UsageError
        The file cannot be written (nothing was written).
    """
    from rescue_signals.paper.reports import write_report

    written = write_report(report, path, key=key, fmt="pdf", lang=lang)
    return Printed(Path(written).resolve(), key.public.site, key.public.fingerprint, made)
