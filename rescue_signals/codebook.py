"""The signal codebook: signals, roles, timing and the headcount rule, loaded from YAML and validated.

Nothing else in the program knows that "call" is 5 knocks: every count, name and reply comes from a codebook file,
so a second codebook with other counts works through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rescue_signals.datafile import Node, Reader, did_you_mean, load_yaml
from rescue_signals.errors import DataFileError
from rescue_signals.resources import codebook_path

HEADCOUNT = "headcount"
"""Reply name meaning "one knock per person", used in ``replies`` beside signal ids."""

FALLBACK_LANGUAGE = "en"
"""The language a text is given in when it lacks the one asked for (if it has this one; else its first)."""


@dataclass(frozen=True)
class Text:
    """One piece of text in every language of the codebook."""

    translations: tuple[tuple[str, str], ...]

    def get(self, lang: str) -> str:
        found = dict(self.translations)
        return found.get(lang, found.get(FALLBACK_LANGUAGE, self.translations[0][1]))

    def format(self, **values) -> "Text":
        return Text(tuple((code, text.format(**values)) for code, text in self.translations))


@dataclass(frozen=True)
class Role:
    id: str
    symbol: str
    name: Text


@dataclass(frozen=True)
class SenderRule:
    """What a signal means when a given side sends it, and what the other side should answer."""

    role: str
    meaning: Text
    replies: tuple[str, ...]


@dataclass(frozen=True)
class Signal:
    id: str
    knocks: int
    name: Text
    senders: tuple[SenderRule, ...]

    def rule(self, role: str) -> SenderRule | None:
        return next((s for s in self.senders if s.role == role), None)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(s.role for s in self.senders)


@dataclass(frozen=True)
class Timing:
    knock_interval_s: float
    group_gap_s: float
    reply_window_s: float
    knock_interval_min_s: float
    knock_interval_max_s: float


@dataclass(frozen=True)
class Headcount:
    asked_by: str
    answered_by: str
    acknowledge_first: bool
    acknowledged_with: str
    max_knocks: int
    long_group_knocks: int
    name: Text
    meaning: Text  # contains "{n}"


@dataclass(frozen=True)
class Medium:
    id: str
    name: Text


@dataclass(frozen=True)
class Decision:
    id: str
    text: Text
    project_decision: bool


@dataclass(frozen=True)
class Codebook:
    id: str
    path: str
    languages: tuple[str, ...]
    title: Text
    source: Text
    short_name: Text
    precondition: Text
    roles: tuple[Role, ...]
    timing: Timing
    signals: tuple[Signal, ...]
    headcount: Headcount
    acknowledgement: str
    media: tuple[Medium, ...]
    rules: tuple[Text, ...]
    decisions: tuple[Decision, ...]

    def signal(self, signal_id: str) -> Signal:
        for s in self.signals:
            if s.id == signal_id:
                return s
        raise KeyError(signal_id)

    def signal_for(self, knocks: int, role: str | None = None) -> Signal | None:
        """The signal of ``knocks`` knocks (sent by ``role`` if given), or None."""
        for s in self.signals:
            if s.knocks == knocks and (role is None or s.rule(role) is not None):
                return s
        return None

    def answer_digit(self, signal_id: str) -> int | None:
        """The digit a trainee answers with when naming ``signal_id``: its number of knocks, when that number is a
        single digit no other signal has (the app's number keys and the terminal drill's answers alike)."""
        n = self.signal(signal_id).knocks
        return n if n <= 9 and [s.knocks for s in self.signals].count(n) == 1 else None

    def role(self, role_id: str) -> Role:
        for r in self.roles:
            if r.id == role_id:
                return r
        raise KeyError(role_id)

    def role_by_symbol(self, symbol: str) -> Role | None:
        return next((r for r in self.roles if r.symbol.upper() == symbol.upper()), None)

    def other_role(self, role_id: str) -> str:
        """The other side of a two-sided exchange."""
        return next(r.id for r in self.roles if r.id != role_id)

    @property
    def rescuer(self) -> str:
        """The side that asks for the headcount (the rescuers)."""
        return self.other_role(self.headcount.answered_by)

    @property
    def trapped(self) -> str:
        return self.headcount.answered_by


def default_codebook() -> Codebook:
    """The official 2021 codebook shipped with the program."""
    return load_codebook(codebook_path())


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int) -> Codebook:
    root, name = load_yaml(path)
    return _parse(Reader(root, name, "the codebook"))


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a codebook file.

    Raises
    ------
    DataFileError
        With ``file:line`` of the first problem, what is allowed, and the closest valid name.
    """
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _load_cached(str(p), mtime)


_TOP_KEYS = ("id", "languages", "title", "source", "short_name", "precondition", "roles", "timing", "signals",
             "headcount", "acknowledgement", "media", "rules", "decisions")


