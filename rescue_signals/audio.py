"""The sound card: the only module that imports sounddevice.

sounddevice is imported lazily, so that the rest of the program (decoding files, drills in silent mode, reports)
works on a machine without PortAudio or without any audio device.
"""

from __future__ import annotations

from dataclasses import dataclass

from rescue_signals.errors import AudioDeviceError

SAMPLE_RATE = 48000
"""The rate asked for on every device (some report 44100 by default; see the project's environment notes)."""


def _sounddevice():
    try:
        import sounddevice
    except OSError as exc:  # raised when the PortAudio library itself is missing
        raise AudioDeviceError(
            f"the audio library is not available ({exc}); on Debian install it with "
            "'apt-get install libportaudio2', or use the program in silent mode") from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[Device]:
    """Every audio device PortAudio sees, with which ones are the defaults.

    Raises
    ------
    AudioDeviceError
        PortAudio is not installed or cannot be initialised.
    """
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:  # PortAudioError and friends; the message is what the user needs
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from None
    out = []
    for i, d in enumerate(devices):
        out.append(Device(i, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"],
                          d["max_output_channels"], d["default_samplerate"], i == default_in, i == default_out))
    return out
