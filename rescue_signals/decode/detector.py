"""Knock detection on band powers: one knock counted once, over any stationary noise.

For every frame and band, the mean power of the next :data:`AFTER_FRAMES` frames is compared with the highest of
the background before it (the last :data:`BEFORE_FRAMES` frames, and the last :data:`RECENT_FRAMES` alone) and the
band's noise floor. The rise, in units of how much that comparison spreads in the band's noise, is squared and
summed over the bands (each capped at :data:`BAND_CAP`) into the *novelty*. Whitening by the spread makes a fan, a
pump or hum count for little in the bands they fill, while a knock rises in many bands at once; comparing with the
recent past makes slow swells (running water, voices) count for little too. Ringing and reverberation only decay,
so they add no novelty; a rebound or an echo that does rise is absorbed by a refractory time after each knock.
A peak of the novelty above :data:`THRESHOLD` is a knock unless its shape says otherwise (a click of one frame, a
tone without a strike, a swell); those are reported as rejected impulses, and a knock whose rise turns out 0.3 s
later to have been a lasting step in level is taken back. Peaks between half the threshold and the threshold are
reported as *faint*, so that a group with a gap where a knock should be can count a weak blow on its beat, or say
that a knock may have been missed there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rescue_signals.codebook import Text, Timing
from rescue_signals.decode.features import LONG_FRAMES, FrameLayout
from rescue_signals.decode.noisefloor import NoiseFloor

AFTER_FRAMES = 4
"""Frames after a possible onset whose mean power is compared with what came before (about 21 ms)."""

BEFORE_FRAMES = 19
"""Frames before it over which the background is measured (about 0.1 s)..."""

RECENT_FRAMES = 4
"""...and the most recent of them, measured alone: a sound that swells over tens of ms never rises above its own
recent past, while a strike does."""

BAND_CAP = 8.0
"""Most rise one band can count, in spreads: one ringing partial cannot make a knock on its own."""

THRESHOLD = 40.0
"""Novelty a knock must reach (sum over bands of squared rises, in spreads)."""

FAINT = 0.5
"""Peaks above this share of :data:`THRESHOLD` are remembered as faint, possibly missed, knocks."""

PEAK_RADIUS_FRAMES = 4
"""A knock is the highest novelty within this many frames either side (about 21 ms)."""

MEASURE_FRAMES = 8
"""Frames after the onset in which the knock's level, brightness and shape are measured (about 43 ms)."""

PRECURSOR_FRAMES = 6
"""A peak followed within this many frames (about 32 ms) by a much stronger one is only its precursor (a scrape
or a touch before the strike, or the fast high end of a knock dispersed along steel)..."""

PRECURSOR_RATIO = 4.0
"""...if the later novelty is this many times higher."""

STEP_FRAMES = (48, 64)
"""A knock's rise above the noise must have fallen by :data:`STEP_DROP_DB` between these frames after it (0.26 to
0.34 s on)..."""

STEP_DROP_DB = 3.0
"""...(what it added above the noise floor must have halved) or it was a lasting step in level (sound starting, a
gain change, a machine switched on), and the knock reported is taken back..."""

STEP_MIN_SNR_DB = 10.0
"""A knock less than this above the noise is never taken back as a step: at 0 dB a knock on a rail is only a few dB
above a pump, and its ring, with the pump's own wavering, keeps within 3 dB of it for 0.3 s; a step in level worth
reporting stands well clear of the noise."""

STEP_EVEN_DB = 4.0
"""...provided it rose evenly across the bands (standard deviation of the bands' rises below this): a gain change
lifts the whole spectrum alike, while a knock on steel whose ring hardly decays in 0.3 s (a rail in a live
roadway) lifts its own partials far more than the rest."""

DIGITAL_SILENCE_POWER = 1e-10
"""Below this power (-100 dB over all bands) a frame is digital silence: no signal, rather than a quiet one."""

CUT_FROM_POWER = 1e-6
"""A frame this loud (-60 dB) followed at once by digital silence was cut off (an input starting up in fits),
not decaying."""