def _parse(top: Reader) -> Codebook:
    top.check_keys(_TOP_KEYS, required=("id", "languages", "title", "roles", "timing", "signals", "headcount",
                                        "acknowledgement"))
    langs_node = top.list("languages")
    languages = tuple(str(n.value) for n in langs_node)
    if not languages:
        raise top.error(top.line_of("languages"), "'languages' must list at least one language code")

    def text(node: Node, what: str) -> Text:
        r = Reader(node, top.path, what)
        r.check_keys(languages)
        for lang in languages:
            if lang not in r.map:
                raise r.error(r.line, f"{what} has no '{lang}' translation")
        return Text(tuple((lang, r.str(lang)) for lang in languages))

    def opt_text(key: str) -> Text:
        if top.has(key):
            return text(top.node_of(key), f"'{key}'")
        return Text(tuple((lang, "") for lang in languages))

    roles = _parse_roles(top.sub("roles"), text)
    role_ids = [r.id for r in roles]
    if len(roles) != 2:
        raise top.error(top.line_of("roles"), f"an exchange has exactly two sides; 'roles' lists {len(roles)}")
    timing = _parse_timing(top.sub("timing"))
    signals = _parse_signals(top, top.list("signals"), role_ids, text)
    signal_ids = [s.id for s in signals]
    headcount = _parse_headcount(top.sub("headcount"), signal_ids, role_ids, text)
    ack = top.str("acknowledgement", choices=signal_ids)
    for s in signals:
        for rule in s.senders:
            for reply in rule.replies:
                if reply not in signal_ids and reply != HEADCOUNT:
                    raise top.error(top.line_of("signals"), f"signal '{s.id}' names an unknown reply '{reply}'"
                                    f"{did_you_mean(reply, signal_ids + [HEADCOUNT])}")
    media = []
    for node in top.list("media", []):
        r = Reader(node, top.path, "a medium")
        r.check_keys(("id", "name"), required=("id", "name"))
        media.append(Medium(r.str("id"), text(r.node_of("name"), f"name of medium '{r.str('id')}'")))
    rules = tuple(text(n, "a rule") for n in top.list("rules", []))
    decisions = []
    for node in top.list("decisions", []):
        r = Reader(node, top.path, "a decision")
        r.check_keys(("id", "project_decision", "text"), required=("id", "text", "project_decision"))
        decisions.append(Decision(r.str("id"), text(r.node_of("text"), f"text of decision '{r.str('id')}'"),
                                  r.bool("project_decision")))
    return Codebook(
        id=top.str("id"), path=top.path, languages=languages, title=text(top.node_of("title"), "'title'"),
        source=opt_text("source"), short_name=opt_text("short_name"), precondition=opt_text("precondition"),
        roles=roles, timing=timing, signals=signals, headcount=headcount, acknowledgement=ack,
        media=tuple(media), rules=rules, decisions=tuple(decisions))


def _parse_roles(r: Reader, text) -> tuple[Role, ...]:
    roles = []
    symbols: dict[str, int] = {}
    for role_id, node in r.items():
        rr = Reader(node, r.path, f"role '{role_id}'")
        rr.check_keys(("symbol", "name"), required=("symbol", "name"))
        symbol = rr.str("symbol")
        if symbol.upper() in symbols:
            raise rr.error(rr.line_of("symbol"), f"symbol '{symbol}' is already used at line {symbols[symbol.upper()]}")
        symbols[symbol.upper()] = rr.line_of("symbol")
        roles.append(Role(role_id, symbol, text(rr.node_of("name"), f"name of role '{role_id}'")))
    return tuple(roles)


def _parse_timing(r: Reader) -> Timing:
    keys = ("knock_interval_s", "group_gap_s", "reply_window_s", "knock_interval_min_s", "knock_interval_max_s")
    r.check_keys(keys, required=("knock_interval_s", "group_gap_s"))
    interval = float(r.number("knock_interval_s", low=0.05, high=10))
    gap = float(r.number("group_gap_s", low=0.5, high=600))
    lo = float(r.number("knock_interval_min_s", interval * 0.4, low=0.05, high=10))
    hi = float(r.number("knock_interval_max_s", interval * 2.0, low=0.05, high=10))
    if not lo <= interval <= hi:
        raise r.error(r.line, f"timing needs knock_interval_min_s <= knock_interval_s <= knock_interval_max_s "
                              f"(got {lo} <= {interval} <= {hi})")
    if gap <= hi:
        raise r.error(r.line_of("group_gap_s"), f"group_gap_s ({gap}) must be longer than the longest knock "
                                                f"interval ({hi}), or groups cannot be told apart")
    return Timing(interval, gap, float(r.number("reply_window_s", gap, low=0.5, high=3600)), lo, hi)


