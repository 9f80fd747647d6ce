"""What the webhook trigger does with a body from anyone on the network (the
HTTP room has read it and refused what it cannot decode): one over the
trigger's `max_payload` is refused with a warning, and no body the trigger
gets, fuzzed, makes a traceback or keeps memory."""

from __future__ import annotations

import gc
import json
import logging
import tracemalloc
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import settle
from .test_webhook import WITH_HTTP

# the fuzzer posts faster than a webhook's default rate limit lets through
JSON = {"Content-Type": "application/json"}
FAST_HTTP = WITH_HTTP + "  webhook_rate_limit: 100000\n  webhook_burst: 100000\n"

AUTOMATIONS = """
- id: laporan_luar
  mode: parallel
  max: 1000
  triggers:
    - trigger: webhook
      webhook_id: laporan-luar
      max_payload: 2 KiB
  actions:
    - action: test.record
      data:
        json: "{{ trigger.json | default('') }}"
        text: "{{ trigger.data | default('') }}"
        size: "{{ (trigger.json | default(trigger.data) | default('')) | string | length }}"
"""


URL = "/api/webhook/laporan-luar"


async def test_a_body_over_max_payload_is_refused_with_a_warning(
    automation_hub, recorder, caplog, hub_client
):
    hub = await automation_hub(AUTOMATIONS, devices=WITH_HTTP, real_time=True)
    client = await hub_client(hub)
    caplog.set_level(logging.WARNING)

    async def chunked(body: bytes):
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    big = json.dumps({"isi": "x" * 3000}).encode()
    async with client.post(URL, data=big) as response:  # length announced
        assert response.status == 200
    async with client.post(URL, data=chunked(big)) as response:  # no length
        assert response.status == 200
    async with client.post(URL, json={"isi": "kecil"}) as response:
        assert response.status == 200
    call = await recorder.next()
    assert call.data["json"] == {"isi": "kecil"}
    await settle()
    assert len(recorder.calls) == 1  # the two big ones never ran
    refused = [r.getMessage() for r in caplog.records if "max_payload" in r.getMessage()]
    assert refused, caplog.text
    assert "webhook 'laporan-luar'" in refused[0] and "2048" in refused[0]
    assert f"{len(big)} bytes" in refused[0]


BODIES = st.one_of(
    st.binary(max_size=4096),
    st.text(max_size=3000).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
        lambda children: (
            st.lists(children, max_size=8)
            | st.dictionaries(st.text(max_size=10), children, max_size=8)
        ),
        max_leaves=60,
    ).map(lambda value: json.dumps(value).encode()),
    # nested deeper than any JSON parser recurses, or just long
    st.integers(1, 200_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 5000).map(lambda digits: b"1" * digits),
    st.sampled_from([b"{", b"[1,", b'"\\ud800"', b"\xff\xfe{", b"NaN", b"1e999999"]),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
    ]
)


@pytest.fixture
def fuzzed():
    """What the examples of one fuzzing run share (hypothesis calls the test
    once per example, with the same fixtures): the hub and its client, made by
    the first example, and the memory traced from the tenth on."""
    state = SimpleNamespace(hub=None, client=None, examples=0, baseline=0)
    yield state
    if tracemalloc.is_tracing():
        tracemalloc.stop()


@settings(
    max_examples=150,
    deadline=5000,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, content_type=CONTENT_TYPES)
async def test_fuzzed_bodies_never_make_a_traceback_or_keep_memory(
    automation_hub, recorder, caplog, hub_client, fuzzed, body, content_type
):
    if fuzzed.hub is None:
        fuzzed.hub = await automation_hub(AUTOMATIONS, devices=FAST_HTTP, real_time=True)
        fuzzed.client = await hub_client(fuzzed.hub)
        caplog.set_level(logging.WARNING)
    sent = len(recorder.calls)
    headers = {"Content-Type": content_type}
    async with fuzzed.client.post(URL, data=body, headers=headers) as response:
        assert response.status in (200, 400), response.status  # 400: the HTTP room's no
        taken = response.status == 200
    if taken and len(body) <= 2048:
        await recorder.next()  # every body taken within the limit runs the automation
    await settle()
    assert len(recorder.calls) <= sent + 1
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, tracebacks[0].getMessage()
    fuzzed.examples += 1
    if fuzzed.examples == 10:  # the hub has warmed up: count from here
        gc.collect()
        tracemalloc.start()
        fuzzed.baseline = tracemalloc.get_traced_memory()[0]
    elif fuzzed.examples > 10 and fuzzed.examples % 20 == 0:
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - fuzzed.baseline
        assert grown < 20 * 1024 * 1024, f"memory grew by {grown / 1e6:.1f} MB"


def test_max_payload_takes_bytes_and_units_and_says_what_is_wrong_in_both_languages():
    import voluptuous as vol

    from hub.core.automation.limits import byte_size

    assert byte_size(65536) == 65536
    assert byte_size("64 KiB") == 65536
    assert byte_size("1MiB") == 1048576
    assert byte_size("500 kb") == 500_000
    assert byte_size("1.5 MiB") == 1572864
    for wrong in (0, -5, True, "banyak", "10 GB", "", 1.5):
        with pytest.raises(vol.Invalid) as raised:
            byte_size(wrong)
        assert "65536, '64 KiB', '1 MiB'" in str(raised.value)
        assert raised.value.msg.render("id").startswith("diharapkan ukuran dalam byte")


async def test_a_hundred_posts_of_1_mb_leave_memory_where_it_was(
    automation_hub, recorder, hub_client
):
    # the finding: 100 webhook posts of 1 MB grew the hub from 155 to 673 MB,
    # each rendered payload read back as a value and kept in a cache
    automations = """
    - id: laporan_besar
      mode: queued
      max: 1000
      triggers:
        - trigger: webhook
          webhook_id: laporan-besar
          max_payload: 1 MiB
      actions:
        - action: test.record
          data:
            isi: "{{ trigger.json }}"
    """
    hub = await automation_hub(automations, devices=FAST_HTTP, real_time=True)
    client = await hub_client(hub)

    def body(n: int) -> bytes:
        return json.dumps({"n": n, "isi": f"{n:07d}" * 140_000}).encode()  # 0.98 MB

    async def post(n: int) -> None:
        async with client.post("/api/webhook/laporan-besar", data=body(n), headers=JSON) as answer:
            assert answer.status == 200
        call = await recorder.next(timeout=30)
        assert str(call.data["isi"]).startswith(f"{{'n': {n}, ")
        recorder.calls.clear()  # what the test itself would keep
        recorder._taken = 0

    for n in range(5):  # warm up: the hub's first traces, caches and buffers
        await post(n)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(5, 105):
            await post(n)
        # the recorder holds the runs' service calls until its next commit (at
        # most commit_interval of them): what stays is measured after it
        await hub.recorder.flush()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # what stays: the last runs' traces; never a copy of every payload
    assert grown < 40 * 1024 * 1024, f"memory grew by {grown / 1e6:.1f} MB"