SWELL_FRAMES = 8
"""A sound that takes this many frames (43 ms) or more to climb from 10 dB to 3 dB under its peak swells (a
syllable, a machine starting); a strike climbs in one or two, and even a knock smeared over 300 m of pipe (its
highs arrive first) in fewer than this."""

STRIKE_JUMP_DB = 15.0
"""...unless one band above 400 Hz leaps this much from one 5 ms frame to the next around the onset: a blow that
lands on a syllable, which alone climbs a few dB a frame in each band, rises with it."""

CLICK_BODY_SHARE = 0.1
"""A sound gone in one frame is a click only if what it adds below 400 Hz is less than this share of what it adds
above: a click's energy is spread evenly over the spectrum, so hardly any of it falls in the low bands, while a
hammer on rock stops ringing in the highs at once but thumps below 400 Hz as loud as it cracks above."""

CLICK_FLAT_DB = 20.0
"""...and only if what it adds is spread evenly over the spectrum: above 400 Hz, the top band's share per hertz within
this much of the densest band's. An electrical or digital click is flat to the top; a fingernail's tap on a table is
as short (gone within one frame once noise covers its tail) but 45 to 60 dB down per hertz by 5 kHz."""

SWELL_CLEAR = 30.0
"""A swell is judged only on a sound whose upper bands peak this many times (15 dB) above their noise floor: its
climb from 10 dB under its peak then starts clear of the noise, whose flicker would otherwise look like a slow
start."""

RING_S = 1.0
"""Within this time after a knock, for a sound at least..."""

RING_DROP_DB = 6.0
"""...this much fainter than it (its ring has decayed; a new blow by the same hand is about as loud)..."""

RING_CLEAR = 4.0
"""...while what sounded just before a rise stands this many times (6 dB) above the noise floor (the knock's ring
on steel, or the roadway's reverberation)..."""

RING_RISE = 2.0
"""...a new knock must at least double the whole sound (3 dB): partials of a ringing rail beat against each other
and rise in one band or two, but a blow adds to all of it."""

ONSET_OFFSET_FRAMES = 0.5
"""Where in its first frame a knock starts, on average (calibrated on rendered knocks and real taps)."""

TONE_SHARE = 0.9
"""A sound with this share of its rise above 400 Hz in two neighbouring bands (a drop's bubble rings at one
pitch and rises through at most the next band while it lasts)..."""

TONE_LOW_SHARE = 0.02
"""...and less than this share below 400 Hz..."""

TONE_MIN_HZ = 700.0
"""...whose strongest band is centred this high or higher is a tone (a drop of water), not a strike. Knocks
strike broadband, with a body below 400 Hz or partials spread over the bands; the 400-630 Hz band is left out,
where a tap on a table or a far pipe's ring can sit in one band alone. Measured on the benchmark's corpus (drip
bed, every SNR and medium): this turns away 1841 of the 1947 drops counted as knocks, and 2 of 2665 knocks under
hum, pump and rock drill, none of the 125 real taps. A drop that falls on the ring of a knock is judged twice: over
the noise floor, and by what it adds to the ring; it is a tone if either says so."""

TONE_DIES_FRAMES = 4
"""A tone is a drop only if its strongest band has fallen 6 dB this many frames (21 ms) after its loudest: a drill
rod struck on one pitch rings on for tenths of a second."""

MIN_SNR_DB = 1.0
"""A knock's loudest 5 ms must be this much above the noise floor, in the bands where it stands out."""

REPLACE_DB = 6.0
"""A knock this much louder than one heard within the refractory time before it is the real strike, and the
earlier one its precursor (a scrape, a touch)."""

ECHO_DROP_DB = 10.0
"""Inside the soft refractory zone, a peak this much weaker than the knock before it is its echo."""

ABS_FLOOR_POWER = 1e-11
"""Added to every band power before taking dB (-110 dB): digital silence is not infinitely quiet."""

