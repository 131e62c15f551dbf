"""Running the real command as a hostile or unlucky user would, bounded in time and memory."""
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

MEMORY_LIMIT_MB = 1024
"""Address space a bad-input run may take: the defects this guards against grew to gigabytes."""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    elapsed_s: float

    def assert_clean_error(self, *words: str) -> None:
        """Exit 1, a last line ``error: …`` holding ``words``, and no traceback."""
        assert "Traceback" not in self.err and "MemoryError" not in self.err, self.err
        assert self.code == 1, (self.code, self.out, self.err)
        last = self.err.strip().splitlines()[-1] if self.err.strip() else ""
        assert last.startswith("error: "), self.err
        for w in words:
            assert w in self.err, (w, self.err)


def _limits(memory_mb: int):
    def apply():
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


@pytest.fixture
def bounded(tmp_path):
    """``bounded(*args, timeout_s=…, memory_mb=…, stdin=…)``: ``python -m rescue_signals ARGS`` in a subprocess with
    a time-out and a memory limit; the records and the site key live in the test's folder."""

    def run(*args, timeout_s: float = 60, memory_mb: int = MEMORY_LIMIT_MB, stdin: str | None = None,
            env: dict | None = None, unset: tuple[str, ...] = ()) -> Run:
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "RESCUE_SIGNALS_HOME": str(tmp_path / "home"),
                       "RESCUE_SIGNALS_DB": str(tmp_path / "home" / "records.sqlite3"), **(env or {})}
        for name in unset:
            environment.pop(name, None)
        start = time.monotonic()
        p = subprocess.run([sys.executable, "-m", "rescue_signals", *map(str, args)], capture_output=True, text=True,
                           timeout=timeout_s, preexec_fn=_limits(memory_mb), env=environment,
                           input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
        return Run(p.returncode, p.stdout, p.stderr, time.monotonic() - start)

    return run
