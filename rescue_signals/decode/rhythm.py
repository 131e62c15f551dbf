"""The rhythm model: which candidates are knocks and where groups begin and end, decided jointly.

A group is a run of blows at a spacing in the codebook's range, varying slowly (jitter, drift, a tiring hand),
separated from the next group by a gap longer than any spacing within a group. Over the sequence of candidates,
each with its P(knock) from :mod:`.evidence`, this is a semi-Markov model decoded by dynamic programming, in the
manner of madmom's beat and bar trackers, split into three small parts:

* :class:`RhythmSettings` - the state space's bounds and the priors (the shortest and longest spacing, how fast
  the spacing may change, what a new group costs);
* :func:`interval_score` - the transition model: the log-prior of an interval given the one before it;
* :func:`level_score` - the knocks of a group come from one hand on one surface: the change of level from one
  knock to the next is small, with rare exceptions (a weak blow);
* :func:`evidence_score` - the observation model: the log-odds that a candidate is a knock.

A path's score is the sum, over the candidates it calls knocks, of their evidence and the transition scores of
their intervals, less :attr:`RhythmSettings.group_cost` per group; a candidate called no knock adds nothing (its
log(1 - p) is in every path alike). :class:`RhythmTracker` runs the Viterbi recursion online over candidates in
time order: the state of a path is its last knock and the one before it (so the spacing it is in). A group is
final once no candidate can still join it (its closing gap, :attr:`RhythmSettings.max_interval_s`, has passed)
and every path still open agrees on it; the lag is bounded. For each final group, :func:`count_posterior` sums
(rather than maximises) over every path through the group's stretch of candidates: the probability of each count,
and of no group at all. That posterior, calibrated (:mod:`.confidence`), is the group's confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class RhythmSettings:
    """Bounds and priors of the rhythm model.

    Attributes
    ----------
    min_interval_s : float
        Two knocks of a group are at least this far apart, s (the codebook's shortest spacing less jitter).
    max_interval_s : float
        ...and at most this far: a longer silence ends a group, s (the codebook's longest spacing with drift).
    spacing_range_s : tuple of float
        The spacing people knock at, s: the first interval of a group is free inside it and penalised outside.
    edge_width : float
        How fast the first interval's prior falls off outside the range (in natural log units of the interval).
    tempo_sigma : float
        Spread of the change of spacing from one interval to the next (natural log of their ratio).
    tempo_outlier : float
        Share of intervals that break the rhythm (a hand that hesitates); they are spread with
        :attr:`outlier_sigma`.
    outlier_sigma : float
    level_sigma_db : float
        Spread of the change of level from one knock of a group to the next, dB (infinite: level is not weighed).
    level_outlier : float
        Share of knocks whose level breaks that (a weak or a hard blow); spread with :attr:`level_outlier_sigma_db`.
    level_outlier_sigma_db : float
    group_cost : float
        Log-prior cost of a group: what a lone sound must outweigh to be a group of one knock.
    evidence_weight, evidence_bias : float
        The observation model: ``weight * logit(p) + bias``.
    min_probability : float
        Candidates less likely than this are no knock (and are not carried through the recursion).
    prune : float
        Paths this much worse than the best are dropped.
    max_knocks : int
        The most knocks a group can hold: a path with this many in its open group must end it (a dense stream of
        sounds, a rattle or a drill, is not one endless group, and the work per sound stays bounded).
    commit_lag_s : float
        The bounded lag: this long after a group's closing gap has passed, the best reading with that group closed
        is final, unless a reading that disagrees with it is more likely still, s.
    temperature : float
        Path scores are divided by this when the count posterior is summed (fitted, see :mod:`.confidence`).
    """

    min_interval_s: float = 0.28
    max_interval_s: float = 2.7
    spacing_range_s: tuple[float, float] = (0.4, 2.2)
    edge_width: float = 0.12
    tempo_sigma: float = 0.12
    tempo_outlier: float = 0.05
    outlier_sigma: float = 0.45
    level_sigma_db: float = float("inf")
    level_outlier: float = 0.05
    level_outlier_sigma_db: float = 15.0
    group_cost: float = 2.0
    evidence_weight: float = 1.0
    evidence_bias: float = 0.0
    min_probability: float = 0.02
    prune: float = 25.0
    max_knocks: int = 60
    commit_lag_s: float = 0.0
    temperature: float = 1.0


def evidence_score(p, settings: RhythmSettings) -> np.ndarray:
    """Log-odds that candidates with P(knock) ``p`` are knocks, as the observation model weighs them."""
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return settings.evidence_weight * np.log(p / (1 - p)) + settings.evidence_bias


def _softplus(x):
    return np.logaddexp(0.0, x)


def first_interval_score(d_s, settings: RhythmSettings) -> np.ndarray:
    """Log-prior of the first interval of a group, ``d_s`` (s): flat inside the spacing range."""
    lo, hi = np.log(settings.spacing_range_s)
    x = np.log(np.asarray(d_s, dtype=float))
    w = settings.edge_width
    return -_softplus((lo - x) / w) - _softplus((x - hi) / w)


def interval_score(d_s, previous_s, settings: RhythmSettings) -> np.ndarray:
    """The transition model: log-prior of interval ``d_s`` after ``previous_s`` (s), relative to a steady hand
    (about 0 for an unchanged spacing); a mixture of a steady tempo and rare hesitations, and the range of spacings."""
    r = np.log(np.asarray(d_s, dtype=float) / np.asarray(previous_s, dtype=float))
    s, so, q = settings.tempo_sigma, settings.outlier_sigma, settings.tempo_outlier
    steady = np.log(1 - q) - 0.5 * (r / s) ** 2
    odd = np.log(q) + np.log(s / so) - 0.5 * (r / so) ** 2
    return np.logaddexp(steady, odd) - np.log(1 - q) + first_interval_score(d_s, settings)


def level_score(change_db, settings: RhythmSettings) -> np.ndarray:
    """Log-prior of a change of level ``change_db`` (dB) from one knock of a group to the next, relative to an
    unchanged level: a mixture of a steady hand and rare weak or hard blows (0 when level is not weighed)."""
    d = np.asarray(change_db, dtype=float)
    s, so, q = settings.level_sigma_db, settings.level_outlier_sigma_db, settings.level_outlier
    if not np.isfinite(s):
        return np.zeros_like(d)
    steady = np.log(1 - q) - 0.5 * (d / s) ** 2
    odd = np.log(q) + np.log(s / so) - 0.5 * (d / so) ** 2
    return np.logaddexp(steady, odd) - np.log(1 - q)


@dataclass(frozen=True)
class FinalGroup:
    """A group the rhythm model has settled on.

    Attributes
    ----------
    knocks : tuple of int
        Candidate numbers (as given to :meth:`RhythmTracker.add`) of its knocks, in time order.
    times_s : tuple of float, s
    counts : tuple of int
        Counts with their posterior below (most likely first), 0 meaning "no group at all". The group's own count
        is the most likely one (the best path of that count gives its knocks), unless that is 0.
    posterior : tuple of float
    """

    knocks: tuple[int, ...]
    times_s: tuple[float, ...]
    counts: tuple[int, ...]
    posterior: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.knocks)

    def probability(self, count: int) -> float:
        """Posterior probability of ``count`` knocks (0: no group)."""
        return dict(zip(self.counts, self.posterior)).get(count, 0.0)


@dataclass
class _Node:
    """The entries of one candidate: each is a path whose last knock is this candidate."""

    number: int
    time_s: float
    evidence: float
    level_db: float
    prev: np.ndarray  # previous knock's node index (-1: this knock starts a group)
    score: np.ndarray
    back: np.ndarray  # entry of the previous node the path came through (-1 at a group's start)
    start: np.ndarray  # node index of the first knock of the path's open group
    length: np.ndarray  # knocks in the path's open group
    origin: list  # per entry: the _Chain of finished groups before this path's open group


@dataclass(frozen=True)
class _Chain:
    """Groups a path has finished, newest last (a linked list shared between paths)."""

    group: tuple  # node indices of the knocks
    times_s: tuple
    numbers: tuple
    parent: "_Chain | None"
    depth: int


@dataclass
class _Best:
    score: float = 0.0
    chain: _Chain | None = None


@dataclass
class RhythmTracker:
    """Online Viterbi decoding of groups from candidates in time order.

    Parameters
    ----------
    settings : RhythmSettings
    """

    settings: RhythmSettings = field(default_factory=RhythmSettings)

    def __post_init__(self):
        self.reset()

    def reset(self) -> None:
        self._nodes: list[_Node] = []  # every candidate kept, in time order (trimmed as groups become final)
        self._base = 0  # index in the full sequence of self._nodes[0]
        self._open: list[int] = []  # full indices of nodes that can still be extended
        self._closed = _Best()  # the best path with no group open
        self._emitted_depth = 0  # groups of the settled history handed out so far
        self._now = -np.inf  # latest time up to which every candidate has been given

    # -- streaming ----------------------------------------------------------------------------------------------
    def add(self, number: int, time_s: float, p: float, level_db: float = 0.0) -> None:
        """A candidate, in time order, with its P(knock) and its level (dB)."""
        s = self.settings
        self._now = max(self._now, time_s)
        if p < s.min_probability:
            return
        self._close_until(time_s)
        self._commit_until(time_s)
        e = float(evidence_score(p, s))
        me = self._base + len(self._nodes)
        prevs, scores, backs, starts, lengths = [-1], [self._closed.score + e - s.group_cost], [-1], [me], [1]
        origins = [self._closed.chain]
        for k in self._open:
            node = self._node(k)
            d = time_s - node.time_s
            if not s.min_interval_s <= d <= s.max_interval_s:
                continue
            trans = np.empty(len(node.prev))
            first = node.prev < 0
            trans[first] = first_interval_score(d, s)
            if (~first).any():
                before = np.array([self._node(j).time_s for j in node.prev[~first].tolist()])
                trans[~first] = interval_score(d, node.time_s - before, s)
            total = node.score + trans + float(level_score(level_db - node.level_db, s))
            total[node.length >= s.max_knocks] = -np.inf
            j = int(np.argmax(total))
            if not np.isfinite(total[j]):
                continue
            prevs.append(k)
            scores.append(float(total[j]) + e)
            backs.append(j)
            starts.append(int(node.start[j]))
            lengths.append(int(node.length[j]) + 1)
            origins.append(node.origin[j])
        scores_a = np.array(scores)
        keep = scores_a >= scores_a.max() - s.prune
        node = _Node(number, time_s, e, float(level_db), np.array(prevs)[keep], scores_a[keep], np.array(backs)[keep],
                     np.array(starts)[keep], np.array(lengths)[keep], [o for o, k in zip(origins, keep) if k])
        self._nodes.append(node)
        self._open.append(me)

    def advance(self, now_s: float) -> list[FinalGroup]:
        """Every candidate before ``now_s`` has been given: groups that are now final, in order."""
        self._now = max(self._now, now_s)
        self._close_until(now_s)
        self._commit_until(now_s)
        return self._settle(final=False)

    def flush(self) -> list[FinalGroup]:
        """The stream has ended: every group left."""
        self._now = np.inf
        self._close_until(np.inf)
        return self._settle(final=True)

    @property
    def settled_s(self) -> float:
        """Before this time every candidate is settled: in a group handed out, or no knock for good."""
        s = self.settings
        times = [self._now - s.max_interval_s]
        for k in self._open:
            node = self._node(k)
            times += [self._node(i).time_s - s.max_interval_s
                      for i in node.start[node.score >= self._closed.score - s.prune].tolist()]
        c = self._closed.chain
        while c is not None and c.depth > self._emitted_depth:
            times.append(c.times_s[0] - s.max_interval_s)  # its posterior may still count a sound before it
            c = c.parent
        return min(times)

    @property
    def pending(self) -> list[int]:
        """Candidate numbers on the best open path's group (not yet final)."""
        best = self._best_open()
        if best is None:
            return []
        return [self._node(i).number for i in self._trace(*best)]

    # -- internals ----------------------------------------------------------------------------------------------
    def _node(self, k: int) -> _Node:
        return self._nodes[k - self._base]

    def _close_until(self, time_s: float) -> None:
        """Nodes that no candidate at or after ``time_s`` can extend: their paths end a group."""
        s = self.settings
        still = []
        for k in self._open:
            node = self._node(k)
            if time_s - node.time_s > s.max_interval_s:
                j = int(np.argmax(node.score))
                if node.score[j] > self._closed.score:
                    group = tuple(self._trace(k, j))
                    chain = _Chain(group, tuple(self._node(i).time_s for i in group),
                                   tuple(self._node(i).number for i in group), node.origin[j],
                                   _depth(node.origin[j]) + 1)
                    self._closed = _Best(float(node.score[j]), chain)
            else:
                still.append(k)
        self._open = still

    def _commit_until(self, time_s: float) -> None:
        """Bounded lag: once the closing gap (and :attr:`RhythmSettings.commit_lag_s`) of the newest closed group
        has passed by ``time_s``, paths whose history does not hold it are dropped, unless one of them is more
        likely than it (then that reading is still the best, and is waited for)."""
        s = self.settings
        chain = self._closed.chain
        if chain is None or chain.depth <= self._emitted_depth:
            return
        if time_s - chain.times_s[-1] <= s.max_interval_s + s.commit_lag_s:
            return
        rivals = [(k, [j for j, o in enumerate(self._node(k).origin) if not _holds(o, chain)]) for k in self._open]
        if any(self._node(k).score[j] > self._closed.score for k, js in rivals for j in js):
            return
        still = []
        for k, drop in rivals:
            node = self._node(k)
            node.score[drop] = -np.inf  # (entries keep their places: later nodes point back at them)
            if np.isfinite(node.score).any():
                still.append(k)
        self._open = still

    def _trace(self, k: int, j: int) -> list[int]:
        """Node indices of the open group of the path ending at entry ``j`` of node ``k``."""
        out = [k]
        while True:
            node = self._node(k)
            prev, back = int(node.prev[j]), int(node.back[j])
            if prev < 0:
                break
            out.append(prev)
            k, j = prev, back
        return out[::-1]

    def _best_open(self):
        best = None
        for k in self._open:
            node = self._node(k)
            j = int(np.argmax(node.score))
            if best is None or node.score[j] > best[2]:
                best = (k, j, float(node.score[j]))
        return None if best is None else best[:2]

    def _settle(self, *, final: bool) -> list[FinalGroup]:
        """Groups every surviving path agrees on, not yet handed out."""
        chains = [self._closed.chain]
        if not final:
            for k in self._open:
                node = self._node(k)
                chains += [node.origin[j]
                           for j in np.flatnonzero(node.score >= self._closed.score - self.settings.prune).tolist()]
        common = _common(chains)
        new = []
        c = common
        while c is not None and c.depth > self._emitted_depth:
            new.append(c)
            c = c.parent
        out = [self._final(chain) for chain in reversed(new)]
        if new:
            self._emitted_depth = common.depth
        self._trim()
        return out

    def _final(self, chain: _Chain) -> FinalGroup:
        s = self.settings
        lo = chain.times_s[0] - s.max_interval_s
        if chain.parent is not None:
            lo = max(lo, chain.parent.times_s[-1] + s.max_interval_s)
        hi = chain.times_s[-1] + s.max_interval_s
        stretch = [n for n in self._nodes if lo < n.time_s < hi]
        counts, post, paths = count_posterior(np.array([n.time_s for n in stretch]),
                                              np.array([n.evidence for n in stretch]), s, temperature=s.temperature,
                                              max_count=s.max_knocks,
                                              levels_db=np.array([n.level_db for n in stretch]))
        # The count most likely over every path, with the knocks of its best path (the single best path, which
        # picked the group, may hold a knock more or less).
        likely = next((c for c in counts if c in paths), None)
        if likely is None or likely == len(chain.numbers):
            return FinalGroup(chain.numbers, chain.times_s, counts, post)
        chosen = [stretch[i] for i in paths[likely]]
        return FinalGroup(tuple(n.number for n in chosen), tuple(n.time_s for n in chosen), counts, post)

    def _trim(self) -> None:
        """Forget nodes that no open path, no unsettled group and no posterior still to come can reach."""
        starts = [self._node(int(i)).time_s for k in self._open for i in self._node(k).start]
        c = self._closed.chain
        while c is not None and c.depth > self._emitted_depth:
            starts.append(c.times_s[0])
            c = c.parent
        if not self._nodes:
            return
        starts.append(self._nodes[-1].time_s)
        keep_from = min(starts) - self.settings.max_interval_s - 1.0
        cut = 0
        while cut < len(self._nodes) and self._nodes[cut].time_s < keep_from:
            cut += 1
        if cut:
            self._nodes = self._nodes[cut:]
            self._base += cut


def _depth(chain: "_Chain | None") -> int:
    return 0 if chain is None else chain.depth


def _holds(chain: "_Chain | None", group: _Chain) -> bool:
    """Whether ``group`` is in the history ``chain``."""
    while chain is not None and chain.depth > group.depth:
        chain = chain.parent
    return chain is group


def _common(chains: list) -> "_Chain | None":
    """The newest group every chain has in its history."""
    if not chains:
        return None
    depth = min(_depth(c) for c in chains)
    level = []
    for c in chains:
        while c is not None and c.depth > depth:
            c = c.parent
        level.append(c)
    while level and any(c is not level[0] for c in level):
        level = [c.parent if c is not None else None for c in level]
    return level[0] if level else None


def count_posterior(times_s: np.ndarray, evidence: np.ndarray, settings: RhythmSettings, *, max_count: int = 60,
                    temperature: float = 1.0, levels_db: np.ndarray | None = None) \
        -> tuple[tuple[int, ...], tuple[float, ...], dict]:
    """Posterior of the number of knocks in one group over a stretch of candidates, summed over every path, and
    the best path of each count.

    Every path picks one run of candidates as the group (intervals within the bounds, scored by the transition
    model), the rest being no knock; the path with no knock at all is the hypothesis "no group". Scores are divided
    by ``temperature`` before they are exponentiated.

    Parameters
    ----------
    times_s, evidence : ndarray, shape (n,)
        The candidates of the stretch and their evidence scores (:func:`evidence_score`).
    levels_db : ndarray, shape (n,), optional
        Their levels (dB), for :func:`level_score`.

    Returns
    -------
    counts, posterior : tuple
        Counts (0 = no group) and their probabilities, most likely first; counts below 0.1 % are left out.
    paths : dict
        For each count in ``counts`` but 0, the positions of the candidates of its best path.
    """
    s = settings
    n = len(times_s)
    cmax = min(max_count, n)
    if n == 0:
        return (0,), (1.0,), {}
    levels = np.zeros(n) if levels_db is None else np.asarray(levels_db, dtype=float)
    # alpha[m][k]: log-sum over paths whose last two knocks are k and m (k = n: m is the first), by count c;
    # best[m][k] the best of those paths, and back[m][k] the knock before k on it. Only knocks within the
    # interval bounds of m are rows, so memory and time grow with the candidates in a window, not the stretch.
    neg = -np.inf
    alpha: list[dict] = [dict() for _ in range(n)]
    best: list[dict] = [dict() for _ in range(n)]
    back: list[dict] = [dict() for _ in range(n)]
    total = np.full(cmax + 1, neg)
    total[0] = 0.0
    end = {}  # count -> (score, m, row) of the best path
    for m in range(n):
        first = np.full(cmax + 1, neg)
        first[1] = (evidence[m] - s.group_cost) / temperature
        for k in range(m):
            d = times_s[m] - times_s[k]
            if not s.min_interval_s <= d <= s.max_interval_s:
                continue
            rows = sorted(alpha[k])  # ascending, "none" (n) last: ties go to the earliest row
            before = np.array([times_s[k] - times_s[i] for i in rows if i != n])
            trans = np.empty(len(rows))
            if rows[-1] == n:
                trans[-1] = first_interval_score(d, s)
            if before.size:
                trans[:before.size] = interval_score(d, before, s)
            change = float(level_score(levels[m] - levels[k], s))
            step = (trans + change + evidence[m]) / temperature
            a = np.stack([alpha[k][i] for i in rows])[:, :-1] + step[:, None]
            b = np.stack([best[k][i] for i in rows])[:, :-1] + step[:, None]
            av, bv, bk = np.full(cmax + 1, neg), np.full(cmax + 1, neg), np.full(cmax + 1, -1, dtype=np.int64)
            av[1:] = np.logaddexp.reduce(a, axis=0)
            top = np.argmax(b, axis=0)
            bv[1:] = b[top, np.arange(cmax)]
            found = np.isfinite(bv[1:])
            bk[1:][found] = np.asarray(rows)[top[found]]
            alpha[m][k], best[m][k], back[m][k] = av, bv, bk
        alpha[m][n], best[m][n], back[m][n] = first, first.copy(), np.full(cmax + 1, -1, dtype=np.int64)
        rows = sorted(alpha[m])
        total = np.logaddexp(total, np.logaddexp.reduce(np.stack([alpha[m][i] for i in rows]), axis=0))
        bm = np.stack([best[m][i] for i in rows])
        for c in range(1, cmax + 1):
            r = int(np.argmax(bm[:, c]))
            if np.isfinite(bm[r, c]) and (c not in end or bm[r, c] > end[c][0]):
                end[c] = (float(bm[r, c]), m, rows[r])
    post = np.exp(total - np.logaddexp.reduce(total))
    order = [int(c) for c in np.argsort(-post, kind="stable") if post[c] >= 1e-3]
    paths = {}
    for c in order:
        if c == 0 or c not in end:
            continue
        _, m, row = end[c]
        path, count = [m], c
        while row != n:
            k = row
            row = int(back[m][k][count])
            path.append(k)
            m, count = k, count - 1
        paths[c] = path[::-1]
    return tuple(order), tuple(float(post[c]) for c in order), paths


def track(times_s, p, settings: RhythmSettings = RhythmSettings(), levels_db=None) -> list[FinalGroup]:
    """The groups of a whole sequence of candidates (times in order, their P(knock), optionally their levels in
    dB), as the streaming decoder finds them; candidate numbers are positions in the sequence."""
    tracker = RhythmTracker(settings)
    out: list[FinalGroup] = []
    levels = np.zeros(len(times_s)) if levels_db is None else levels_db
    for number, (t, q, level) in enumerate(zip(times_s, p, levels)):
        out += tracker.advance(float(t))
        tracker.add(number, float(t), float(q), float(level))
    return out + tracker.flush()