MIN_LEVEL_DB = -85.0
"""A knock must reach this level at least (dB of mean power, full-scale sine -3 dB)."""

REASONS = {
    "echo": Text((("zh", "回声或回弹，并入前一次敲击"), ("en", "echo or rebound, counted with the knock before it"))),
    "click": Text((("zh", "极短的咔嗒声，不是敲击"), ("en", "a click too short to be a knock"))),
    "swell": Text((("zh", "声音逐渐增强，不是敲击（人声？）"), ("en", "a sound that swells up, not a strike (a voice?)"))),
    "step": Text((("zh", "声音持续变响（开始播放、增益改变或机器启动），不是敲击"),
                  ("en", "a lasting rise in level (sound starting, a gain change, a machine), not a knock"))),
    "precursor": Text((("zh", "紧接着有更响的敲击，这只是前兆"), ("en", "a lesser sound just before a louder knock"))),
    "tone": Text((("zh", "没有敲击声的短促音调（水滴？）"), ("en", "a short tone with no strike in it (a drip?)"))),
    "outlier": Text((("zh", "比同组敲击弱得多且不合节奏，是别的声音"),
                     ("en", "much fainter than the rest of its group and off the beat: another sound"))),
    "ring": Text((("zh", "前一次敲击余音的起伏，不是新的敲击"),
                  ("en", "a swell in the ring of the knock before, not a new blow"))),
    "stray": Text((("zh", "单独一声，比之前的敲击弱得多，不是回应"),
                   ("en", "a lone sound far fainter than the knocks before it, not a reply"))),
    "rapid": Text((("zh", "声音一个接一个，比任何人敲击都快（说话声？机器？），不是敲击"),
                   ("en", "sounds in faster succession than anyone knocks (speech? a machine?), not knocks"))),
}
"""Why an impulse was not counted as a knock."""


@dataclass(frozen=True)
class KnockEvent:
    """One knock, reported as soon as it is sure.

    Attributes
    ----------
    time_s : float, s
        Onset, from the start of the stream.
    strength : float
        RMS amplitude of the knock's loudest 5 ms (full scale = 1).
    snr_db : float, dB
        Level of the loudest 5 ms above the noise floor, over the bands where it at least doubles the noise (over
        all bands if there are none): a knock above 400 Hz is not drowned by loud hum at 50 Hz.
    level_db : float, dB
        Level of the loudest 5 ms (mean power; a full-scale sine is -3 dB).
    brightness_hz : float, Hz
        Centre of gravity of the knock's spectrum above the noise: far knocks, and knocks through rock, are duller.
    """

    time_s: float
    strength: float
    snr_db: float
    level_db: float
    brightness_hz: float


@dataclass(frozen=True)
class RejectedImpulse:
    """A sound that rose like a knock but was not counted as one.

    Attributes
    ----------
    time_s : float, s
    reason : str
        A key of :data:`REASONS`.
    snr_db : float, dB
    level_db : float, dB
    """

    time_s: float
    reason: str
    snr_db: float
    level_db: float

    @property
    def message(self) -> Text:
        return REASONS[self.reason]

    @classmethod
    def taking_back(cls, knock: KnockEvent, reason: str) -> "RejectedImpulse":
        """The rejection that takes back ``knock``, reported earlier, for ``reason``."""
        return cls(knock.time_s, reason, knock.snr_db, knock.level_db)


@dataclass(frozen=True)
class FaintPeak:
    """A rise below the knock threshold but above half of it: perhaps a weak knock, perhaps noise.

    Attributes
    ----------
    knock : KnockEvent
        The knock it would be, measured the same way.
    novelty : float
        Its novelty (the threshold is :attr:`KnockDetector.threshold`).
    """

    knock: KnockEvent
    novelty: float

    @property
    def time_s(self) -> float:
        return self.knock.time_s


Detection = KnockEvent | RejectedImpulse | FaintPeak
"""What the detector reports, in time order; except that a knock found 0.3 s later to have been a lasting step in
level is taken back by a :class:`RejectedImpulse` with reason ``"step"`` and the knock's time."""


