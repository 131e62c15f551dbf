"""Knocking with a real object: knocks reach the microphone, go through the live decoder and are graded.

On the test machine the default input is the monitor of the (virtual) sound card's output, so knocks played on the
output by the test stand for a person knocking on the table in front of the laptop.
"""

import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.app.calibration import Calibration
from rescue_signals.app.pilot import Pilot
from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import Group
from rescue_signals.synth import Conditions, render_sequence

pytestmark = pytest.mark.devices


def test_knocks_heard_by_the_microphone_are_counted_and_graded(artifacts_dir):
    from rescue_signals.audio import SAMPLE_RATE, Player

    cb = default_codebook()
    p = Pilot(trainee="Mic", scene="knock", lang="en", realtime=True)
    p.app.settings.set_mic_check("Mic", Calibration.skipped())  # offered before: M turns the microphone on at once
    try:
        p.press(answer_key(cb, cb.signals[0].id))
        want = p.scene.target[1]
        p.press(pygame.K_m)
        assert p.scene.pad.mic is not None, p.scene.pad.mic_problem
        rendering = render_sequence([Group(want, cb.trapped)], cb,
                                    Conditions(medium="pipe", distance_m=2, jitter=0, drift=0, reverb=0.1), seed=7)
        with Player(sample_rate=SAMPLE_RATE, latency="high") as player:  # no underrun clicks on a busy machine
            playback = player.play(rendering.samples)
            for _ in range(60 * 15):
                p.run(frames=1)
                if p.scene.phase == "graded":
                    break
            assert playback.done
        p.screenshot(artifacts_dir / "app-knock-microphone-en.png")
        result = p.scene.result
        assert p.scene.phase == "graded", p.scene.pad.mic_problem
        knocks = [round(t - p.scene.pad.knocks[0], 3) for t in p.scene.pad.knocks] if p.scene.pad.knocks else []
        assert result["count"] == want and result["count_ok"], (knocks, playback.started_s)
        assert abs(result["mean_error_s"]) < 0.03  # the rendering knocks exactly 1 s apart
    finally:
        p.scene.pad.close()
        p.app.shutdown()
