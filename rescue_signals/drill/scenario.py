"""Drill scenarios: YAML files a trainer can read and write, validated at load into frozen values.

A scenario lists steps; each step becomes one or more trials:

``recognise: "R4 T3 | T9"``
    Play groups (after ``|``; the groups before it were already exchanged and are only shown) and ask what the
    last one means.
``send: call``
    The trainee knocks a signal (``send: headcount`` with ``count: N`` for a headcount).
``exchange: "R5 T3 R4 T3 T9 R3"``
    The trainee plays one side; each of their groups is a trial: hear the other side, knock the right reply.
``draw: [call, received, headcount]``
    ``trials:`` random recognitions of these signals; weak ones come up more often.

Every error names ``file:line``, says what is allowed and suggests the closest valid name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rescue_signals.codebook import HEADCOUNT, Codebook, Text, default_codebook, load_codebook
from rescue_signals.datafile import Node, Reader, did_you_mean, load_yaml
from rescue_signals.errors import DataFileError, UsageError
from rescue_signals.protocol import Group, parse_sequence, read_exchange
from rescue_signals.resources import codebook_path, scenarios_dir
from rescue_signals.synth.conditions import NOISES, Conditions
from rescue_signals.synth.hand import group_gap_s, knock_spacing_s

from rescue_signals.drill.trial import UNKNOWN

DEFAULT_TIME_LIMIT_S = 15.0
"""Time to answer after the last knock was heard, when a scenario does not say, s."""

_CONTEXT_MARK = "|"
_TOP_KEYS = ("id", "level", "title", "summary", "story", "trainee", "codebook", "shuffle", "time_limit_s",
             "conditions", "adaptive", "pass", "steps")
_KINDS = ("recognise", "send", "exchange", "draw")
_COMMON = ("repeat", "conditions", "time_limit_s", "note")
_STEP_KEYS = {"recognise": _COMMON + ("expect",), "send": _COMMON + ("count", "trainee"),
              "exchange": _COMMON + ("trainee",), "draw": ("conditions", "time_limit_s", "note", "trials", "headcount")}


@dataclass(frozen=True)
class Setting:
    """What every trial of a step shares: how it sounds, how long the trainee has, and the scenario's note."""

    conditions: Conditions
    time_limit_s: float
    note: Text | None
    line: int


@dataclass(frozen=True)
class RecogniseStep:
    """Hear ``played`` (after ``context``) and name the last group."""

    context: tuple[Group, ...]
    played: tuple[Group, ...]
    expect: str | None  # overrides what the exchange reads the last group as
    repeat: int
    setting: Setting


@dataclass(frozen=True)
class SendStep:
    """Knock ``group`` as the trainee's side."""

    group: Group
    repeat: int
    setting: Setting


@dataclass(frozen=True)
class ExchangeStep:
    """Play ``trainee``'s side of a scripted exchange."""

    script: tuple[Group, ...]
    trainee: str
    repeat: int
    setting: Setting


@dataclass(frozen=True)
class DrawStep:
    """``trials`` random recognitions of ``labels``; headcounts between ``headcount_min`` and ``headcount_max``."""

    labels: tuple[str, ...]
    trials: int
    headcount_min: int
    headcount_max: int
    setting: Setting

    @property
    def repeat(self) -> int:
        return self.trials


@dataclass(frozen=True)
class Staircase:
    """A weighted up-down staircase on SNR (Kaernbach 1991) converging on ``target`` correct.

    After a right answer the SNR drops by ``step_db``; after a wrong one it rises by
    ``step_db * target / (1 - target)``, so that it settles where the trainee is right ``target`` of the time.
    """

    start_db: float
    step_db: float
    min_db: float
    max_db: float
    target: float


@dataclass(frozen=True)
class Adaptive:
    snr: Staircase | None
    weak_signals: bool


@dataclass(frozen=True)
class PassCriteria:
    """What a session must reach to pass; None means the criterion is not used."""

    accuracy: float
    latency_p90_s: float | None
    false_starts: int | None
    composite: float | None


@dataclass(frozen=True)
class Scenario:
    id: str
    path: str
    level: int
    title: Text
    summary: Text
    story: Text | None
    trainee: str
    codebook_id: str
    shuffle: bool
    steps: tuple[RecogniseStep | SendStep | ExchangeStep | DrawStep, ...]
    adaptive: Adaptive
    pass_criteria: PassCriteria

    @property
    def trial_count(self) -> int:
        """How many trials a drill of this scenario has."""
        total = 0
        for step in self.steps:
            per = sum(1 for g in step.script if g.sender == step.trainee) if isinstance(step, ExchangeStep) else 1
            total += per * step.repeat
        return total