class KnockDetector:
    """Streaming knock detector over frames of band power.

    Parameters
    ----------
    layout : FrameLayout
    timing : Timing
        The codebook's timing: half the shortest knock spacing is the refractory time after a knock.
    threshold : float
        Novelty a knock must reach (see :data:`THRESHOLD`).
    """

    def __init__(self, layout: FrameLayout, timing: Timing, *, threshold: float = THRESHOLD):
        self.layout = layout
        self.threshold = float(threshold)
        self.refractory_s = 0.5 * timing.knock_interval_min_s
        self.soft_refractory_s = 0.875 * timing.knock_interval_min_s
        self._floor = NoiseFloor(layout.bands)
        self._centre = layout.centre_hz.astype(np.float32)
        self._width = (layout.band_hz[:, 1] - layout.band_hz[:, 0]).astype(np.float32)
        self.reset()

    def reset(self) -> None:
        self._floor.reset()
        bands = self.layout.bands
        self._power = np.zeros((0, bands), dtype=np.float32)  # band power of frames from _p0 on
        self._p0 = 0
        self._features_done = 0  # frames whose rise has been computed
        self._noise = np.zeros((0, bands), dtype=np.float32)  # floor (dB) of frames from _n0 on
        self._novelty = np.zeros(0, dtype=np.float32)
        self._n0 = 0
        self._next = 0  # first frame not yet decided
        self._last: KnockEvent | None = None
        self._watch: list[tuple[int, KnockEvent, float]] = []  # knocks to check for a lasting step
        self.trace: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def keep_trace(self) -> None:
        """Keep every frame's total level, noise floor and novelty (for plots); memory grows with the stream."""
        self.trace = []

    @property
    def decided_s(self) -> float:
        """Every knock before this time (s from the start) has been reported."""
        return self._next * self.layout.frame_s

    # -- streaming ----------------------------------------------------------------------------------------------
    def feed(self, power: np.ndarray) -> list[Detection]:
        """Add frames of band power (shape (frames, bands)); returns what is now decided, in time order."""
        if len(power):
            self._power = np.concatenate((self._power, power))
        end = self._p0 + len(self._power)
        return self._advance(end - AFTER_FRAMES + 1, final=False)

    def flush(self) -> list[Detection]:
        """Decide every frame left, the stream having ended."""
        return self._advance(self._p0 + len(self._power), final=True)

    # -- internals ----------------------------------------------------------------------------------------------
    def _advance(self, feature_end: int, *, final: bool):
        if feature_end > self._features_done:
            rows = self._rises(self._features_done, feature_end)
            self._features_done = feature_end
            self._add_novelty(*self._floor.feed(rows))
        if final:
            self._add_novelty(*self._floor.flush())
        found = self._decide(final)
        self._trim()
        return found

    def _rises(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[level after | rise over the background]`` (dB) for frames ``start .. stop-1``."""
        p = self._power
        base = self._p0
        cum = np.concatenate((np.zeros((1, p.shape[1])), np.cumsum(p, axis=0, dtype=np.float64)))
        frames = np.arange(start, stop) - base
        started = (np.arange(start, stop) > 0)[:, None]
        n = len(p)

        def mean(lo, hi):
            lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
            return (cum[hi] - cum[lo]) / np.maximum(hi - lo, 1)[:, None]

        after = mean(frames, frames + AFTER_FRAMES)
        # At the very start there is no past: the frame itself stands in for it.
        before = np.where(started, mean(frames - BEFORE_FRAMES, frames), p[frames])
        recent = np.where(started, mean(frames - RECENT_FRAMES, frames), p[frames])
        level = _db(after)
        rise = level - _db(np.maximum(before, recent))
        return np.concatenate((level, rise), axis=1)

    def _add_novelty(self, rows, floor, spread) -> None:
        if not len(rows):
            return
        bands = self.layout.bands
        level, rise = rows[:, :bands], rows[:, bands:]
        reference = np.maximum(level - rise, floor)
        z = np.clip((level - reference) / spread, 0.0, BAND_CAP)
        novelty = (z * z).sum(axis=1, dtype=np.float32)
        if self.trace is not None:
            self.trace.append((_total_db(level), _total_db(floor), novelty))
        self._noise = np.concatenate((self._noise, floor))
        self._novelty = np.concatenate((self._novelty, novelty))

    def _decide(self, final: bool) -> list[Detection]:
        end = self._n0 + len(self._novelty)
        stop = end if final else min(end - max(PEAK_RADIUS_FRAMES, PRECURSOR_FRAMES),
                                     self._p0 + len(self._power) - MEASURE_FRAMES)
        found: list[Detection] = []
        if stop <= self._next:
            return found
        a, b = self._next - self._n0, stop - self._n0
        nov = self._novelty
        for i in np.flatnonzero(nov[a:b] >= FAINT * self.threshold) + a:
            lo, hi = max(0, i - PEAK_RADIUS_FRAMES), i + PEAK_RADIUS_FRAMES + 1
            # The first of equal maxima wins, so a flat top gives one peak.
            if nov[i] < nov[lo:hi].max() or (nov[lo:i] >= nov[i]).any():
                continue
            if (nov[i + 1:i + PRECURSOR_FRAMES + 1] >= PRECURSOR_RATIO * nov[i]).any():
                continue
            frame = i + self._n0
            found += self._steps(frame)
            detection = self._judge(frame)
            if detection is not None:
                found.append(detection)
        self._next = stop
        return found + self._steps(None if final else self._p0 + len(self._power))

    def _steps(self, upto: int | None) -> list[RejectedImpulse]:
        """Knocks reported earlier whose rise has not decayed by frame ``upto`` (None: the end of the stream):
        lasting steps in level, taken back. Checked in frame order, so the same stream gives the same events
        whatever its blocks."""
        out = []
        end = self._p0 + len(self._power)
        limit = end if upto is None else min(upto, end)
        while self._watch and (upto is None or self._watch[0][0] + STEP_FRAMES[1] <= limit):
            frame, knock, floor = self._watch.pop(0)
            after = self._power[max(0, frame - self._p0):frame + STEP_FRAMES[1] - self._p0].sum(axis=1)
            later = after[STEP_FRAMES[0]:]
            if not len(later):
                continue
            excess = float(later.min()) - floor
            rise = 10.0 ** (knock.level_db / 10.0) - floor
            lasting = knock.snr_db >= STEP_MIN_SNR_DB and excess > 10.0 ** (-STEP_DROP_DB / 10.0) * rise
            # Out of digital silence and back into it at a stroke: an input starting up in fits, not a blow.
            cut = (floor < DIGITAL_SILENCE_POWER
                   and bool(((after[1:] < DIGITAL_SILENCE_POWER) & (after[:-1] > CUT_FROM_POWER)).any()))
            if lasting or cut:
                out.append(RejectedImpulse.taking_back(knock, "step"))
        return out

    def _swell_reason(self, frame: int, low: int) -> str | None:
        """"swell" when the upper bands climbed slowly to their peak (judged only when they stand well clear of
        the noise: a thud on rock hardly reaches them)."""
        b = frame - self._p0
        start = max(0, b - PRECURSOR_FRAMES)
        high = self._power[start:b + MEASURE_FRAMES + 1, low:].sum(axis=1)
        peak = int(np.argmax(high[b - start:])) + b - start
        floor = float((10.0 ** (self._noise[frame - self._n0, low:] / 10.0)).sum())
        if high[peak] < SWELL_CLEAR * floor:
            return None
        reach = int(np.argmax(high >= 0.5 * high[peak]))  # where it comes within 3 dB of its peak
        quiet = np.flatnonzero(high[:reach] < 0.1 * high[peak])
        if quiet.size and reach - quiet[-1] >= SWELL_FRAMES:
            # A swell with a blow in it: some band leaps at the onset (a knock landing on a syllable).
            bands = _db(self._power[max(0, b - 2):b + 3, low:])
            if len(bands) >= 2 and float(np.diff(bands, axis=0).max()) >= STRIKE_JUMP_DB:
                return None
            return "swell"
        return None

    def _judge(self, frame: int) -> Detection | None:
        i = frame - self._n0
        seg = slice(frame - self._p0, frame - self._p0 + MEASURE_FRAMES + 1)
        power = self._power[seg]
        noise = 10.0 ** (self._noise[i:i + len(power)] / 10.0)
        if len(noise) < len(power):  # near the end of the stream the floor of the last frame stands in
            noise = np.concatenate((noise, np.repeat(noise[-1:], len(power) - len(noise), axis=0)))
        total = power.sum(axis=1)
        p = int(np.argmax(total))
        level_db = float(_db(total[p]))
        snr_db = _snr_db(power[p], noise[p])
        # Onset and shape from the short-frame bands only: the low bands are smeared over long frames.
        low = self.layout.low_bands
        high, high_noise = power[:, low:].sum(axis=1), noise[:, low:].sum(axis=1)
        onset = int(np.argmax(high >= 0.25 * high.max()))
        time_s = (frame + onset + ONSET_OFFSET_FRAMES) * self.layout.frame_s
        novelty = float(self._novelty[i])
        strong = novelty >= self.threshold and level_db >= MIN_LEVEL_DB and snr_db >= MIN_SNR_DB
        last = self._last
        if last is not None:
            since = time_s - last.time_s
            louder = strong and level_db >= last.level_db + REPLACE_DB
            if not louder and (since < self.refractory_s or (since < self.soft_refractory_s
                                                             and level_db < last.level_db - ECHO_DROP_DB)):
                return RejectedImpulse(time_s, "echo", snr_db, level_db) if strong else None
        # What the sound added to what was already there: over a knock's ring as well as over the noise.
        b = frame - self._p0
        before = self._power[max(0, b - RECENT_FRAMES):b]
        ring = before.mean(axis=0) if len(before) else noise[p]
        sounding = float(ring.sum()) if len(before) else 0.0
        ringing = last is not None and time_s - last.time_s < RING_S and level_db < last.level_db - RING_DROP_DB
        if ringing and sounding > RING_CLEAR * float(noise[0].sum()) and total[p] < RING_RISE * sounding:
            # Inside a ring well above the noise, a blow adds to the whole sound; a ring's own beating does not.
            return RejectedImpulse(time_s, "ring", snr_db, level_db) if strong else None
        # The low bands come from long frames: a blow late in one shows its body in the next.
        loudest = power[p].copy()
        loudest[:low] = power[p:p + LONG_FRAMES + 1, :low].max(axis=0)
        # In the bands where something rings, only what at least doubles it counts (a ring wavers by a dB or two).
        over_ring = np.where(ring > 2.0 * noise[p], np.where(loudest > 2.0 * ring, loudest - ring, 0.0),
                             loudest - noise[p])
        excess = np.maximum(power[p] - noise[p], 0.0)  # what the sound adds to the noise, per band
        body, strike = float(excess[:low].sum()), float(excess[low:].sum())
        # A drop's bubble dies away (or slides up to the next band) within a few frames; steel rings on. Judged
        # from the loudest frame; but a rod's ring can swell to its loudest as its partials beat, at the end of the
        # frames measured, where no later frame shows it go on: then from the onset.
        def rings_on(at: int) -> bool:
            top = low + int(np.argmax(power[at, low:]))
            later = min(at + TONE_DIES_FRAMES, len(power) - 1)
            base = max(float(ring[top]), float(noise[at, top]))
            return later > at and power[later, top] - base > 0.25 * (power[at, top] - base)

        sustained = rings_on(p) if p + 1 < len(power) else rings_on(onset)
        tone = not sustained and (_tone_reason(loudest - noise[p], low, self._centre)
                                  or _tone_reason(over_ring, low, self._centre))
        click_like = body < CLICK_BODY_SHARE * strike and _is_flat(excess[low:] / self._width[low:])
        reason = ((_shape_reason(high[onset:], high_noise[onset:]) if click_like else None)
                  or tone
                  or self._swell_reason(frame, low))
        if reason is not None:
            return RejectedImpulse(time_s, reason, snr_db, level_db) if strong else None
        brightness = float((excess * self._centre).sum() / excess.sum()) if excess.sum() > 0 else 0.0
        knock = KnockEvent(time_s, float(np.sqrt(total[p])), snr_db, level_db, brightness)
        if not strong:
            return FaintPeak(knock, novelty)
        self._last = knock
        rises = _db(power[p]) - _db(noise[p])
        if float(np.std(rises)) < STEP_EVEN_DB:
            self._watch.append((frame, knock, float(noise[p].sum())))
        return knock

    def _trim(self) -> None:
        keep = self._next - PEAK_RADIUS_FRAMES - 1
        keep_power = min(keep, self._features_done - BEFORE_FRAMES - 1)
        if self._watch:
            keep_power = min(keep_power, self._watch[0][0] + STEP_FRAMES[0])
        cut = keep_power - self._p0
        if cut > 0:
            self._power = self._power[cut:]
            self._p0 += cut
        cut = keep - self._n0
        if cut > 0:
            self._noise, self._novelty = self._noise[cut:], self._novelty[cut:]
            self._n0 += cut


def _shape_reason(total: np.ndarray, noise: np.ndarray) -> str | None:
    """Why a rise is not the shape of a knock, or None if it is.

    ``total`` and ``noise`` are the power and the noise floor of the frames from the onset on (the frame where
    the power first comes within 6 dB of its peak).
    """
    peak = int(np.argmax(total))
    if peak == 0 and total.size > 1 and total[1] < 4.0 * noise[1] and total[0] > 100.0 * noise[0]:
        return "click"  # 20 dB up in one frame and gone in the next: an electrical or digital click
    return None


def _is_flat(density: np.ndarray) -> bool:
    """Whether the top band's power per hertz (``density``, bands in order) is within :data:`CLICK_FLAT_DB` of the
    densest band's."""
    if not density.size or density.max() <= 0:
        return False
    return bool(density[-1] >= 10.0 ** (-CLICK_FLAT_DB / 10.0) * density.max())


def _tone_reason(excess: np.ndarray, low_bands: int, centre_hz: np.ndarray) -> str | None:
    """"tone" when the rise above the noise sits in two neighbouring bands, the stronger at or above
    :data:`TONE_MIN_HZ`, and hardly touches the low bands."""
    excess = np.maximum(excess, 0.0)
    total, high = float(excess.sum()), excess[low_bands:]
    if total <= 0 or not high.size:
        return None
    top = int(np.argmax(high))
    pair = float((high[:-1] + high[1:]).max()) if high.size > 1 else float(high[0])
    if (pair >= TONE_SHARE * high.sum() and excess[:low_bands].sum() < TONE_LOW_SHARE * total
            and centre_hz[low_bands + top] >= TONE_MIN_HZ):
        return "tone"
    return None


def _snr_db(power: np.ndarray, noise: np.ndarray) -> float:
    """Level above the noise, dB, over the bands the sound stands out in (at least twice the noise there): a knock
    under loud hum is judged where it sounds, not drowned by the hum's own band; over every band when none does."""
    clear = power > 2.0 * noise
    if not clear.any():
        clear = np.ones_like(clear)
    return float(_db(power[clear].sum()) - _db(noise[clear].sum()))


def _db(power):
    return (10.0 * np.log10(np.asarray(power) + ABS_FLOOR_POWER)).astype(np.float32)


def _total_db(levels: np.ndarray) -> np.ndarray:
    return _db((10.0 ** (levels / 10.0)).sum(axis=1))
