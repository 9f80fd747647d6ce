"""A schema-driven fuzz run (schemathesis) of GET /api/openapi.json against
the hub that serves it: whatever the document allows a caller to send, as
an admin with a session (the widest reach) or staff of one site (the
refusals), no route answers a 5xx and
nothing is logged at ERROR or with a traceback. Bounded: a fixed number of
examples, one hub. Sign-in and sign-out are left out: the first costs an
argon2 check a try (its own tests fuzz its body), the second would end the
session the run rides on."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .api_hub import api_hub  # noqa: F401
from .auth_hub import auth_hub  # noqa: F401

LEFT_OUT = {("POST", "/api/auth/login"), ("POST", "/api/auth/logout")}


class _Alarming(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def fuzzed() -> SimpleNamespace:
    """What the examples of one run share: the hub, its admin and the
    strategy of cases, made by the first example."""
    return SimpleNamespace(api=None, admin=None, cases=None, statuses=set())


async def _start(api_hub: Any, fuzzed: SimpleNamespace, role: str) -> None:  # noqa: F811
    if fuzzed.api is None:
        fuzzed.api = await api_hub()
    fuzzed.admin = await fuzzed.api.served.as_role(role)
    document = await (await fuzzed.admin.request("GET", "/api/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    results = list(schema.get_all_operations())
    broken = [r.err() for r in results if not hasattr(r, "ok")]
    assert not broken, broken
    operations = [result.ok() for result in results]
    fuzzed.cases = st.one_of(
        [op.as_strategy() for op in operations if (op.method.upper(), op.path) not in LEFT_OUT]
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
@pytest.mark.parametrize("role", ["admin", "staff_b"])
async def test_no_route_answers_a_5xx_to_what_its_document_allows(api_hub, fuzzed, role, data):  # noqa: F811
    if fuzzed.cases is None:
        await _start(api_hub, fuzzed, role)
    case = data.draw(fuzzed.cases)
    kwargs = case.as_transport_kwargs(base_url="")
    headers = {
        k: v
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in ("cookie", "authorization")
    }
    alarming = _Alarming()
    root = logging.getLogger()
    root.addHandler(alarming)
    try:
        response = await fuzzed.admin.client.request(
            kwargs["method"],
            kwargs["url"],
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            headers={**fuzzed.admin._headers(kwargs["method"], None), **headers},
        )
        await response.read()
    finally:
        root.removeHandler(alarming)
    fuzzed.statuses.add(response.status)
    assert response.status < 500, (case.method, case.formatted_path, case.query, case.body)
    assert not alarming.records, [r.getMessage() for r in alarming.records]
