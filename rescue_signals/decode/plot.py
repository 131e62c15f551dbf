"""A picture of a decoding: the waveform, the level with its noise floor, every knock and every group.

matplotlib is imported here only, and only when a plot is asked for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rescue_signals.decode.reading import clock_text
from rescue_signals.decode.result import DecodeResult
from rescue_signals.errors import UsageError

MAX_COLUMNS = 4000
"""The waveform and the level are reduced to at most this many columns (min/max per column)."""


def _chinese_fallback(matplotlib) -> None:
    """Let labels in Chinese fall back to the Noto Sans SC that pygame_gui ships (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("pygame_gui")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        font = Path(folder) / "data" / "NotoSansSC-Regular.otf"
        if font.is_file():
            from matplotlib import font_manager

            font_manager.fontManager.addfont(str(font))
            matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans SC"]
            return


def plot_result(result: DecodeResult, path: str | Path, *, lang: str = "en") -> Path:
    """Draw ``result`` (decoded with ``keep_trace``) to a PNG file.

    Raises
    ------
    UsageError
        The result carries no trace, or the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _chinese_fallback(matplotlib)

    trace = result.trace
    if trace is None:
        raise UsageError("this decoding kept no trace to plot; decode with keep_trace=True")
    frames = len(trace.level_db)
    step = max(1, -(-frames // MAX_COLUMNS))
    usable = (frames // step) * step
    times = (np.arange(usable // step) * step + 0.5 * step) * trace.frame_s
    lo = trace.waveform[:usable, 0].reshape(-1, step).min(axis=1)
    hi = trace.waveform[:usable, 1].reshape(-1, step).max(axis=1)
    level = trace.level_db[:usable].reshape(-1, step).max(axis=1)
    floor = trace.floor_db[:usable].reshape(-1, step).mean(axis=1)

    fig, (wave_ax, level_ax) = plt.subplots(2, 1, figsize=(14, 6), sharex=True,
                                            gridspec_kw={"height_ratios": [1, 1.3]})
    wave_ax.fill_between(times, lo, hi, color="#4a6fa5", linewidth=0)
    wave_ax.set_ylabel("waveform")
    wave_ax.set_ylim(-1.05, 1.05)
    level_ax.plot(times, level, color="#333333", linewidth=0.7, label="level after each onset (dB)")
    level_ax.plot(times, floor, color="#999999", linewidth=1.0, linestyle="--", label="noise floor (dB)")
    level_ax.set_ylabel("dB")
    level_ax.set_xlabel("time (s)")
    top = float(np.max(level)) + 8 if level.size else 0.0
    bottom = float(np.min(floor)) - 10 if floor.size else -100.0
    level_ax.set_ylim(bottom, top)
    for ax in (wave_ax, level_ax):
        for g in result.groups:
            ax.axvspan(g.start_s - 0.15, g.end_s + 0.15, color="#f2c14e", alpha=0.25, linewidth=0)
        for k in result.knocks:
            ax.axvline(k.time_s, color="#c0392b", linewidth=0.8)
    for g in result.groups:
        level_ax.text(0.5 * (g.start_s + g.end_s), top - 1, f"{g.count} · {g.signal or '?'}\n{g.confidence:.0%}",
                      ha="center", va="top", fontsize=8, clip_on=True)
    missed = [r for r in result.rejected if r.reason != "echo"]
    if missed:
        level_ax.plot([r.time_s for r in missed], [bottom + 3] * len(missed), "x", color="#555555",
                      label="not counted")
    level_ax.legend(loc="lower right", fontsize=8)
    count = sum(g.count for g in result.groups)
    fig.suptitle(f"{Path(result.file).name}: {len(result.groups)} group(s), {count} knock(s), "
                 f"{clock_text(result.duration_s)}", fontsize=11)
    fig.tight_layout()
    out = Path(path)
    try:
        fig.savefig(out, dpi=100)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the plot: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out
