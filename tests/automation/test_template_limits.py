"""Templates fed hostile trigger data: a rendered value too long to be worth
reading back as a list stays text, the cache of values read back keeps a
bounded number of bytes, and no operator, call, filter or loop makes a
value, an output or a render time past the limits: that run fails with an
error saying which limit, the hub goes on."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc

import pytest

from hub.core.automation.templates import LITERAL_LIMIT, template_env


@pytest.fixture
async def env(hub_factory):
    hub = await hub_factory({"hub": {"id": "uji"}})
    return template_env(hub)


def render(env, source: str, **trigger):
    return env.template(source).render({"trigger": trigger})


async def test_a_long_rendered_list_stays_text_instead_of_being_parsed(env):
    payload = json.dumps(list(range(800_000)))  # 6.9 MB that reads as a list
    started = time.monotonic()
    value = render(env, "{{ trigger.payload }}", payload=payload)
    assert time.monotonic() - started < 1.0
    assert value == payload  # text: literal_eval of it held the loop for seconds
    short = json.dumps(list(range(100)))
    assert render(env, "{{ trigger.payload }}", payload=short) == list(range(100))
    at_limit = "[" + "1," * ((LITERAL_LIMIT - 3) // 2) + "1]"
    assert len(at_limit) <= LITERAL_LIMIT
    assert isinstance(render(env, "{{ trigger.payload }}", payload=at_limit), list)


async def test_the_cache_of_values_read_back_keeps_a_bounded_number_of_bytes(env):
    template = env.template("{{ trigger.payload }}")
    item = "12345678, "
    values = ["[" + item * 200 + f"{n}]" for n in range(600)]  # 2 KB each, all different
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for text in values:
            assert isinstance(template.render({"trigger": {"payload": text}}), list)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 600 lists of 201 numbers read back: kept, they are 5.5 MB
    assert kept < 2 * 1024 * 1024, f"{kept / 1e6:.1f} MB kept"
