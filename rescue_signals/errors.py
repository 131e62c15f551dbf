"""The project's exceptions: one base class and a few kinds a user can act on."""

from __future__ import annotations


class RescueSignalsError(Exception):
    """Base class of every error the program reports to a user (never a bug)."""


class DataFileError(RescueSignalsError):
    """A YAML data file (codebook, scenario) is malformed or invalid.

    The message starts with ``file:line:`` so editors can jump to the place.
    """

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class UsageError(RescueSignalsError):
    """An argument is out of range or not one of the allowed values."""


class AudioFileError(RescueSignalsError):
    """An audio file cannot be read or written."""


class AudioDeviceError(RescueSignalsError):
    """No usable audio device, or the device failed."""


class RecordsError(RescueSignalsError):
    """The records database cannot be opened or written."""


class SignatureError(RescueSignalsError):
    """A report or a key cannot be trusted: not a report, unsigned, changed, or signed by an unknown key."""
