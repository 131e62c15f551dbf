"""Files as the operating system sees them: refusing what is not a regular file (without leaving a pipe's writer
blocked), and writing a file whole or not at all.

A report or an export written straight to its name is left half written (or empty) when the disk fills up or the
program is stopped; :func:`write_whole` writes beside it and renames, so the name holds the old file or the new
one, never a broken one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def not_a_regular_file(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as a file (``"is a folder"``, ``"is a pipe (FIFO)"``, ...), or None.

    A pipe's writer waits until someone opens the pipe for reading; the pipe is opened and closed at once, so
    that writer gets an error (a broken pipe) instead of waiting for ever. A missing path gives None (the caller
    says it is missing).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        try:
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass
        return "is a pipe (FIFO), not a file: save what is written to it as a file first"
    kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else \
        "not a regular file"
    return f"is {kind}, not a file"


def write_whole(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, flushed to the disk, then renamed.

    Raises
    ------
    OSError
        The folder cannot be written or the disk is full; ``path`` is then as it was (absent, or the old file).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def disk_is_full(path: str | Path, *, room_bytes: int = 1 << 20) -> bool:
    """True when the disk holding ``path`` (or its nearest existing folder) has less than ``room_bytes`` free."""
    import shutil

    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p if p.is_dir() else p.parent).free < room_bytes
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
