"""Proof that the test machine's screen and sound card are real (virtual ones from ./test.sh, or the user's own).

No mocks: sound goes out through PortAudio and comes back on the default input (the null sink's monitor),
and the window is captured from the X server, not from pygame's surface.
"""
import importlib.resources
import json
import os
import select
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

pytestmark = pytest.mark.devices

SR = 48000  # ask for it explicitly: the ALSA default device reports 44100 Hz
TEXT = "救援联络信号 5432"


def click_train(n=5, spacing_s=0.25, lead_s=0.3, tail_s=0.5, amplitude=0.5):
    """n short 3 kHz clicks (2 ms, decaying), spacing_s apart, after lead_s of silence."""
    t = np.arange(int(0.002 * SR)) / SR
    click = amplitude * np.sin(2 * np.pi * 3000 * t) * np.exp(-t / 0.0007)
    signal = np.zeros(int((lead_s + (n - 1) * spacing_s + tail_s) * SR), dtype=np.float32)
    for i in range(n):
        start = int((lead_s + i * spacing_s) * SR)
        signal[start:start + click.size] = click
    return signal, float(np.abs(click).max())


def onsets(x, threshold, refractory_s=0.05):
    """Sample indices where |x| first exceeds threshold, at most one per refractory_s."""
    found = []
    for i in np.flatnonzero(np.abs(x) > threshold):
        if not found or i - found[-1] > refractory_s * SR:
            found.append(int(i))
    return np.array(found)


def test_click_train_comes_back_on_the_default_input(artifacts_dir):
    import sounddevice as sd  # imported here: the sound server must be up first (it reads devices at import)
    import soundfile as sf

    played, peak = click_train()
    chunks, problems = [], []

    def keep(indata, frames, time_info, status):
        if status:
            problems.append(str(status))
        chunks.append(indata[:, 0].copy())

    # One InputStream running while sd.play plays: `sd.rec` followed by `sd.play` silently stops the recording.
    with sd.InputStream(samplerate=SR, channels=1, dtype="float32", callback=keep):
        time.sleep(0.2)
        sd.play(played, samplerate=SR, blocking=True)
        time.sleep(0.3)
    recorded = np.concatenate(chunks)
    sf.write(artifacts_dir / "real_audio_click_train.wav", recorded, SR)

    heard = onsets(recorded, threshold=peak / 2)
    expected = onsets(played, threshold=peak / 2)
    assert len(heard) == 5, f"expected 5 clicks, heard {len(heard)} at {heard / SR} s (stream status: {problems})"
    spacing_ms = np.diff(heard) / SR * 1000
    assert np.all(np.abs(spacing_ms - 250) <= 2), f"click spacing {spacing_ms} ms, expected 250 ms"
    assert np.allclose(spacing_ms, np.diff(expected) / SR * 1000, atol=2)
    assert np.abs(recorded).max() == pytest.approx(peak, rel=0.05), "recorded amplitude differs from what was played"
    assert np.abs(recorded[: heard[0] - int(0.01 * SR)]).max() < 0.01, "noise before the first click"


WINDOW_PROGRAM = r"""
import json, sys, pygame
font_path, text = sys.argv[1], sys.argv[2]
pygame.display.init()
pygame.font.init()
screen = pygame.display.set_mode((640, 200))
screen.fill((255, 255, 255))
rect = screen.blit(pygame.font.Font(font_path, 48).render(text, True, (0, 0, 0), (255, 255, 255)), (40, 60))
for _ in range(5):  # let the window get mapped, then draw again
    pygame.display.flip(); pygame.event.pump(); pygame.time.wait(40)
print(json.dumps({"driver": pygame.display.get_driver(), "window": pygame.display.get_wm_info()["window"],
                  "rect": list(rect)}), flush=True)
sys.stdin.readline()  # keep the window open until the test has captured it
"""


def noto_sans_sc() -> str:
    data = importlib.resources.files("pygame_gui.data")
    names = sorted(p.name for p in data.iterdir() if p.name.startswith("NotoSansSC-Regular"))
    assert names, "pygame_gui no longer ships Noto Sans SC"
    return str(data / names[0])


def glyph(font, char) -> np.ndarray:
    import pygame
    return pygame.surfarray.array_alpha(font.render(char, True, (0, 0, 0))) > 127


def same(a, b) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def test_chinese_text_in_a_real_x_window(artifacts_dir):
    import pygame
    from PIL import Image

    font_path = noto_sans_sc()
    grab = "/usr/bin/import" if os.path.exists("/usr/bin/import") else shutil.which("import")
    assert grab, "ImageMagick's `import` is missing: run scripts/install.sh as root (Debian package imagemagick)"

    # The window lives in its own process so that its SDL environment is clean: the real X11 driver, no sound.
    env = dict(os.environ, SDL_VIDEODRIVER="x11", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    child = subprocess.Popen([sys.executable, "-c", WINDOW_PROGRAM, font_path, TEXT], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    shot_path = artifacts_dir / "real_display_chinese_text.png"
    try:
        ready, _, _ = select.select([child.stdout], [], [], 30)
        line = child.stdout.readline() if ready else ""
        assert line, f"the pygame window did not open: {child.poll()=} {child.stderr.read() if child.poll() is not None else ''}"
        info = json.loads(line)
        assert info["driver"] == "x11"
        subprocess.run([grab, "-window", str(info["window"]), str(shot_path)], check=True, timeout=30)
    finally:
        try:
            child.communicate("\n", timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()

    shot = np.asarray(Image.open(shot_path).convert("RGB")).astype(int)
    assert shot.shape == (200, 640, 3), f"captured {shot.shape}, expected the 640x200 window"
    x, y, w, h = info["rect"]
    dark = shot.min(axis=2) < 100
    assert dark[y:y + h, x:x + w].mean() > 0.05, "no dark text pixels where the text was drawn"
    outside = dark.copy()
    outside[y:y + h, x:x + w] = False
    assert not outside.any(), "dark pixels outside the text rectangle"

    pygame.font.init()
    noto, default = pygame.font.Font(font_path, 48), pygame.font.Font(None, 48)
    # What X shows is exactly what the Noto font renders...
    expected = pygame.surfarray.array3d(noto.render(TEXT, True, (0, 0, 0), (255, 255, 255))).swapaxes(0, 1)
    assert expected.shape == (h, w, 3)
    assert np.abs(shot[y:y + h, x:x + w] - expected).max() <= 8, "the captured text is not the rendered text"
    # ...and those are real glyphs, not tofu: two characters differ, and they differ from the default font's box.
    assert not same(glyph(noto, "救"), glyph(noto, "援")), "Noto Sans SC draws 救 and 援 the same (tofu?)"
    assert same(glyph(default, "救"), glyph(default, "援")), "sanity: pygame's default font should draw tofu here"
    assert not same(glyph(noto, "救"), glyph(default, "救")), "Noto Sans SC draws the same box as the default font"
