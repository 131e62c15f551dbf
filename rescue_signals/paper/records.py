"""Training records in one SQLite file: crews, trainees, drill sessions and every trial answered.

Each answer is committed in its own transaction the moment it is saved, keyed by the trial's UUID, so an answer
saved twice (a retry, a resumed drill) is stored once, and a program killed mid-drill loses nothing it saved. The
file uses SQLite's write-ahead log, so the app and a terminal drill may use it at the same time. The schema carries
a version (``PRAGMA user_version``) and is migrated forward when an older file is opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from rescue_signals import __version__
from rescue_signals.drill.adaptive import Practice, Profile
from rescue_signals.drill.trial import Attempt
from rescue_signals.errors import RecordsError, RescueSignalsError
from rescue_signals.filesystem import disk_is_full
from rescue_signals.paper.chain import GENESIS, TABLES, Check, Head, canonical, entry_hash, walk
from rescue_signals.resources import user_data_dir

ENV_VAR = "RESCUE_SIGNALS_DB"
"""Environment variable naming the records file (overrides the default location)."""

FILE_NAME = "records.sqlite3"

_MIGRATIONS = (
    # 1: the first schema
    """
    CREATE TABLE crews (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at TEXT NOT NULL);
    CREATE TABLE trainees (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        crew_id INTEGER REFERENCES crews(id), created_at TEXT NOT NULL);
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, trainee_id INTEGER NOT NULL REFERENCES trainees(id),
        scenario_id TEXT NOT NULL, scenario_title TEXT NOT NULL, scenario_path TEXT, codebook_id TEXT NOT NULL,
        seed INTEGER, trials_planned INTEGER, started_at TEXT NOT NULL, ended_at TEXT, score_json TEXT,
        program_version TEXT NOT NULL);
    CREATE TABLE trials (
        id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, session_id INTEGER NOT NULL REFERENCES sessions(id),
        trial_index INTEGER NOT NULL, task TEXT NOT NULL, expected TEXT NOT NULL, given TEXT NOT NULL,
        correct INTEGER NOT NULL, accepted INTEGER NOT NULL, false_start INTEGER NOT NULL,
        timed_out INTEGER NOT NULL, reaction_s REAL, snr_db REAL, answered_at TEXT NOT NULL,
        attempt_json TEXT NOT NULL);
    """,
    # 2: summary columns for leaderboards and the adaptive start, filled from the stored scores
    """
    ALTER TABLE sessions ADD COLUMN composite REAL;
    ALTER TABLE sessions ADD COLUMN passed INTEGER;
    ALTER TABLE sessions ADD COLUMN snr_estimate_db REAL;
    UPDATE sessions SET composite = json_extract(score_json, '$.composite'),
                        passed = json_extract(score_json, '$.passed'),
                        snr_estimate_db = json_extract(score_json, '$.snr_threshold_db')
                    WHERE score_json IS NOT NULL;
    CREATE INDEX trials_by_session ON trials(session_id, trial_index);
    CREATE INDEX sessions_by_trainee ON sessions(trainee_id, started_at);
    """,
    # 3: the append-only hash chain of every change (rows written before it are adopted into it, see _adopt)
    """
    CREATE TABLE chain (
        position INTEGER PRIMARY KEY, kind TEXT NOT NULL, content TEXT NOT NULL, prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE);
    CREATE TRIGGER chain_is_append_only_update BEFORE UPDATE ON chain
        BEGIN SELECT RAISE(ABORT, 'the chain of the records is append-only'); END;
    CREATE TRIGGER chain_is_append_only_delete BEFORE DELETE ON chain
        BEGIN SELECT RAISE(ABORT, 'the chain of the records is append-only'); END;
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)
_CHAIN_SCHEMA = 3


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration (a trigger's body holds ';' too)."""
    out, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                out.append(buffer)
            buffer = ""
    return out


def default_path() -> Path:
    """``$RESCUE_SIGNALS_DB``, or ``records.sqlite3`` in the user's data folder (``$RESCUE_SIGNALS_HOME``)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return user_data_dir() / FILE_NAME


@dataclass(frozen=True)
class Crew:
    id: int
    name: str


@dataclass(frozen=True)
class Trainee:
    id: int
    name: str
    crew: str | None


@dataclass(frozen=True)
class SessionRecord:
    """One drill session as stored."""

    id: int
    uuid: str
    trainee: str
    crew: str | None
    scenario_id: str
    scenario_title: str
    scenario_path: str | None
    codebook_id: str
    seed: int | None
    trials_planned: int | None
    started_at: datetime
    ended_at: datetime | None
    composite: float | None
    passed: bool | None
    snr_estimate_db: float | None
    trials_saved: int
    score: dict | None


@dataclass(frozen=True)
class StoredAttempt:
    """An attempt with where and when it was given."""

    attempt: Attempt
    session_id: int
    trainee: str
    crew: str | None
    scenario_id: str
    answered_at: datetime


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    trainee: str
    crew: str | None
    sessions: int
    passed: int
    best_composite: float | None
    last_composite: float | None
    accuracy: float | None


class Records:
    """The records file.

    Parameters
    ----------
    path : str or Path, optional
        The SQLite file; :func:`default_path` if not given. Created (with its folder) if missing.
    now : callable, optional
        Returns the current wall-clock time as an aware datetime (injected by tests).
    busy_timeout_s : float, s
        How long to wait for another program writing to the same file before giving up with an error.
    read_only : bool
        Open for reading only (reports); the file must exist.

    Raises
    ------
    RecordsError
        The file cannot be opened, is not a records file, or was made by a newer version.
    """

    def __init__(self, path: str | Path | None = None, *, now: Callable[[], datetime] | None = None,
                 busy_timeout_s: float = 5.0, read_only: bool = False):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.read_only = read_only
        self._conn = self._open(busy_timeout_s)
        try:
            self._migrate()
        except RecordsError:
            self._conn.close()
            raise

    # -- opening ------------------------------------------------------------------------------------------------
    def _open(self, busy_timeout_s: float) -> sqlite3.Connection:
        if self.read_only:
            if not self.path.is_file():
                raise RecordsError(f"{self.path}: no records here yet (run a drill first, or name the records "
                                   "file with --db)")
            target, uri = f"{self.path.resolve().as_uri()}?mode=ro", True
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RecordsError(f"{self.path}: cannot create the folder for the records: {exc.strerror}") from None
            target, uri = str(self.path), False
        try:
            return self._connect(target, uri, busy_timeout_s)
        except sqlite3.Error as exc:
            if not self.read_only:
                raise RecordsError(_explain(self.path, "open the records", exc)) from None
        # A copy on read-only media: SQLite cannot create the shared-memory file a WAL database needs to be read,
        # but nothing can change the file either, so it may be read as immutable.
        with self._errors("open the records"):
            return self._connect(target + "&immutable=1", uri, busy_timeout_s)

    def _connect(self, target: str, uri: bool, busy_timeout_s: float) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=busy_timeout_s, uri=uri, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")  # an answer reported saved survives a power cut
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RecordsError(f"{self.path}: these records were written by a newer version of rescue-signals "
                               f"(schema {version}; this version knows up to {SCHEMA_VERSION}); please update")
        if version < SCHEMA_VERSION and self.read_only:
            raise RecordsError(f"{self.path}: the records use an older schema ({version}); open them once with "
                               "write access (e.g. run a drill) to update them")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction(f"update the records to schema {number}"):
                for statement in _statements(_MIGRATIONS[number - 1]):
                    self._conn.execute(statement)
                if number == _CHAIN_SCHEMA:
                    self._adopt()
                self._conn.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Records":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- errors and transactions --------------------------------------------------------------------------------
    class _Errors:
        def __init__(self, records: "Records", action: str):
            self.records, self.action = records, action

        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            if exc is None or not isinstance(exc, sqlite3.Error):
                return False
            raise RecordsError(_explain(self.records.path, self.action, exc)) from None

    def _errors(self, action: str) -> "_Errors":
        return Records._Errors(self, action)

    class _Transaction:
        def __init__(self, records: "Records", action: str):
            self.records, self.action = records, action

        def __enter__(self):
            with self.records._errors(self.action):
                self.records._conn.execute("BEGIN IMMEDIATE")
            return self.records._conn

        def __exit__(self, kind, exc, tb):
            conn = self.records._conn
            with self.records._errors(self.action):
                if exc is None:
                    conn.execute("COMMIT")
                    return False
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise RecordsError(_explain(self.records.path, self.action, exc)) from None
            return False

    def _transaction(self, action: str) -> "_Transaction":
        """One write transaction; any SQLite failure becomes a RecordsError naming ``action``."""
        if self.read_only:
            raise RecordsError(f"{self.path}: opened read-only; cannot {action}")
        return Records._Transaction(self, action)

    @contextlib.contextmanager
    def snapshot(self):
        """Read several things from one state of the file (other programs may write meanwhile)."""
        if self._conn.in_transaction:
            yield self
            return
        with self._errors("read the records"):
            self._conn.execute("BEGIN")
        try:
            yield self
        finally:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def _query(self, sql: str, params=()) -> list[sqlite3.Row]:
        with self._errors("read the records"):
            return self._conn.execute(sql, params).fetchall()

    def now(self) -> datetime:
        """The current wall-clock time (UTC) by the records' clock."""
        return self._now().astimezone(timezone.utc)

    def _stamp(self) -> str:
        return stamp(self.now())

    # -- the chain ----------------------------------------------------------------------------------------------
    def _chain(self, conn: sqlite3.Connection, kind: str, table: str | None = None, row_id: int | None = None,
               **extra) -> Head | None:
        """Append an entry holding the row ``row_id`` of ``table`` as it is now (inside the caller's transaction,
        so the row and its entry are committed together or not at all)."""
        last = conn.execute("SELECT position, hash FROM chain ORDER BY position DESC LIMIT 1").fetchone()
        position, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        content = {"position": position, "kind": kind, **extra}
        if table is not None:
            row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
            if row is None:  # nothing was written (an update of a row that does not exist)
                return None
            content.update(table=table, row=dict(row))
        text = canonical(content)
        digest = entry_hash(prev, text)
        conn.execute("INSERT INTO chain (position, kind, content, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
                     (position, kind, text, prev, digest))
        return Head(position, digest)

    def _adopt(self) -> None:
        """Start the chain (schema 3): rows written before it existed become its first entries, as they stand.

        The chain cannot vouch for what happened to those rows before this moment; the first entry says how many
        there were and when they were adopted.
        """
        conn = self._conn
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        self._chain(conn, "chain-start", chain_id=str(uuidlib.uuid4()), at=self._stamp(),
                    program_version=__version__, adopted=counts)
        for table in TABLES:
            for (row_id,) in conn.execute(f"SELECT id FROM {table} ORDER BY id").fetchall():
                self._chain(conn, "adopted", table, row_id)

    def chain_head(self) -> Head | None:
        """The last entry of the chain (None for records made before it existed and never opened for writing)."""
        rows = self._query("SELECT position, hash FROM chain ORDER BY position DESC LIMIT 1")
        return Head(rows[0]["position"], rows[0]["hash"]) if rows else None

    def chain_hash(self, position: int) -> str | None:
        """The stored hash of the entry at ``position``, or None when the chain is shorter."""
        rows = self._query("SELECT hash FROM chain WHERE position = ?", (position,))
        return rows[0]["hash"] if rows else None

    def verify_chain(self) -> Check:
        """Walk the chain from its start: every hash, every link, and every stored row against its latest entry.

        Returns
        -------
        rescue_signals.paper.chain.Check
            ``problems`` names the first broken entry first.
        """
        with self._errors("read the records"):
            tables = {t: {r["id"]: dict(r) for r in self._conn.execute(f"SELECT * FROM {t}")} for t in TABLES}
            entries = self._conn.execute("SELECT position, content, prev_hash, hash FROM chain ORDER BY position")
            return walk(((r[0], r[1], r[2], r[3]) for r in entries), tables)

    # -- crews and trainees -------------------------------------------------------------------------------------
    def add_crew(self, name: str) -> Crew:
        """Create a crew (or return the one of that name)."""
        name = _clean_name(name, "crew")
        existing = self.crew(name)
        if existing:
            return existing
        with self._transaction(f"add crew '{name}'") as conn:
            cur = conn.execute("INSERT INTO crews (name, created_at) VALUES (?, ?)", (name, self._stamp()))
            self._chain(conn, "crew", "crews", cur.lastrowid)
        return Crew(cur.lastrowid, name)

    def crew(self, name: str) -> Crew | None:
        rows = self._query("SELECT id, name FROM crews WHERE name = ?", (name.strip(),))
        return Crew(rows[0]["id"], rows[0]["name"]) if rows else None

    def crews(self) -> list[Crew]:
        return [Crew(r["id"], r["name"]) for r in self._query("SELECT id, name FROM crews ORDER BY name")]

    def add_trainee(self, name: str, crew: str | None = None) -> Trainee:
        """Register a trainee, optionally in a crew (created if new).

        Raises
        ------
        RecordsError
            A trainee of that name exists already (names are unique, ignoring case).
        """
        name = _clean_name(name, "trainee")
        if self.trainee(name) is not None:
            raise RecordsError(f"a trainee named '{name}' is already registered")
        crew_id = self.add_crew(crew).id if crew else None
        with self._transaction(f"add trainee '{name}'") as conn:
            cur = conn.execute("INSERT INTO trainees (name, crew_id, created_at) VALUES (?, ?, ?)",
                               (name, crew_id, self._stamp()))
            self._chain(conn, "trainee", "trainees", cur.lastrowid)
        return Trainee(cur.lastrowid, name, self.crew(crew).name if crew else None)

    def ensure_trainee(self, name: str, crew: str | None = None) -> Trainee:
        """The trainee of that name, registered if new; moved into ``crew`` if one is given."""
        found = self.trainee(name)
        if found is None:
            return self.add_trainee(name, crew)
        if crew and (found.crew or "").lower() != crew.strip().lower():
            crew_row = self.add_crew(crew)
            with self._transaction(f"move '{found.name}' to crew '{crew_row.name}'") as conn:
                conn.execute("UPDATE trainees SET crew_id = ? WHERE id = ?", (crew_row.id, found.id))
                self._chain(conn, "trainee-crew", "trainees", found.id)
            return Trainee(found.id, found.name, crew_row.name)
        return found

    def trainee(self, name: str) -> Trainee | None:
        rows = self._query("SELECT t.id, t.name, c.name AS crew FROM trainees t LEFT JOIN crews c ON c.id = t.crew_id "
                           "WHERE t.name = ?", (name.strip(),))
        return Trainee(rows[0]["id"], rows[0]["name"], rows[0]["crew"]) if rows else None

    def trainees(self, crew: str | None = None) -> list[Trainee]:
        """Every trainee, or the roster of one crew, by name."""
        sql = "SELECT t.id, t.name, c.name AS crew FROM trainees t LEFT JOIN crews c ON c.id = t.crew_id"
        rows = self._query(sql + (" WHERE c.name = ?" if crew else "") + " ORDER BY t.name",
                           (crew.strip(),) if crew else ())
        return [Trainee(r["id"], r["name"], r["crew"]) for r in rows]

    # -- sessions and answers -----------------------------------------------------------------------------------
    def start_session(self, trainee_id: int, scenario_id: str, *, scenario_title: str = "",
                      scenario_path: str | None = None, codebook_id: str = "", seed: int | None = None,
                      trials_planned: int | None = None, session_uuid: str | None = None) -> int:
        """Open a session of a drill for a trainee; returns its id."""
        with self._transaction("start a session") as conn:
            cur = conn.execute(
                "INSERT INTO sessions (uuid, trainee_id, scenario_id, scenario_title, scenario_path, codebook_id, "
                "seed, trials_planned, started_at, program_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_uuid or str(uuidlib.uuid4()), trainee_id, scenario_id, scenario_title, scenario_path,
                 codebook_id, seed, trials_planned, self._stamp(), __version__))
            self._chain(conn, "session-start", "sessions", cur.lastrowid)
        return cur.lastrowid

    def save_attempt(self, session_id: int, attempt: Attempt) -> bool:
        """Store one answer, committed at once.

        Returns
        -------
        bool
            True if stored now, False if this trial (same UUID) was stored before.

        Raises
        ------
        RecordsError
            The answer could not be stored (locked, read-only, disk full); it was not saved.
        """
        t = attempt.trial
        with self._transaction(f"save the answer to trial {t.index + 1}") as conn:
            cur = conn.execute(
                "INSERT INTO trials (uuid, session_id, trial_index, task, expected, given, correct, accepted, "
                "false_start, timed_out, reaction_s, snr_db, answered_at, attempt_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uuid) DO NOTHING",
                (t.uuid, session_id, t.index, t.task, attempt.expected, attempt.given, attempt.correct,
                 attempt.accepted, attempt.false_start, attempt.timed_out, attempt.reaction_s, t.snr_db,
                 self._stamp(), json.dumps(attempt.as_dict(), ensure_ascii=False)))
            if cur.rowcount:
                self._chain(conn, "answer", "trials", cur.lastrowid)
                return True
            owner = conn.execute("SELECT session_id FROM trials WHERE uuid = ?", (t.uuid,)).fetchone()[0]
        if owner != session_id:
            raise RecordsError(f"trial {t.uuid} is already stored for session {owner}, not {session_id}")
        return False

    def end_session(self, session_id: int, score=None) -> None:
        """Close a session, storing its score (a :class:`~rescue_signals.drill.Score`) if given."""
        data = score.as_dict() if score is not None else None
        with self._transaction("end the session") as conn:
            conn.execute("UPDATE sessions SET ended_at = ?, score_json = ?, composite = ?, passed = ?, "
                         "snr_estimate_db = ? WHERE id = ?",
                         (self._stamp(), json.dumps(data, ensure_ascii=False) if data else None,
                          data and data["composite"], data and data["passed"], data and data["snr_threshold_db"],
                          session_id))
            self._chain(conn, "session-end", "sessions", session_id)

    _SESSION_SQL = ("SELECT s.*, t.name AS trainee, c.name AS crew, "
                    "(SELECT count(*) FROM trials WHERE session_id = s.id) AS saved "
                    "FROM sessions s JOIN trainees t ON t.id = s.trainee_id LEFT JOIN crews c ON c.id = t.crew_id")

    def session(self, session_id: int) -> SessionRecord:
        rows = self._query(self._SESSION_SQL + " WHERE s.id = ?", (session_id,))
        if not rows:
            raise RecordsError(f"no session {session_id} in {self.path}")
        return _session(rows[0])

    def sessions(self, *, trainee_id: int | None = None, crew: str | None = None,
                 scenario_id: str | None = None) -> list[SessionRecord]:
        """Sessions, oldest first, filtered by trainee, crew and scenario."""
        where, params = _where(("s.trainee_id", trainee_id), ("c.name", crew), ("s.scenario_id", scenario_id))
        return [_session(r) for r in self._query(self._SESSION_SQL + where + " ORDER BY s.started_at, s.id", params)]

    def unfinished_session(self, trainee_id: int, scenario_id: str) -> SessionRecord | None:
        """The trainee's latest session of this scenario that was never ended (an interrupted drill)."""
        found = [s for s in self.sessions(trainee_id=trainee_id, scenario_id=scenario_id) if s.ended_at is None]
        return found[-1] if found else None

    def attempts(self, session_id: int) -> list[Attempt]:
        """The answers of one session, in trial order."""
        return [a.attempt for a in self.history(session_id=session_id)]

    def history(self, *, trainee_id: int | None = None, crew: str | None = None,
                session_id: int | None = None) -> list[StoredAttempt]:
        """Stored answers, oldest first, of a trainee, a crew or a session."""
        where, params = _where(("s.trainee_id", trainee_id), ("c.name", crew), ("r.session_id", session_id))
        sql = ("SELECT r.attempt_json, r.session_id, r.answered_at, t.name AS trainee, c.name AS crew, "
               "s.scenario_id FROM trials r JOIN sessions s ON s.id = r.session_id "
               "JOIN trainees t ON t.id = s.trainee_id LEFT JOIN crews c ON c.id = t.crew_id"
               + where + " ORDER BY r.answered_at, r.id")
        return [StoredAttempt(self._attempt(r), r["session_id"], r["trainee"], r["crew"], r["scenario_id"],
                              _time(r["answered_at"])) for r in self._query(sql, params)]

    def _attempt(self, row: sqlite3.Row) -> Attempt:
        try:
            return Attempt.from_dict(json.loads(row["attempt_json"]))
        except (TypeError, ValueError, KeyError, AttributeError, RescueSignalsError):
            raise RecordsError(f"{self.path}: a stored answer of session {row['session_id']} is damaged (it cannot "
                               "be read back); `rescue-signals records --verify` shows which entry was changed"
                               ) from None

    # -- settings -----------------------------------------------------------------------------------------------
    # What the site sets once and its reports print (its unit, the training place, the trainer): kept with the
    # records they describe. The table is made the first time something is set, so records without settings keep
    # their schema and open read-only as before; reports carry (and sign) the values they were made with.
    _SETTINGS_SQL = ("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                     "updated_at TEXT NOT NULL)")

    def setting(self, key: str) -> str | None:
        """The value set for ``key``, or None."""
        if not self._query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'"):
            return None
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        """Set ``key`` to ``value`` (spaces tidied); an empty value or None removes it."""
        value = " ".join(str(value).split()) if value is not None else ""
        with self._transaction(f"remember the {key.split('.')[-1]}") as conn:
            conn.execute(self._SETTINGS_SQL)
            if value:
                conn.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) "
                             "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                             (key, value, self._stamp()))
            else:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    # -- derived views ------------------------------------------------------------------------------------------
    def practice(self, trainee_id: int) -> list[Practice]:
        """The trainee's answers as (label, accepted, when), for spaced refreshers."""
        rows = self._query("SELECT r.expected, r.accepted, r.answered_at FROM trials r JOIN sessions s "
                           "ON s.id = r.session_id WHERE s.trainee_id = ? ORDER BY r.answered_at", (trainee_id,))
        return [Practice(r["expected"], bool(r["accepted"]), _time(r["answered_at"])) for r in rows]

    def profile(self, trainee_id: int, *, before_session: int | None = None) -> Profile:
        """Per-label results and the latest SNR estimate of the trainee (from sessions before ``before_session``).

        A resumed drill needs the profile its session started with, so that it draws the same trials again.
        """
        limit = before_session if before_session is not None else 2**62
        rows = self._query("SELECT snr_estimate_db FROM sessions WHERE trainee_id = ? AND id < ? AND "
                           "snr_estimate_db IS NOT NULL ORDER BY id DESC LIMIT 1", (trainee_id, limit))
        snr = rows[0][0] if rows else None
        answers = [h.attempt for h in self.history(trainee_id=trainee_id) if h.session_id < limit]
        return Profile.from_attempts(answers, snr_estimate_db=snr)

    def leaderboard(self, *, crew: str | None = None, scenario_id: str | None = None) -> list[LeaderboardRow]:
        """Trainees ranked by their best composite score (then accuracy), ties sharing a rank."""
        rows = []
        for trainee in self.trainees(crew):
            sessions = [s for s in self.sessions(trainee_id=trainee.id, scenario_id=scenario_id)]
            scored = [s for s in sessions if s.composite is not None]
            answers = [h.attempt for h in self.history(trainee_id=trainee.id)
                       if scenario_id is None or h.scenario_id == scenario_id]
            rows.append((trainee, len(sessions), sum(bool(s.passed) for s in sessions),
                         max((s.composite for s in scored), default=None),
                         scored[-1].composite if scored else None,
                         sum(a.accepted for a in answers) / len(answers) if answers else None))
        rows.sort(key=lambda r: (-(r[3] if r[3] is not None else -1), -(r[5] or 0), r[0].name.lower()))
        out, rank, prev = [], 0, None
        for i, (t, n, passed, best, last, acc) in enumerate(rows):
            if (best, acc) != prev:
                rank, prev = i + 1, (best, acc)
            out.append(LeaderboardRow(rank, t.name, t.crew, n, passed, best, last, acc))
        return out


