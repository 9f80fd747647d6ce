"""The ffmpeg command lines the media room runs, as ffmpeg-python's stream
graph compiles them: what each must say, and where, since ffmpeg reads an
option as the input's only before `-i` (after it, `-rtsp_transport` and
`-timeout` would be the output's, and a dead camera would hang the grab)."""

from __future__ import annotations

from hub.core import ffmpeg

GLOBALS = ["-nostdin", "-loglevel", "error"]


def pairs(options: list[str]) -> dict[str, str]:
    assert len(options) % 2 == 0, options
    keys, values = options[0::2], options[1::2]
    assert all(key.startswith("-") for key in keys), options
    assert len(set(keys)) == len(keys), options  # an option said twice: which one wins?
    return dict(zip(keys, values, strict=True))


def parts(args: list[str], output: str) -> tuple[dict[str, str], str, dict[str, str], list[str]]:
    """`ffmpeg <input options> -i <input> <output options> <output> <globals>`."""
    assert args[0] == "ffmpeg"
    assert args.count("-i") == 1, args
    at = args.index("-i")
    out = args.index(output, at + 2)
    assert args.count(output) == 1, args
    return pairs(args[1:at]), args[at + 1], pairs(args[at + 2 : out]), args[out + 1 :]


def test_a_snapshot_from_rtsp_is_one_jpeg_on_stdout_over_tcp_within_the_socket_timeout():
    url = "rtsp://admin:p%40ss@10.0.0.5:554/Streaming/Channels/101"
    before, source, after, rest = parts(ffmpeg.snapshot_args(url, 2.5), "pipe:")
    assert source == url
    assert before == {
        "-rtsp_transport": "tcp",
        "-timeout": "2500000",  # microseconds: bounds the connect and every read
        "-analyzeduration": "500000",  # a short probe: a snapshot needs the codec only
        "-probesize": "65536",
    }
    assert after == {"-vframes": "1", "-f": "image2", "-vcodec": "mjpeg", "-q:v": "3"}
    assert rest == GLOBALS


def test_a_snapshot_from_http_is_bounded_by_rw_timeout_not_rtsp_options():
    url = "http://10.0.0.5/ISAPI/Streaming/channels/101/httpPreview"
    before, source, _, _ = parts(ffmpeg.snapshot_args(url, 3), "pipe:")
    assert source == url
    assert before == {"-rw_timeout": "3000000", "-analyzeduration": "500000", "-probesize": "65536"}


def test_a_clip_copies_the_video_for_its_seconds_into_an_mp4_and_overwrites_the_partial():
    url = "rtsps://10.0.0.5/live"
    partial = "/media/lobi/2026-12-02/.clip.mp4.part"
    before, source, after, rest = parts(ffmpeg.clip_args(url, 7.5, partial, 2), partial)
    assert source == url
    assert before == {"-rtsp_transport": "tcp", "-timeout": "2000000"}
    assert after == {
        "-t": "7.5",
        "-c": "copy",  # no re-encoding: the camera's own H.264
        "-map": "0:v",
        "-movflags": "+faststart",
        "-f": "mp4",  # the partial's suffix says nothing to ffmpeg
    }
    assert rest == [*GLOBALS, "-y"]


def test_the_pre_roll_ring_copies_the_video_into_wrapping_segments():
    pattern = "/media/.ring/lobi/seg%03d.ts"
    before, source, after, rest = parts(
        ffmpeg.ring_args("rtsp://10.0.0.5/live", pattern, 1.0, 12, 2), pattern
    )
    assert source == "rtsp://10.0.0.5/live"
    assert before == {"-rtsp_transport": "tcp", "-timeout": "2000000"}
    assert after == {
        "-map": "0:v",
        "-c": "copy",
        "-f": "segment",
        "-segment_time": "1.0",
        "-segment_wrap": "12",
        "-reset_timestamps": "1",
    }
    assert rest == [*GLOBALS, "-y"]


def test_a_clip_with_pre_roll_joins_the_segments_listed_without_re_encoding():
    listing, clip = "/media/.work/list.txt", "/media/lobi/.clip.mp4.part"
    before, source, after, rest = parts(ffmpeg.concat_args(listing, clip), clip)
    assert source == listing
    # `-safe 0`: the listing names the ring's files by absolute path
    assert before == {"-f": "concat", "-safe": "0"}
    assert after == {"-c": "copy", "-movflags": "+faststart", "-f": "mp4"}
    assert rest == [*GLOBALS, "-y"]
