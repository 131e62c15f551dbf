"""The trainer's own preferences, kept between runs: language, sound, visual beats, who trained last and where.

Training results are not here (they go to the records store); this file only lets the next start continue where
the last one stopped. A damaged file is ignored rather than stopping the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from rescue_signals.app.calibration import Calibration
from rescue_signals.app.phrases import LANGUAGES
from rescue_signals.app.practice import PracticeSound


RECENT = 6
"""Recent recordings the decode screen offers."""


@dataclass
class Settings:
    lang: str = "zh"
    sound: bool = True
    visual_beats: bool = False
    last_trainee: str | None = None
    last_scene: str | None = None
    last_scenario: str | None = None
    last_recording: str | None = None
    heard_cards: dict[str, list[str]] = field(default_factory=dict)  # trainee -> signal cards heard in Learn
    recent_recordings: list[str] = field(default_factory=list)  # most recent first
    practice_sound: dict[str, dict] = field(default_factory=dict)  # trainee -> how practice sounds (not default)
    mic_checks: dict[str, dict] = field(default_factory=dict)  # trainee -> the last microphone check

    @classmethod
    def load(cls, path: Path) -> "Settings":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known}) if isinstance(data, dict) else cls()
        if settings.lang not in LANGUAGES:
            settings.lang = "zh"
        cards = settings.heard_cards
        if not isinstance(cards, dict):
            cards = {}
        settings.heard_cards = {str(k): [str(x) for x in v] for k, v in cards.items() if isinstance(v, list)}
        recent = settings.recent_recordings
        settings.recent_recordings = [str(x) for x in recent][:RECENT] if isinstance(recent, list) else []
        sounds = settings.practice_sound if isinstance(settings.practice_sound, dict) else {}
        settings.practice_sound = {str(k): PracticeSound.from_dict(v).as_dict() for k, v in sounds.items()}
        checks = settings.mic_checks if isinstance(settings.mic_checks, dict) else {}
        checks = {str(k): Calibration.from_dict(v) for k, v in checks.items()}
        settings.mic_checks = {k: c.as_dict() for k, c in checks.items() if c is not None}
        return settings

    def opened_recording(self, path: str) -> None:
        """Remember ``path`` (absolute) as the last recording opened, first of the recent ones."""
        self.last_recording = path
        self.recent_recordings = [path] + [p for p in self.recent_recordings if p != path][:RECENT - 1]

    def heard(self, trainee: str | None) -> set[str]:
        """The signal cards ``trainee`` has heard in Learn."""
        return set(self.heard_cards.get(trainee or "", []))

    def hear(self, trainee: str | None, card: str) -> None:
        cards = self.heard_cards.setdefault(trainee or "", [])
        if card not in cards:
            cards.append(card)

    def practice(self, trainee: str | None) -> PracticeSound:
        """How practice sounds for ``trainee`` (the defaults until they choose)."""
        return PracticeSound.from_dict(self.practice_sound.get(trainee or "", {}))

    def set_practice(self, trainee: str | None, sound: PracticeSound) -> None:
        if sound == PracticeSound():
            self.practice_sound.pop(trainee or "", None)
        else:
            self.practice_sound[trainee or ""] = sound.as_dict()

    def mic_check(self, trainee: str | None) -> Calibration | None:
        """``trainee``'s last microphone check (None: never offered)."""
        found = self.mic_checks.get(trainee or "")
        return Calibration.from_dict(found) if found is not None else None

    def set_mic_check(self, trainee: str | None, check: Calibration) -> None:
        self.mic_checks[trainee or ""] = check.as_dict()

    def save(self, path: Path) -> None:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # preferences are a convenience; training goes on without them
