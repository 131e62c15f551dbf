"""The microphone switch of a knock pad: the first time a trainee turns the microphone on, the microphone check
comes first (once per trainee); every time, the pad's level meter is set up from the trainee's last check."""

from __future__ import annotations

from rescue_signals.app.calibration import Calibration


def set_up(pad, check: Calibration | None) -> None:
    """The pad's level meter zones and starting noise from ``check`` (defaults without a usable one)."""
    from rescue_signals.app.inputlevel import LevelSettings

    usable = check is not None and check.usable
    pad.level = check.level_settings() if usable else LevelSettings()
    pad.noise_dbfs = check.noise_dbfs if usable else None


def check_line(scene) -> str:
    """What the trainee's last microphone check said, or that there has been none, in the scene's words."""
    check = scene.app.settings.mic_check(scene.app.trainee_name)
    if check is None:
        return scene.text("check.none_yet")
    return scene.text("check.last", verdict=scene.text(f"check.short.{check.verdict.value}"))


def switch_mic(scene, pad):
    """Turn ``pad``'s microphone off, or on; returns the check scene to show first when the trainee has never been
    offered it (the microphone is on when it is done), else None."""
    app = scene.app
    if pad.mic is not None:
        pad.close()
        return None
    check = app.settings.mic_check(app.trainee_name)
    if check is not None:
        set_up(pad, check)
        pad.toggle_mic()
        return None

    def done(result: Calibration):
        set_up(pad, result)
        pad.toggle_mic()
        return scene

    return scene.go("check", done=done, return_to=scene)
