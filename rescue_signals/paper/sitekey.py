"""The training site's signing key (Ed25519) and the keys an inspector trusts.

A site signs every report it makes with its own private key, created on first use in the user's data folder and
readable by its owner only (mode 0600). The public half is printed on every report as a fingerprint and travels
inside it; an inspector who has the site's fingerprint (from ``rescue-signals key --export``, handed over in
person or on paper) can then tell that a report was made by that site and not changed since.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rescue_signals.errors import SignatureError, UsageError
from rescue_signals.resources import user_data_dir

KEY_VAR = "RESCUE_SIGNALS_KEY"
"""Environment variable naming the site key file (overrides ``site-key.json`` in the user's data folder)."""

KEY_FILE = "site-key.json"
TRUSTED_FILE = "trusted-keys.txt"
"""In the user's data folder: fingerprints or exported keys the inspector trusts, one a line."""

SIGNATURE_BYTES = 64
FINGERPRINT_MIN_HEX = 32
"""A fingerprint given to ``--trust`` may be shortened to its first 32 hex digits (128 bits), no fewer."""

_HEX = re.compile(r"[0-9a-f]+")


def key_path() -> Path:
    """``$RESCUE_SIGNALS_KEY``, or ``site-key.json`` in the user's data folder."""
    env = os.environ.get(KEY_VAR)
    return Path(env).expanduser() if env else user_data_dir() / KEY_FILE


def fingerprint(public_raw: bytes) -> str:
    """The SHA-256 of a raw 32-byte Ed25519 public key, as 16 groups of 4 hex digits (``8f3a:1c2d:…``)."""
    digest = hashlib.sha256(public_raw).hexdigest()
    return ":".join(digest[i:i + 4] for i in range(0, 64, 4))


def plain_fingerprint(text: str) -> str | None:
    """The hex digits of a fingerprint as typed (any case, with or without ``:``, spaces or dashes), or None if
    it is not one (too short, or not hex)."""
    digits = re.sub(r"[\s:\-]", "", text.strip().lower()).removeprefix("sha256")
    if not FINGERPRINT_MIN_HEX <= len(digits) <= 64 or not _HEX.fullmatch(digits):
        return None
    return digits


@dataclass(frozen=True)
class PublicKey:
    """A site's public key and the name it signs with."""

    site: str
    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    @property
    def base64(self) -> str:
        return base64.b64encode(self.raw).decode()

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True if ``signature`` is this key's Ed25519 signature of ``data``."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def export_text(self) -> str:
        """The key as handed to an inspector (a trusted-keys file may hold several of these)."""
        return (f"# rescue-signals training site key\nsite: {self.site}\nfingerprint: {self.fingerprint}\n"
                f"public-key: ed25519:{self.base64}\n")


@dataclass(frozen=True)
class SiteKey:
    """The site's private signing key, its name and where it is kept."""

    site: str
    path: Path
    private_raw: bytes
    created_at: str

    @property
    def public(self) -> PublicKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        private = Ed25519PrivateKey.from_private_bytes(self.private_raw)
        return PublicKey(self.site, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, data: bytes) -> bytes:
        """The Ed25519 signature (64 bytes) of ``data``."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.private_raw).sign(data)


def load_site_key(path: Path | None = None) -> SiteKey | None:
    """The site key kept at ``path`` (default :func:`key_path`), or None if there is none yet.

    Raises
    ------
    SignatureError
        The file can be read by other users, or is not a site key.
    """
    p = path or key_path()
    try:
        info = p.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SignatureError(f"{p}: cannot read the site key: {exc.strerror}") from None
    if info.st_mode & 0o077:
        raise SignatureError(f"{p}: the site key can be read by other users (mode {stat.S_IMODE(info.st_mode):o}); "
                             f"make it private: chmod 600 {p}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        raw = base64.b64decode(data["private_key"], validate=True)
        if len(raw) != 32:
            raise ValueError("not 32 bytes")
        return SiteKey(str(data["site"]), p, raw, str(data.get("created_at", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"{p}: not a rescue-signals site key ({exc})") from None


def site_key(*, site: str | None = None, path: Path | None = None, now: datetime | None = None) \
        -> tuple[SiteKey, bool]:
    """The site key, created on first use; renamed to ``site`` if one is given.

    Returns
    -------
    key : SiteKey
    created : bool
        True when the key was made now (the caller should tell the user, and how to export it).
    """
    p = path or key_path()
    key = load_site_key(p)
    if key is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        key = SiteKey(_site_name(site or socket.gethostname()), p, raw, when)
        _write_private(p, key, new=True)
        return key, True
    if site is not None and _site_name(site) != key.site:
        key = SiteKey(_site_name(site), p, key.private_raw, key.created_at)
        _write_private(p, key, new=False)
    return key, False


def _site_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise UsageError("the training site needs a name (--site NAME)")
    return cleaned


def _write_private(p: Path, key: SiteKey, *, new: bool) -> None:
    body = json.dumps({"format": 1, "site": key.site, "created_at": key.created_at,
                       "private_key": base64.b64encode(key.private_raw).decode(),
                       "public_key": key.public.base64}, ensure_ascii=False, indent=1) + "\n"
    tmp = p.with_name(p.name + ".part")
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if tmp.exists():
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        if new and p.exists():  # another program made one meanwhile: keep theirs
            tmp.unlink()
            return
        os.replace(tmp, p)
    except OSError as exc:
        raise SignatureError(f"{p}: cannot write the site key: {exc.strerror}") from None


# -- trust ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trusted:
    """A fingerprint the inspector trusts and why (``"this site's own key"``, ``"--trust"``, a file's name)."""

    digits: str  # hex, FINGERPRINT_MIN_HEX to 64 digits
    source: str

    def matches(self, key: PublicKey) -> bool:
        return key.fingerprint.replace(":", "").startswith(self.digits)


def read_trusted_file(path: Path) -> list[Trusted]:
    """The fingerprints in a trusted-keys file: exported keys (``public-key: ed25519:…``), ``fingerprint: …``
    lines or bare fingerprints; ``#`` starts a comment.

    Raises
    ------
    UsageError
        The file cannot be read, or holds a line that is none of these.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the trusted keys: {exc}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("site:"):
            continue
        name, _, value = line.partition(":") if line.startswith(("public-key:", "fingerprint:")) else ("", "", line)
        if name == "public-key":
            try:
                raw = base64.b64decode(value.strip().removeprefix("ed25519:"), validate=True)
            except ValueError:
                raw = b""
            if len(raw) != 32:
                raise UsageError(f"{path}:{number}: not an Ed25519 public key")
            found.append(Trusted(fingerprint(raw).replace(":", ""), str(path)))
            continue
        digits = plain_fingerprint(value)
        if digits is None:
            raise UsageError(f"{path}:{number}: not a key fingerprint (16 groups of 4 hex digits, as "
                             "`rescue-signals key --export` prints)")
        found.append(Trusted(digits, str(path)))
    return found


def trusted_keys(given: list[str], *, own: SiteKey | None) -> list[Trusted]:
    """What the inspector trusts: this site's own key, each ``--trust`` (a fingerprint or a trusted-keys file),
    and the trusted-keys file in the user's data folder if there is one.

    Raises
    ------
    UsageError
        A ``--trust`` value is neither a fingerprint nor a readable file of them.
    """
    out = [Trusted(own.public.fingerprint.replace(":", ""), "this site's own key")] if own else []
    for value in given:
        digits = plain_fingerprint(value)
        if digits is not None:
            out.append(Trusted(digits, "--trust"))
        elif Path(value).is_file():
            out += read_trusted_file(Path(value))
        else:
            raise UsageError(f"--trust {value}: neither a key fingerprint (at least {FINGERPRINT_MIN_HEX} hex "
                             "digits) nor a file of trusted keys")
    default = user_data_dir() / TRUSTED_FILE
    if default.is_file():
        out += read_trusted_file(default)
    return out
