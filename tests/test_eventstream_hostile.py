"""Hostile input to the Hikvision/Dahua event stream readers: what a broken
or malicious camera can send must not grow memory, freeze the loop or
fire an event. The parsers are also fuzzed (hypothesis, bounded)."""

from __future__ import annotations

import gc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import i18n
from hub.kit import Part, UnreadablePart
from hub.kit.eventstream import MAX_BUFFER, MultipartParser
from hub.plugins.dahua.camera import DahuaCamera
from hub.plugins.hikvision.camera import HikvisionCamera
from hub.testing.cameras import hostile
from hub.testing.cameras.vendor_streams import FakeHikvision

CHUNK = 64 * 1024
HIK_END = b"</EventNotificationAlert>"


def alert_part(event_type: str = "VMD") -> bytes:
    fake = FakeHikvision()
    return fake._part(fake.alert(event_type), "application/xml")


def flood(parser: MultipartParser, head: bytes, filler: bytes, total: int) -> int:
    """Feed `head` then `filler` up to `total` bytes; the largest buffer seen."""
    most = 0
    parser.feed(head)
    block = filler * (CHUNK // len(filler))
    for _ in range(total // len(block)):
        assert parser.feed(block) == []
        most = max(most, parser.buffered)
    return most


# -- the buffer is bounded on every path ------------------------------------------------


@pytest.mark.parametrize(
    ("head", "filler"),
    [
        pytest.param(b"--boundary", b"A", id="boundary-without-newline"),
        pytest.param(b"--boundary\r\n", b"X-Junk: 1\r\n", id="headers-that-never-end"),
        pytest.param(b"--boundary\r\nContent-Type: text", b"t", id="one-endless-header"),
        pytest.param(b"--boundary\r\n\r\n<EventNotificationAlert>", b"<a/>", id="endless-body"),
        pytest.param(
            b"--boundary\r\nContent-Length: 99999999999\r\n\r\n", b"B", id="huge-content-length"
        ),
    ],
)
def test_buffer_stays_bounded_on_every_path(head, filler):
    parser = MultipartParser("boundary", HIK_END)
    most = flood(parser, head, filler, 52 * 1024 * 1024)  # the 52 MB of the finding
    assert most <= MAX_BUFFER
    # and the stream is readable again as soon as a real part comes
    parts = parser.feed(b"\r\n" + alert_part())
    assert [HIK_END in p.body for p in parts] == [True]


def test_a_part_over_the_limit_is_dropped_and_counted():
    parser = MultipartParser("boundary", HIK_END, limit=4096)
    parser.feed(b"--boundary\r\nContent-Type: image/jpeg\r\n\r\n" + b"\xff" * 10_000)
    assert parser.buffered <= 4096 and parser.dropped == 1
    assert len(parser.feed(alert_part())) == 1


def test_a_bad_xml_part_leaves_no_garbage_for_the_collector():
    # a camera sends hundreds of bad parts a second: a reference cycle for each
    # (the parser and its handlers, an exception and its frames) made full
    # collections of tens of milliseconds
    bad = hostile.BAD_XML.partition(b"\r\n\r\n")[2]
    gc.collect()
    gc.disable()
    try:
        cut_short = b"<EventNotificationAlert><eventType>VMD</eventType><eventState>act"
        for body in (bad, hostile.ENTITY_BOMB, b"<EventNotificationAlert>\x00", cut_short):
            for _ in range(100):
                with pytest.raises(UnreadablePart):
                    HikvisionCamera.read_part(Part({}, body))
        left = gc.collect()
    finally:
        gc.enable()
    assert left == 0


# -- fuzzing (hypothesis, bounded: a few hundred small examples each) --------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT = 512

# the pieces a camera's stream is made of, and bytes that are none of them
STREAM_PIECES = st.sampled_from(
    [
        b"--boundary",
        b"--boundary--",
        b"--",
        b"\r\n",
        b"\n",
        b"\r\n\r\n",
        b"Content-Type: application/xml\r\n",
        b"Content-Length: ",
        b"Content-Length: 99999999999999999\r\n",
        b"0",
        b"17",
        b"600",
        b":",
        b"<EventNotificationAlert>",
        HIK_END,
        b"<eventType>VMD</eventType>",
        b"{",
        b"Heartbeat",
        b"\x00\xff",
        b"A" * 700,  # longer than the fuzzed limit
        b"X-Junk: 1\r\n" * 60,
    ]
)
STREAMS = st.lists(st.one_of(STREAM_PIECES, st.binary(max_size=64)), max_size=60).map(b"".join)


@FUZZ
@given(data=STREAMS, cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=12))
def test_fuzz_the_multipart_parser_never_raises_and_stays_bounded(data, cuts):
    parser = MultipartParser("boundary", HIK_END, limit=LIMIT)
    chunks, at = [], 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts}), len(data)]:
        chunks.append(data[at:cut])
        at = cut
    for chunk in chunks:
        for part in parser.feed(chunk):
            assert len(part.body) <= LIMIT
        assert parser.buffered <= LIMIT


XML_PIECES = st.sampled_from(
    [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="x-unknown"?>',
        '<?xml version="1.0" encoding="UTF-16"?>',
        "<!DOCTYPE EventNotificationAlert [",
        '<!ENTITY e "VMD">',
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
        "]>",
        "&e;",
        "&x;",
        "&#0;",
        "&#x110000;",
        '<EventNotificationAlert xmlns="http://www.hikvision.com/ver20/XMLSchema">',
        "</EventNotificationAlert>",
        "<eventType>",
        "</eventType>",
        "<channelID>",
        "</channelID>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "VMD",
        "active",
        "²",
        "9" * 5000,
    ]
)
XML_BODIES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(XML_PIECES, st.text(max_size=20)), max_size=30).map(
        lambda pieces: "".join(pieces).encode("utf-8", "surrogatepass")
    ),
)


@FUZZ
@given(body=XML_BODIES)
def test_fuzz_the_hikvision_alert_reader(body):
    try:
        reading = HikvisionCamera.read_part(Part({}, body))
    except UnreadablePart as err:
        assert isinstance(err.args[0], i18n.Text)
        return
    if reading is not None:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in reading.items())


DAHUA_PIECES = st.sampled_from(
    ["Code=", "VideoMotion", ";", "action=", "Start", "index=", "0", "12345", "²", "=",
     "\r\n", "\n", "data={", "}", "Heartbeat", "9" * 5000]
)  # fmt: skip


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.lists(st.one_of(DAHUA_PIECES, st.text(max_size=10)), max_size=40).map(
            lambda pieces: "".join(pieces).encode("utf-8", "surrogatepass")
        ),
    )
)
def test_fuzz_the_dahua_event_reader(body):
    try:
        events = DahuaCamera.read_part(Part({}, body))
    except UnreadablePart as err:
        assert isinstance(err.args[0], i18n.Text)
        return
    for event in events or []:
        assert set(event) == {"code", "action", "index"}
        assert 0 <= int(event["index"]) < 10_000


def test_a_part_bigger_than_the_limit_in_one_chunk_is_dropped():
    # found by the fuzz: one chunk brought a whole part without Content-Length
    parser = MultipartParser("boundary", HIK_END, limit=512)
    parts = parser.feed(b"--boundary\r\n\r\n<x>" + b"A" * 700 + b"\r\n--boundary\r\n")
    assert parts == [] and parser.dropped == 1
    ok = parser.feed(b"\r\n<EventNotificationAlert>VMD</EventNotificationAlert>\r\n--boundary\r\n")
    assert [p.body for p in ok] == [b"<EventNotificationAlert>VMD</EventNotificationAlert>"]