def _where(*filters: tuple[str, object]) -> tuple[str, list]:
    """`` WHERE a = ? AND …`` for the filters whose value is not None, and the values."""
    used = [(column, value) for column, value in filters if value is not None]
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{column} = ?" for column, _ in used), [value for _, value in used]


def stamp(when: datetime) -> str:
    """A wall-clock time as stored: ISO 8601 in UTC, to the millisecond."""
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _clean_name(name: str, what: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise RecordsError(f"a {what} needs a name")
    return cleaned


def _time(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None


def _session(r: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=r["id"], uuid=r["uuid"], trainee=r["trainee"], crew=r["crew"], scenario_id=r["scenario_id"],
        scenario_title=r["scenario_title"], scenario_path=r["scenario_path"], codebook_id=r["codebook_id"],
        seed=r["seed"], trials_planned=r["trials_planned"], started_at=_time(r["started_at"]),
        ended_at=_time(r["ended_at"]), composite=r["composite"],
        passed=None if r["passed"] is None else bool(r["passed"]), snr_estimate_db=r["snr_estimate_db"],
        trials_saved=r["saved"], score=json.loads(r["score_json"]) if r["score_json"] else None)


def _explain(path: Path, action: str, exc: sqlite3.Error) -> str:
    """A message a trainer can act on, for a SQLite failure while doing ``action``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    msg = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in msg or "busy" in msg:
        why = ("the records file is locked by another program (another rescue-signals writing to it?); "
               "wait until it has finished and try again")
    elif name.startswith("SQLITE_READONLY") or "readonly" in msg or "read-only" in msg:
        why = "the records file (or its folder) is read-only; choose another file with --db or fix its permissions"
    elif name == "SQLITE_FULL" or "full" in msg or (("I/O" in str(exc) or name.startswith("SQLITE_IOERR"))
                                                    and disk_is_full(path)):
        # opening a file on a full disk fails as an I/O error (the write-ahead log cannot be made)
        why = "the disk is full; free some space and try again"
    elif name == "SQLITE_NOTADB" or "not a database" in msg:
        why = "this file is not a records file"
    elif name.startswith("SQLITE_CANTOPEN") or "unable to open" in msg:
        why = "the file cannot be opened (does the folder exist, and may you write there?)"
    elif name.startswith("SQLITE_CORRUPT") or "malformed" in msg:
        why = "the records file is damaged"
    else:
        why = str(exc)
    return f"{path}: cannot {action}: {why}"