def _parse_signals(top: Reader, nodes: list[Node], role_ids: list[str], text) -> tuple[Signal, ...]:
    signals: list[Signal] = []
    seen_ids: dict[str, int] = {}
    seen_counts: dict[tuple[int, str], tuple[str, int]] = {}
    for node in nodes:
        r = Reader(node, top.path, "a signal")
        r.check_keys(("id", "knocks", "name", "senders"), required=("id", "knocks", "name", "senders"))
        sid = r.str("id")
        r.what = f"signal '{sid}'"
        if sid == HEADCOUNT:
            raise r.error(r.line_of("id"), f"'{HEADCOUNT}' is reserved for the answer to the headcount question")
        if sid in seen_ids:
            raise r.error(r.line_of("id"), f"signal id '{sid}' is already used at line {seen_ids[sid]}")
        seen_ids[sid] = r.line_of("id")
        knocks = r.number("knocks", low=1, high=30, integer=True)
        senders = []
        sr = r.sub("senders", f"senders of signal '{sid}'")
        if not sr.map:
            raise sr.error(sr.line, f"signal '{sid}' has no senders")
        for role_id, rule_node in sr.items():
            if role_id not in role_ids:
                raise sr.error(rule_node.line, f"unknown sender '{role_id}' of signal '{sid}'"
                                               f"{did_you_mean(role_id, role_ids)}; allowed: {', '.join(role_ids)}")
            key = (knocks, role_id)
            if key in seen_counts:
                other, line = seen_counts[key]
                raise sr.error(rule_node.line, f"signal '{sid}' and signal '{other}' (line {line}) are both {knocks} "
                                               f"knocks sent by {role_id}: a listener could not tell them apart")
            seen_counts[key] = (sid, r.line_of("id"))
            rr = Reader(rule_node, top.path, f"sender '{role_id}' of signal '{sid}'")
            rr.check_keys(("meaning", "replies"), required=("meaning",))
            replies = tuple(str(n.value) for n in rr.list("replies", []))
            senders.append(SenderRule(role_id, text(rr.node_of("meaning"), f"meaning of '{sid}' sent by {role_id}"),
                                      replies))
        signals.append(Signal(sid, knocks, text(r.node_of("name"), f"name of signal '{sid}'"), tuple(senders)))
    if not signals:
        raise top.error(top.line_of("signals"), "the codebook has no signals")
    return tuple(signals)


def _parse_headcount(r: Reader, signal_ids: list[str], role_ids: list[str], text) -> Headcount:
    r.check_keys(("asked_by", "answered_by", "acknowledge_first", "acknowledged_with", "max_knocks",
                  "long_group_knocks", "name", "meaning"),
                 required=("asked_by", "answered_by", "acknowledged_with", "name", "meaning"))
    meaning = text(r.node_of("meaning"), "meaning of the headcount")
    if any("{n}" not in t for _, t in meaning.translations):
        raise r.error(r.line_of("meaning"), "the headcount meaning must contain {n} (the number of people)")
    return Headcount(
        asked_by=r.str("asked_by", choices=signal_ids), answered_by=r.str("answered_by", choices=role_ids),
        acknowledge_first=r.bool("acknowledge_first", True),
        acknowledged_with=r.str("acknowledged_with", choices=signal_ids),
        max_knocks=r.number("max_knocks", 60, low=30, high=500, integer=True),
        long_group_knocks=r.number("long_group_knocks", 10, low=2, high=500, integer=True),
        name=text(r.node_of("name"), "name of the headcount"), meaning=meaning)


__all__ = ["Codebook", "Decision", "DataFileError", "HEADCOUNT", "Headcount", "Medium", "Role", "SenderRule",
           "Signal", "Text", "Timing", "default_codebook", "load_codebook"]


def codebook_as_dict(cb: Codebook) -> dict:
    """The codebook as plain data (for ``--json``): every text as ``{lang: text}``."""

    def t(text: Text) -> dict:
        return dict(text.translations)

    return {
        "id": cb.id, "languages": list(cb.languages), "title": t(cb.title), "source": t(cb.source),
        "precondition": t(cb.precondition),
        "roles": [{"id": r.id, "symbol": r.symbol, "name": t(r.name)} for r in cb.roles],
        "timing": {k: getattr(cb.timing, k) for k in cb.timing.__dataclass_fields__},
        "signals": [{"id": s.id, "knocks": s.knocks, "name": t(s.name),
                     "senders": [{"role": r.role, "meaning": t(r.meaning), "replies": list(r.replies)}
                                 for r in s.senders]} for s in cb.signals],
        "headcount": {"asked_by": cb.headcount.asked_by, "answered_by": cb.headcount.answered_by,
                      "acknowledge_first": cb.headcount.acknowledge_first,
                      "acknowledged_with": cb.headcount.acknowledged_with, "max_knocks": cb.headcount.max_knocks,
                      "long_group_knocks": cb.headcount.long_group_knocks, "name": t(cb.headcount.name),
                      "meaning": t(cb.headcount.meaning)},
        "acknowledgement": cb.acknowledgement,
        "media": [{"id": m.id, "name": t(m.name)} for m in cb.media],
        "rules": [t(r) for r in cb.rules],
        "decisions": [{"id": d.id, "project_decision": d.project_decision, "text": t(d.text)} for d in cb.decisions],
    }
