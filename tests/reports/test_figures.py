"""The report's arithmetic on its own: spans of known state, and the
percentile used for the time to acknowledge."""

from __future__ import annotations

import pytest

from hub.core.reports.figures import AVAILABLE, UNAVAILABLE, CameraFigures, percentile, spans
from hub.core.reports.periods import BadPeriod, period

from .feed import DAY, HOUR, WITA


def test_a_state_holds_until_the_next_one_and_unknown_time_is_left_out():
    found = spans(
        None,  # nothing recorded before the period
        [(DAY + 2 * HOUR, "idle"), (DAY + 3 * HOUR, "unavailable"), (DAY + 5 * HOUR, None)],
        DAY,
        DAY + 8 * HOUR,
    )
    # 00:00-02:00 not known; 05:00-08:00 removed (state None): not known either
    assert found == [
        (DAY + 2 * HOUR, DAY + 3 * HOUR, AVAILABLE),
        (DAY + 3 * HOUR, DAY + 5 * HOUR, UNAVAILABLE),
    ]
    camera = CameraFigures("camera.x", "X", found)
    assert (camera.known, camera.unavailable) == (3 * HOUR, 2 * HOUR)
    assert camera.share == pytest.approx(1 / 3)


def test_the_state_before_the_period_counts_from_its_start_and_like_states_merge():
    found = spans("motion", [(DAY + HOUR, "idle"), (DAY + 2 * HOUR, "idle")], DAY, DAY + 4 * HOUR)
    assert found == [(DAY, DAY + 4 * HOUR, AVAILABLE)]
    assert CameraFigures("camera.x", "X", []).share is None  # nothing known: no share


def test_percentile_is_linear_between_the_closest_ranks():
    values = [600, 60, 240, 120, 180]
    assert percentile(values, 0.5) == 180
    assert percentile(values, 0.9) == pytest.approx(456)
    assert percentile([30], 0.9) == 30
    assert percentile([], 0.5) is None
    assert percentile([10, 20], 0.5) == 15


def test_a_day_is_a_whole_day_in_wita_and_a_moment_is_that_moment():
    day = period("2026-11-20", "2026-11-20", WITA)
    assert (day.since, day.until) == (DAY, DAY + 24 * HOUR)
    moment = period("2026-11-20T06:30", "2026-11-19T23:00:00Z", WITA)
    assert (moment.since, moment.until) == (DAY + 6.5 * HOUR, DAY + 7 * HOUR)
    for since, until in (("2026-11-20", "2026-11-19"), ("2026-11-20T08:00", "2026-11-20T08:00")):
        with pytest.raises(BadPeriod, match="the period is empty"):
            period(since, until, WITA)
    with pytest.raises(BadPeriod, match="'20/11/2026' is not a date"):
        period("20/11/2026", None, WITA)
