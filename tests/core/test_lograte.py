"""The log rate limiter and the escaping of network values in log lines."""

from __future__ import annotations

import asyncio
import logging

import pytest

from hub import LogRate, i18n, shown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.WARNING, logger="test.lograte")
    return logging.getLogger("test.lograte")


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "test.lograte"]


def test_a_burst_is_one_line_then_one_line_with_the_count(log, caplog):
    clock = Clock()
    rate = LogRate(log, 60, clock=clock, language=lambda: "en")
    assert rate.log("camera.lobi", logging.WARNING, "camera.lobi: bad part 1")
    for n in range(2, 83_001):
        assert not rate.log("camera.lobi", logging.WARNING, f"camera.lobi: bad part {n}")
    assert rate.held("camera.lobi") == 82_999
    assert lines(caplog) == ["camera.lobi: bad part 1"]
    clock.now += 61  # no loop here: the count comes with the next line after the interval
    assert rate.log("camera.lobi", logging.WARNING, "camera.lobi: bad part 83001")
    assert lines(caplog) == [
        "camera.lobi: bad part 1",
        "camera.lobi: bad part 83000 (and 82999 more like it in the last 61 s)",
        "camera.lobi: bad part 83001",
    ]


def test_each_key_has_its_own_burst_and_close_writes_what_is_held(log, caplog):
    rate = LogRate(log, 60, language=lambda: "id")
    text = i18n.Text("stream.closed", what="alertStream")
    for _ in range(3):
        rate.log("camera.lobi", logging.WARNING, text)
        rate.log("camera.parkir", logging.WARNING, text)
    assert len(lines(caplog)) == 2
    rate.close()
    assert (
        lines(caplog)[2:]
        == ["alertStream: kamera menutup stream (dan 2 lagi yang serupa dalam 1 detik terakhir)"]
        * 2
    )
    assert rate.held("camera.lobi") == 0


async def test_in_a_running_hub_the_count_is_written_when_the_interval_ends(log, caplog):
    rate = LogRate(log, 0.2, language=lambda: "en")
    for n in range(50):
        rate.log("dahua", logging.WARNING, f"unreadable part {n}")
    async with asyncio.timeout(5):
        while len(lines(caplog)) < 2:  # noqa: ASYNC110 - the line is the event awaited
            await asyncio.sleep(0.05)
    assert lines(caplog) == [
        "unreadable part 0",
        "unreadable part 49 (and 49 more like it in the last 1 s)",
    ]
    # a flood that goes on is one line an interval, not two
    rate.log("dahua", logging.WARNING, "unreadable part 50")
    assert len(lines(caplog)) == 2 and rate.held("dahua") == 1
    rate.close()
    assert len(lines(caplog)) == 3


def test_a_level_that_is_off_is_not_counted(log, caplog):
    rate = LogRate(log, 60)
    assert not rate.log("x", logging.DEBUG, "nobody reads this")
    assert rate.held("x") == 0 and lines(caplog) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("VMD", "VMD"),
        ("line\r\n2026-11-28 INFO forged", "line\\r\\n2026-11-28 INFO forged"),
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("rtl\u202eabc", "rtl\\u202eabc"),
        (b"caf\xc3\xa9 \xff\x00", "café \\xff\\x00"),
        ("x" * 300, "x" * 200 + "…[300]"),
        (b"y" * 5_000_000, "y" * 200 + "…[5000000]"),
        ("\n" * 150, "\\n" * 100 + "…[150]"),
    ],
)
def test_shown_escapes_control_characters_and_caps_the_length(value, expected):
    assert shown(value) == expected
