"""Recorded files of every kind: soundfile and PyAV formats, any sample rate, channels, and bad input."""
import numpy as np
import pytest
import soundfile

from rescue_signals.audiofile import READ_BLOCK_FRAMES, AudioReader
from rescue_signals.decode import decode_channels, decode_file
from rescue_signals.errors import AudioFileError, UsageError


@pytest.fixture(scope="module")
def exchange(render):
    """R5 T3 on a rock face under a fan at 20 dB: about 13 s."""
    return render("R5 T3", medium="rock_hammer", noises=("fan",), snr_db=20.0, seed=5)


def counts(result):
    return [g.count for g in result.groups]


def encode_with_pyav(path, samples, sample_rate, *, codec, container, layout="mono", video=False):
    import av

    out = av.open(str(path), "w", format=container)
    stream = out.add_stream(codec, rate=sample_rate)
    stream.layout = layout
    picture = None
    if video:
        picture = out.add_stream("mpeg4", rate=25)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
    frame = av.AudioFrame.from_ndarray(np.asarray(samples, np.float32)[None, :], format="flt", layout=layout)
    frame.sample_rate = sample_rate
    for packet in stream.encode(frame):
        out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    if picture is not None:
        for _ in range(int(len(samples) / sample_rate * 25)):
            image = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            for packet in picture.encode(image):
                out.mux(packet)
        for packet in picture.encode(None):
            out.mux(packet)
    out.close()


@pytest.mark.parametrize("suffix,fmt,subtype", [(".wav", "WAV", "PCM_16"), (".flac", "FLAC", "PCM_24"),
                                                (".ogg", "OGG", "VORBIS"), (".mp3", "MP3", "MPEG_LAYER_III"),
                                                (".aiff", "AIFF", "PCM_16")])
def test_soundfile_formats_decode(tmp_path, codebook, exchange, suffix, fmt, subtype):
    path = tmp_path / f"knocks{suffix}"
    soundfile.write(path, exchange.samples, exchange.sample_rate, format=fmt, subtype=subtype)
    result = decode_file(path, codebook=codebook)
    assert counts(result) == [5, 3]
    assert result.sample_rate == exchange.sample_rate
    assert abs(result.duration_s - exchange.duration_s) < 0.2


@pytest.mark.parametrize("name,codec,container,rate,video", [
    ("phone.m4a", "aac", "mp4", 48000, False),
    ("phone.amr", "libopencore_amrnb", "amr", 8000, False),
    ("phone.3gp", "aac", "3gp", 16000, False),
    ("clip.mp4", "aac", "mp4", 44100, True),
])
def test_phone_and_video_formats_decode_through_pyav(tmp_path, codebook, render, name, codec, container, rate,
                                                     video):
    r = render("R5 T3", medium="rock_hammer", noises=("fan",), snr_db=20.0, seed=5, sample_rate=rate)
    path = tmp_path / name
    encode_with_pyav(path, r.samples, rate, codec=codec, container=container, video=video)
    result = decode_file(path, codebook=codebook)
    assert counts(result) == [5, 3]
    assert result.sample_rate == rate
    if rate < 16000:
        assert any("8000 Hz" in w.get("en") for w in result.warnings)


def test_a_video_without_sound_says_so(tmp_path):
    import av

    path = tmp_path / "silent-film.mp4"
    out = av.open(str(path), "w", format="mp4")
    picture = out.add_stream("mpeg4", rate=25)
    picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
    for _ in range(10):
        for packet in picture.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")):
            out.mux(packet)
    for packet in picture.encode(None):
        out.mux(packet)
    out.close()
    with pytest.raises(AudioFileError, match="no audio track"):
        decode_file(path, codebook=None)