def load_scenario(path: str | Path, codebook: Codebook | None = None) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook, optional
        The codebook the scenario is checked against; by default the one it names (or the official one).

    Raises
    ------
    DataFileError
        With ``file:line``, what is allowed, and the closest valid name.
    """
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _load_cached(str(p), mtime, codebook)


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, codebook: Codebook | None) -> Scenario:
    root, name = load_yaml(path)
    return _Parser(Reader(root, name, "the scenario"), codebook).scenario()


def shipped_scenarios() -> list[Scenario]:
    """The scenarios shipped with the program, from first lesson to expert."""
    found = [load_scenario(p) for p in sorted(scenarios_dir().glob("*.yaml"))]
    return sorted(found, key=lambda s: (s.level, s.id))


def find_scenario(name: str) -> Scenario:
    """A scenario by file path, or by the id of a shipped one.

    Raises
    ------
    UsageError
        Neither a file nor a shipped scenario; names the closest shipped id.
    """
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_scenario(p)
    shipped = shipped_scenarios()
    for s in shipped:
        if s.id == name:
            return s
    ids = [s.id for s in shipped]
    raise UsageError(f"no scenario '{name}'{did_you_mean(name, ids)}; shipped scenarios: {', '.join(ids)}")


class _Parser:
    def __init__(self, top: Reader, codebook: Codebook | None):
        self.top = top
        self.path = top.path
        top.check_keys(_TOP_KEYS, required=("title", "trainee", "steps"))
        if codebook is None:
            codebook = default_codebook()
            if top.has("codebook"):
                cb_file = codebook_path(top.str("codebook"))
                if not cb_file.exists():
                    shipped = [f.stem for f in cb_file.parent.glob("*.yaml")]
                    raise top.error(top.line_of("codebook"), f"no codebook '{top.str('codebook')}'"
                                    f"{did_you_mean(top.str('codebook'), shipped)}; shipped: {', '.join(shipped)}")
                codebook = load_codebook(cb_file)
        self.cb = codebook
        self.roles = [r.id for r in codebook.roles]
        self.labels = [s.id for s in codebook.signals] + [HEADCOUNT, UNKNOWN]

    # -- text and values ----------------------------------------------------------------------------------------
    def text(self, r: Reader, key: str, default=...) -> Text | None:
        if not r.has(key):
            if default is ...:
                raise r.error(r.line, f"{r.what} is missing '{key}'")
            return default
        node = r.node_of(key)
        if isinstance(node.value, str) and node.value.strip():
            return Text(tuple((lang, node.value) for lang in self.cb.languages))
        tr = Reader(node, self.path, f"'{key}' of {r.what}")
        tr.check_keys(self.cb.languages)
        given = [lang for lang in self.cb.languages if tr.has(lang)]
        if not given:
            raise tr.error(tr.line, f"'{key}' needs text in at least one of {', '.join(self.cb.languages)}")
        first = tr.str(given[0])
        return Text(tuple((lang, tr.str(lang) if tr.has(lang) else first) for lang in self.cb.languages))

    def groups(self, node: Node, what: str) -> tuple[Group, ...]:
        if not isinstance(node.value, (str, int)) or isinstance(node.value, bool):
            raise DataFileError(self.path, node.line, f"{what} must be a sequence of groups such as \"R4 T3\"")
        try:
            return tuple(parse_sequence(str(node.value), self.cb))
        except UsageError as exc:
            raise DataFileError(self.path, node.line, f"{what}: {exc}") from None

    def role(self, r: Reader, key: str, default: str) -> str:
        return r.str(key, default, choices=self.roles) if r.has(key) else default

    def conditions(self, base: dict, r: Reader) -> tuple[dict, Conditions]:
        raw = dict(base)
        if r.has("conditions"):
            node = r.node_of("conditions")
            cr = Reader(node, self.path, f"'conditions' of {r.what}")
            raw.update({k: _plain(v) for k, v in cr.items()})
            line = node.line
        else:
            line = r.line
        try:
            cond = Conditions.from_dict(raw)
        except UsageError as exc:
            given = r.node_of("conditions").value if r.has("conditions") else {}
            bad = next((k for k in given if k in str(exc)), None)
            if bad is not None:
                line = given[bad].line
            raise DataFileError(self.path, line, f"impossible conditions: {exc}") from None
        if cond.far_side is not None and cond.far_side not in self.roles:
            raise DataFileError(self.path, line, f"far_side '{cond.far_side}'{did_you_mean(cond.far_side, self.roles)}"
                                                 f" is not a side; allowed: {', '.join(self.roles)}")
        if cond.snr_db is not None and not cond.noises:
            raise DataFileError(self.path, line, f"impossible conditions: snr_db {cond.snr_db:g} needs noise; "
                                                 f"add 'noises' (one or more of {', '.join(NOISES)})")
        longest_s = max(self.cb.timing.knock_interval_max_s, knock_spacing_s(self.cb, cond))
        gap_s = group_gap_s(self.cb, cond)
        if gap_s <= longest_s:
            raise DataFileError(self.path, line, f"impossible conditions: groups {gap_s:g} s apart would run "
                                                 f"together with knocks up to {longest_s:g} s apart; make the gap "
                                                 "longer (less compress_gaps, a larger group_gap_s)")
        return raw, cond

    def setting(self, r: Reader, base_raw: dict, base_limit: float) -> Setting:
        _, cond = self.conditions(base_raw, r)
        limit = float(r.number("time_limit_s", base_limit, low=1, high=600))
        return Setting(cond, limit, self.text(r, "note", None), r.line)

    # -- the file -----------------------------------------------------------------------------------------------
    def scenario(self) -> Scenario:
        top = self.top
        stem = Path(self.path).stem
        sid = top.str("id", stem)
        if sid != stem:
            raise top.error(top.line_of("id"), f"id '{sid}' differs from the file name '{stem}'; use the same name")
        trainee = self.role(top, "trainee", "")
        base_raw, _ = self.conditions({}, top)
        limit = float(top.number("time_limit_s", DEFAULT_TIME_LIMIT_S, low=1, high=600))
        nodes = top.list("steps")
        if not nodes:
            raise top.error(top.line_of("steps"), "the scenario has no steps")
        steps = tuple(self.step(Reader(n, self.path, f"step {i + 1}"), base_raw, limit, trainee)
                      for i, n in enumerate(nodes))
        adaptive = self.adaptive()
        if adaptive.snr is not None:
            for step in steps:
                if not isinstance(step, SendStep) and not step.setting.conditions.noises:
                    raise top.error(step.setting.line, "the SNR staircase needs noise: give this step (or the "
                                                       "scenario) 'noises' in its conditions")
        return Scenario(
            id=sid, path=self.path, level=top.number("level", 1, low=1, high=99, integer=True),
            title=self.text(top, "title"), summary=self.text(top, "summary", Text(())) or Text(()),
            story=self.text(top, "story", None), trainee=trainee, codebook_id=self.cb.id,
            shuffle=top.bool("shuffle", False), steps=steps, adaptive=adaptive,
            pass_criteria=self.pass_criteria())

    def step(self, r: Reader, base_raw: dict, limit: float, trainee: str):
        kinds = [k for k in _KINDS if r.has(k)]
        if len(kinds) != 1:
            unknown = [k for k in r.map if k not in _KINDS and not any(k in keys for keys in _STEP_KEYS.values())]
            hint = did_you_mean(unknown[0], _KINDS) if unknown else ""
            raise r.error(r.line, f"{r.what} must have exactly one of {', '.join(_KINDS)}"
                                  f"{f' (unknown key {unknown[0]!r}{hint})' if unknown else ''}")
        kind = kinds[0]
        r.what = f"step {r.what.split()[-1]} ({kind})"
        r.check_keys((kind,) + _STEP_KEYS[kind])
        setting = self.setting(r, base_raw, limit)
        repeat = r.number("repeat", 1, low=1, high=100, integer=True)
        if kind == "recognise":
            return self.recognise(r, repeat, setting)
        if kind == "send":
            return self.send(r, repeat, setting, trainee)
        if kind == "exchange":
            return self.exchange(r, repeat, setting, trainee)
        return self.draw(r, setting)

    def recognise(self, r: Reader, repeat: int, setting: Setting) -> RecogniseStep:
        node = r.node_of("recognise")
        raw = str(node.value)
        if raw.count(_CONTEXT_MARK) > 1:
            raise r.error(node.line, f"'recognise' takes at most one '{_CONTEXT_MARK}' (context | played groups)")
        before, _, after = raw.rpartition(_CONTEXT_MARK)
        context = self.groups(Node(before, node.line), "the context of 'recognise'") if before.strip() else ()
        played = self.groups(Node(after, node.line), "'recognise'")
        expect = r.str("expect", None, choices=self.labels) if r.has("expect") else None
        return RecogniseStep(context, played, expect, repeat, setting)

    def send(self, r: Reader, repeat: int, setting: Setting, trainee: str) -> SendStep:
        role = self.role(r, "trainee", trainee)
        label = r.str("send", choices=[s.id for s in self.cb.signals] + [HEADCOUNT])
        if label == HEADCOUNT:
            if role != self.cb.headcount.answered_by:
                raise r.error(r.line_of("send"), f"only {self.cb.headcount.answered_by} send a headcount; this step "
                                                 f"is played by {role}")
            count = r.number("count", low=1, high=self.cb.headcount.max_knocks, integer=True)
            return SendStep(Group(count, role), repeat, setting)
        if r.has("count"):
            raise r.error(r.line_of("count"), "'count' is for 'send: headcount' only")
        sig = self.cb.signal(label)
        if sig.rule(role) is None:
            allowed = ", ".join(sig.roles)
            raise r.error(r.line_of("send"), f"'{label}' is not sent by {role} (sent by: {allowed})")
        return SendStep(Group(sig.knocks, role), repeat, setting)

    def exchange(self, r: Reader, repeat: int, setting: Setting, trainee: str) -> ExchangeStep:
        role = self.role(r, "trainee", trainee)
        node = r.node_of("exchange")
        script = self.groups(node, "'exchange'")
        if any(g.sender is None for g in script):
            symbols = " or ".join(x.symbol for x in self.cb.roles)
            raise r.error(node.line, f"every group of an exchange needs its side ({symbols}), e.g. \"R5 T3\"")
        if not any(g.sender == role for g in script):
            raise r.error(node.line, f"the exchange has no group for the trainee's side ({role})")
        problems = [d.message.get("en") for reading in read_exchange(self.cb, script)
                    for d in reading.deviations if d.code != "long-group"]
        if problems:
            raise r.error(node.line, f"the exchange does not follow the code: {problems[0]}; use 'recognise' "
                                     "steps for groups that break it")
        return ExchangeStep(script, role, repeat, setting)

    def draw(self, r: Reader, setting: Setting) -> DrawStep:
        nodes = r.list("draw")
        drawable = [s.id for s in self.cb.signals] + [HEADCOUNT]
        labels = []
        for n in nodes:
            if n.value not in drawable:
                raise r.error(n.line, f"cannot draw '{n.value}'{did_you_mean(str(n.value), drawable)}; "
                                      f"allowed: {', '.join(drawable)}")
            labels.append(n.value)
        if not labels:
            raise r.error(r.line_of("draw"), "'draw' lists no signals")
        lo, hi = 2, min(15, self.cb.headcount.max_knocks)
        if r.has("headcount"):
            hn = r.list("headcount")
            vals = [n.value for n in hn]
            ok = (len(vals) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in vals)
                  and 1 <= vals[0] <= vals[1] <= self.cb.headcount.max_knocks)
            if not ok:
                raise r.error(r.line_of("headcount"), f"'headcount' is [lowest, highest] number of people, "
                                                      f"from 1 to {self.cb.headcount.max_knocks}")
            lo, hi = vals
        trials = r.number("trials", low=1, high=500, integer=True)
        return DrawStep(tuple(labels), trials, lo, hi, setting)

    def adaptive(self) -> Adaptive:
        if not self.top.has("adaptive"):
            return Adaptive(None, False)
        a = self.top.sub("adaptive")
        a.check_keys(("snr", "weak_signals"))
        snr = None
        if a.has("snr"):
            s = a.sub("snr", "'snr' of 'adaptive'")
            s.check_keys(("start_db", "step_db", "min_db", "max_db", "target"))
            lo = float(s.number("min_db", -15.0, low=-20, high=60))
            hi = float(s.number("max_db", 30.0, low=-20, high=60))
            if lo >= hi:
                raise s.error(s.line, f"min_db ({lo:g}) must be below max_db ({hi:g})")
            snr = Staircase(float(s.number("start_db", 15.0, low=lo, high=hi)),
                            float(s.number("step_db", 2.0, low=0.1, high=20)), lo, hi,
                            float(s.number("target", 0.8, low=0.5, high=0.95)))
        return Adaptive(snr, a.bool("weak_signals", True))

    def pass_criteria(self) -> PassCriteria:
        if not self.top.has("pass"):
            return PassCriteria(0.8, None, None, None)
        p = self.top.sub("pass")
        p.check_keys(("accuracy", "latency_p90_s", "false_starts", "composite"))
        return PassCriteria(
            accuracy=float(p.number("accuracy", 0.8, low=0, high=1)),
            latency_p90_s=_opt_float(p.number("latency_p90_s", None, low=0.1, high=600)),
            false_starts=p.number("false_starts", None, low=0, high=1000, integer=True),
            composite=_opt_float(p.number("composite", None, low=0, high=100)))


def _opt_float(value) -> float | None:
    return None if value is None else float(value)


def _plain(node: Node):
    if isinstance(node.value, list):
        return [_plain(n) for n in node.value]
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items()}
    return node.value
