"""The back-off between tries after a 5xx or a time-out: doubling from 1 s
up to 300 s, each wait jittered between half and all of it, so messages
that failed together do not all come back in the same second."""

from __future__ import annotations

import random

from hub.core.pacing import backoff


def test_the_wait_doubles_up_to_the_cap_within_its_jitter() -> None:
    for failures, full in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (9, 256.0), (12, 300.0)):
        waits = [backoff(failures) for _ in range(200)]
        assert all(full / 2 <= w <= full for w in waits), (failures, min(waits), max(waits))


def test_messages_that_failed_together_come_back_spread_out() -> None:
    random.seed(12)
    waits = [backoff(5) for _ in range(100)]  # 100 messages, each at its 5th failure: 8-16 s
    seconds = {int(w) for w in waits}
    assert len(seconds) >= 6  # spread over the 8 s of jitter, not one herd
    assert max(waits) - min(waits) >= 5.0
