"""On the real (virtual) sound card: a rendered exchange played through `Player` comes back on the microphone
path with every knock at its sidecar time, and the player reports when each knock reached the output."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import signal as sps

from rescue_signals.audiofile import write_audio
from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import parse_sequence
from rescue_signals.synth import Conditions, render_sequence

pytestmark = pytest.mark.devices
REPO = Path(__file__).resolve().parent.parent.parent
SR = 48000


def find_knocks_s(x, sr):
    """Knock onsets by a simple energy rise in the band above 2 kHz (where a strike's crack is and the ringing of
    earlier knocks is not), refined to where the crack reaches a fifth of its peak."""
    hp = sps.sosfilt(sps.butter(4, 2000, btype="high", fs=sr, output="sos"), np.asarray(x, dtype=np.float64))
    hop = int(0.001 * sr)
    e = np.mean(hp[: hp.size // hop * hop].reshape(-1, hop) ** 2, axis=1)
    floor = 1e-3 * e.max()
    out = []
    for i in range(30, e.size):
        if e[i] > floor and e[i] > 100 * np.mean(e[i - 30:i - 2]) and (not out or i * hop - out[-1] > 0.3 * sr):
            seg = np.abs(hp[(i - 3) * hop:(i + 5) * hop])
            out.append((i - 3) * hop + int(np.flatnonzero(seg >= 0.2 * seg.max())[0]))
    return np.array(out) / sr


def record_while(action, *, seconds, until=None):
    """Run ``action()`` while recording the default input for ``seconds``, or until ``until(result)`` is true.

    Returns
    -------
    samples : ndarray, shape (n,)
    times_s : ndarray, shape (n,)
        ``time.monotonic()`` time of every sample, from the time stamp of the block that carries it.
    result
        What ``action()`` returned.
    """
    from rescue_signals.audio import Capture

    blocks = []
    with Capture(sample_rate=SR, block_size=512) as cap:
        for _ in range(5):  # let the stream settle: its first time stamps can be a few ms off
            cap.read(2.0)
        result = action()
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (until is not None and until(result)):
            blocks.append(cap.read(2.0))
        assert cap.overflows == 0
    starts = np.array([s for _, s in blocks])
    sizes = np.array([b.size for b, _ in blocks])
    # Each block starts where the previous one ended: nothing was lost (a lost block would jump 10.7 ms) and the
    # time stamps are steady.
    assert np.max(np.abs(starts[1:] - (starts[:-1] + sizes[:-1] / SR))) < 0.005
    times = np.concatenate([s + np.arange(b.size) / SR for b, s in blocks])
    return np.concatenate([b for b, _ in blocks]), times, result


def test_played_exchange_comes_back_with_knocks_at_the_sidecar_times(artifacts_dir):
    from rescue_signals.audio import Player

    cb = default_codebook()
    rendering = render_sequence(parse_sequence("R5 T3", cb), cb,
                                Conditions(medium="pipe", tempo=1.5, group_gap_s=2.2), seed=21)
    truth_s = np.array([k.time_s for k in rendering.knocks])
    with Player(sample_rate=SR) as player:
        # Recorded until just after the last knock (the ringing after it would only make the test longer).
        recorded, times, playback = record_while(
            lambda: player.play(rendering.samples, knock_offsets_s=truth_s), seconds=truth_s[-1] + 1.0)
        assert playback.error is None and len(playback.heard_times_s()) == len(truth_s)
        playback.stop()
        # The sound played without a break: an underflow would click and delay every later knock.
        assert player.underflows == 0
    write_audio(artifacts_dir / "synth-loopback.flac", recorded, SR)
    found_s = times[np.round(find_knocks_s(recorded, SR) * SR).astype(int)]  # monotonic
    heard_s = np.array(playback.heard_times_s())
    assert len(found_s) == len(truth_s) == len(heard_s)
    # Where the knocks are in the recording, counted from where the sound started, is where the sidecar says
    # (the virtual card runs a few hundred ppm off its nominal rate, which the 10 ms allow for over this length) ...
    assert np.max(np.abs((found_s - playback.started_s) - truth_s)) < 0.010
    # ... and knock to knock the spacing is the sidecar's.
    assert np.max(np.abs(np.diff(found_s) - np.diff(truth_s))) < 0.003
    # And the player's report of when each knock reached the output agrees with the recording.
    assert np.max(np.abs(found_s - heard_s)) < 0.010
    # The recording is the rendering: its level survives the trip.
    assert 0.5 < np.max(np.abs(recorded)) / np.max(np.abs(rendering.samples)) < 2.0


def test_a_sound_scheduled_for_a_time_starts_then():
    from rescue_signals.audio import CLOCK_SLEW, Player

    click = np.zeros(SR // 2, dtype=np.float32)
    click[:48] = 0.8 * np.sin(2 * np.pi * 4000 * np.arange(48) / SR)
    with Player(sample_rate=SR) as player:
        at_s = time.monotonic() + 0.5
        recorded, times, playback = record_while(lambda: player.play(click, knock_offsets_s=[0.0], at_s=at_s),
                                                 seconds=1.2)
        assert playback.wait(3.0)
    # The player reports that it started then (its estimate of the stream's clock may move by CLOCK_SLEW a second).
    assert abs(playback.started_s - at_s) < 0.001 + CLOCK_SLEW * (time.monotonic() - at_s)
    found = times[np.round(find_knocks_s(recorded, SR) * SR).astype(int)]
    assert len(found) == 1 and abs(found[0] - at_s) < 0.010


def test_a_stream_that_stops_ends_the_playback_with_an_error_instead_of_hanging():
    from rescue_signals.audio import Player
    from rescue_signals.errors import AudioDeviceError

    player = Player(sample_rate=SR)
    try:
        playback = player.play(np.zeros(SR * 5, dtype=np.float32), knock_offsets_s=[0.0, 4.0])
        time.sleep(0.2)
        player._stream.stop()  # what an unplugged card looks like from here: no more callbacks
        assert playback.wait(3.0)
        assert isinstance(playback.error, AudioDeviceError) and "stopped" in str(playback.error)
        with pytest.raises(AudioDeviceError):
            player.play(np.zeros(10, dtype=np.float32))
    finally:
        player.close()


def test_play_command_is_heard_on_the_sound_card():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    recorded, _, proc = record_while(lambda: subprocess.Popen(
        [sys.executable, "-m", "rescue_signals", "play", "R3", "--medium", "rock_hammer", "--distance", "2",
         "--lang", "en", "--seed", "2"], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True), seconds=20.0, until=lambda proc: proc.poll() is not None)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "no sound" not in err
    assert "R3 rescuers: received, understood" in out and out.count("●") == 3
    assert len(find_knocks_s(recorded, SR)) == 3


def test_play_carries_on_silently_when_the_device_goes_away(capsys):
    import io
    import threading

    from rescue_signals.audio import Player
    from rescue_signals.commands.play import show_timeline

    cb = default_codebook()
    rendering = render_sequence(parse_sequence("R4", cb), cb, Conditions(medium="rock_hammer", tempo=2.0), seed=5)
    out = io.StringIO()
    player = Player(sample_rate=SR)
    try:
        # What an unplugged card looks like from here: the stream stops calling back half way through the group.
        threading.Timer(rendering.knocks[1].time_s + 0.2, player._stream.stop).start()
        mode = show_timeline(rendering, cb, lang="en", player=player, out=out)
    finally:
        player.close()
    assert mode == "lost"
    assert "sound lost" in capsys.readouterr().err
    assert out.getvalue().count("●") + out.getvalue().count("*") == 4  # every knock still shown