def test_channels_can_be_picked_or_decoded_each(tmp_path, codebook, exchange):
    noise = (0.01 * np.random.default_rng(1).standard_normal(exchange.samples.size)).astype(np.float32)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([noise, exchange.samples], axis=1), exchange.sample_rate)
    assert counts(decode_file(path, codebook=codebook, channel=1)) == [5, 3]
    assert counts(decode_file(path, codebook=codebook, channel=0)) == []
    each = decode_channels(path, codebook=codebook)
    assert [(r.channel, counts(r)) for r in each] == [(0, []), (1, [5, 3])]
    mixed = decode_file(path, codebook=codebook)
    assert counts(mixed) == [5, 3]
    assert any("2 channels were mixed" in w.get("en") for w in mixed.warnings)
    with pytest.raises(UsageError, match="channel 3 does not exist"):
        decode_file(path, codebook=codebook, channel=2)


def test_any_sample_rate_decodes(tmp_path, codebook, render):
    for rate in (11025, 22050, 44100, 96000):
        r = render("R4 T3", medium="pipe", noises=("pump",), snr_db=20.0, sample_rate=rate)
        path = tmp_path / f"r{rate}.flac"
        soundfile.write(path, r.samples, rate)
        assert counts(decode_file(path, codebook=codebook)) == [4, 3], rate


def test_empty_and_non_audio_files_are_refused_clearly(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioFileError, match="empty"):
        decode_file(empty, codebook=None)
    text = tmp_path / "notes.wav"
    text.write_text("these are notes, not a recording\n" * 20)
    with pytest.raises(AudioFileError, match="not an audio file"):
        decode_file(text, codebook=None)
    with pytest.raises(AudioFileError, match="no such file"):
        decode_file(tmp_path / "missing.flac", codebook=None)


def test_a_truncated_file_decodes_what_is_there_and_says_so(tmp_path, codebook, exchange):
    whole = tmp_path / "whole.wav"
    soundfile.write(whole, exchange.samples, exchange.sample_rate, subtype="PCM_16")
    data = whole.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: int(len(data) * 0.55)])  # the first group (about 5 s) survives
    result = decode_file(cut, codebook=codebook)
    assert counts(result)[:1] == [5]
    assert any("incomplete" in w.get("en") for w in result.warnings)
    flac = tmp_path / "whole.flac"
    soundfile.write(flac, exchange.samples, exchange.sample_rate)
    cut_flac = tmp_path / "cut.flac"
    cut_flac.write_bytes(flac.read_bytes()[: flac.stat().st_size // 2])
    result = decode_file(cut_flac, codebook=codebook)
    assert any("incomplete" in w.get("en") for w in result.warnings)
    assert result.duration_s < exchange.duration_s


def test_silence_noise_clipping_and_dc_offset(tmp_path, codebook, exchange):
    rate = exchange.sample_rate
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(rate * 5, np.float32), rate)
    result = decode_file(silent, codebook=codebook)
    assert counts(result) == [] and {w.get("en") for w in result.warnings} >= {"no knocks found"}
    noise = tmp_path / "noise.wav"
    soundfile.write(noise, (0.1 * np.random.default_rng(2).standard_normal(rate * 30)).astype(np.float32), rate)
    assert counts(decode_file(noise, codebook=codebook)) == []
    loud = tmp_path / "clipped.wav"
    soundfile.write(loud, np.clip(exchange.samples * 20, -1, 1), rate)
    result = decode_file(loud, codebook=codebook)
    assert counts(result) == [5, 3]
    assert any("clipped" in w.get("en") for w in result.warnings)
    offset = tmp_path / "offset.wav"
    soundfile.write(offset, exchange.samples * 0.5 + 0.3, rate)
    result = decode_file(offset, codebook=codebook)
    assert counts(result) == [5, 3]
    assert any("DC offset" in w.get("en") for w in result.warnings)


def test_files_are_read_in_bounded_blocks(tmp_path, exchange):
    path = tmp_path / "long.wav"
    soundfile.write(path, np.tile(exchange.samples, 4), exchange.sample_rate)
    with AudioReader(path) as reader:
        sizes = [len(block) for block in reader.blocks()]
    assert max(sizes) <= READ_BLOCK_FRAMES
    assert sum(sizes) == exchange.samples.size * 4
