"""Where the desk writes a crew's report: the path offered, and what a typed path means."""
from datetime import datetime
from pathlib import Path

from rescue_signals.app.roster import default_report_path, report_path


def test_the_path_offered_names_the_crew_and_the_day_and_is_safe_for_any_name(tmp_path):
    when = datetime(2026, 3, 9, 14, 30)
    assert default_report_path(tmp_path, "一班", when) == tmp_path / "一班-2026-03-09.pdf"
    assert default_report_path(tmp_path, "Night shift / B", when) == tmp_path / "Night-shift-B-2026-03-09.pdf"


def test_a_typed_folder_gets_the_offered_name_and_a_name_without_pdf_gets_it(tmp_path):
    offered = tmp_path / "reports" / "A-2026-03-09.pdf"
    assert report_path("", offered) == offered
    assert report_path(f"  {tmp_path}  ", offered) == tmp_path / "A-2026-03-09.pdf"  # an existing folder
    assert report_path(str(tmp_path / "new") + "/", offered) == tmp_path / "new" / "A-2026-03-09.pdf"
    assert report_path(str(tmp_path / "crew-a"), offered) == tmp_path / "crew-a.pdf"
    assert report_path(str(tmp_path / "crew.v2"), offered) == tmp_path / "crew.v2.pdf"
    assert report_path(str(tmp_path / "A.PDF"), offered) == tmp_path / "A.PDF"
    assert report_path("~/a.pdf", offered) == Path.home() / "a.pdf"
