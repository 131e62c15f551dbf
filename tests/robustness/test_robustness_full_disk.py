"""A full disk: the records say so (not "disk I/O error"), and a report is written whole or not at all.

A real full file system: a 256 KiB tmpfs, filled up (mounting needs root, as the test machines run)."""
import os
import subprocess

import pytest

from tests.drill.conftest import clock  # noqa: F401  (the records file needs its clock)
from tests.drill.test_drill_reports import records_file  # noqa: F401  (the crew of three)


@pytest.fixture
def full_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        try:
            with open(mount / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:  # no space left: that is the point
            pass
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_records_on_a_full_disk_say_the_disk_is_full(full_disk, bounded):
    run = bounded("drill", "first-lesson", "--trainee", "Li", "--silent", "--db", full_disk / "r.sqlite3")
    run.assert_clean_error("the disk is full")
    assert "disk I/O error" not in run.err


def test_a_report_on_a_full_disk_leaves_no_empty_file(full_disk, bounded, records_file):  # noqa: F811
    target = full_disk / "crew.pdf"
    run = bounded("report", "--crew", "一班", "-o", target, "--db", records_file)
    run.assert_clean_error(f"{target}: cannot write the report: the disk is full (nothing was written)")
    assert not target.exists() and not [p for p in full_disk.iterdir() if p.name != "filler"]
