"""The service registry: register / unregister, validated calls, clear errors."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from hub import Context, ServiceCall, ServiceNotFound, ServiceValidationError
from hub.core.services import ServiceRegistry

SIREN_SCHEMA = vol.Schema(
    {
        vol.Required("entity_id"): str,
        vol.Optional("duration", default=60): vol.All(vol.Coerce(float), vol.Range(min=1)),
    }
)


@pytest.fixture
def services() -> ServiceRegistry:
    return ServiceRegistry()


@pytest.fixture
def calls(services: ServiceRegistry) -> list[ServiceCall]:
    got: list[ServiceCall] = []

    async def turn_on(call: ServiceCall) -> dict[str, Any]:
        got.append(call)
        return {"sounding": call.data["entity_id"]}

    services.register("siren", "turn_on", turn_on, SIREN_SCHEMA)
    return got


async def test_call_runs_the_handler_with_validated_data_and_returns_its_response(
    services: ServiceRegistry, calls: list[ServiceCall]
) -> None:
    context = Context(user_id="operator")
    response = await services.call(
        "siren", "turn_on", {"entity_id": "siren.dinkes_halaman", "duration": "30"}, context
    )
    assert response == {"sounding": "siren.dinkes_halaman"}
    (call,) = calls
    assert (call.domain, call.service) == ("siren", "turn_on")
    assert call.data == {"entity_id": "siren.dinkes_halaman", "duration": 30.0}  # coerced
    assert call.context is context
    assert "siren.turn_on" in repr(call)


async def test_schema_defaults_are_applied(
    services: ServiceRegistry, calls: list[ServiceCall]
) -> None:
    await services.call("siren", "turn_on", {"entity_id": "siren.a"})
    assert calls[0].data["duration"] == 60
    assert isinstance(calls[0].context, Context)  # a fresh one when none is given


async def test_a_plain_dict_schema_is_accepted(services: ServiceRegistry) -> None:
    got: list[ServiceCall] = []

    async def handler(call: ServiceCall) -> None:
        got.append(call)

    services.register("door", "unlock", handler, {vol.Required("entity_id"): str})
    await services.call("door", "unlock", {"entity_id": "door.a"})
    with pytest.raises(ServiceValidationError):
        await services.call("door", "unlock", {"entity_id": "door.a", "extra": 1})
    assert len(got) == 1


async def test_service_without_schema_gets_the_data_as_given(services: ServiceRegistry) -> None:
    async def echo(call: ServiceCall) -> Any:
        return call.data

    services.register("test", "echo", echo)
    assert await services.call("test", "echo", {"anything": [1, 2]}) == {"anything": [1, 2]}
    assert await services.call("test", "echo") == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"entity_id": "siren.a", "duration": "lama"}, "duration: expected float"),
        ({"entity_id": "siren.a", "duration": 0}, "duration: value must be at least 1"),
        ({}, "entity_id: required key not provided"),
        ({"entity_id": "siren.a", "durasi": 5}, "durasi: extra keys not allowed"),
        (["siren.a"], "data: expected a dictionary"),
    ],
)
async def test_invalid_data_is_refused_with_service_and_key_named(
    services: ServiceRegistry, calls: list[ServiceCall], data: Any, expected: str
) -> None:
    with pytest.raises(ServiceValidationError) as info:
        await services.call("siren", "turn_on", data)
    message = str(info.value)
    assert message.startswith("invalid data for siren.turn_on: ")
    assert expected in message
    assert (info.value.domain, info.value.service) == ("siren", "turn_on")
    assert isinstance(info.value, ValueError)
    assert calls == []


async def test_every_invalid_key_is_named(services: ServiceRegistry) -> None:
    async def handler(call: ServiceCall) -> None:
        pass

    services.register(
        "notify", "send", handler, {vol.Required("message"): str, vol.Optional("title"): str}
    )
    with pytest.raises(ServiceValidationError) as info:
        await services.call("notify", "send", {"title": 5, "targets": "x"})
    message = str(info.value)
    for key in ("message", "title", "targets"):
        assert f"{key}: " in message


async def test_unknown_service_suggests_the_close_one(
    services: ServiceRegistry, calls: list[ServiceCall]
) -> None:
    with pytest.raises(ServiceNotFound) as info:
        await services.call("siren", "turn_onn", {"entity_id": "siren.a"})
    assert str(info.value) == (
        "service 'siren.turn_onn' is not registered (did you mean 'siren.turn_on'?)"
    )
    assert (info.value.domain, info.value.service) == ("siren", "turn_onn")
    assert isinstance(info.value, LookupError)


async def test_unknown_service_without_anything_close(services: ServiceRegistry) -> None:
    with pytest.raises(ServiceNotFound) as info:
        await services.call("camera", "snapshot")
    assert str(info.value) == "service 'camera.snapshot' is not registered"


async def test_unregister_removes_the_service(
    services: ServiceRegistry, calls: list[ServiceCall]
) -> None:
    async def handler(call: ServiceCall) -> str:
        return "locked"

    unregister = services.register("door", "lock", handler)
    assert services.has("door", "lock")
    assert services.names() == ["door.lock", "siren.turn_on"]
    unregister()
    assert not services.has("door", "lock")
    assert services.names() == ["siren.turn_on"]
    with pytest.raises(ServiceNotFound):
        await services.call("door", "lock")
    unregister()  # a second time is harmless
    assert services.has("siren", "turn_on")


async def test_a_stale_unregister_leaves_a_new_registration_alone(
    services: ServiceRegistry,
) -> None:
    async def old(call: ServiceCall) -> str:
        return "old"

    async def new(call: ServiceCall) -> str:
        return "new"

    unregister_old = services.register("door", "lock", old)
    unregister_old()
    services.register("door", "lock", new)
    unregister_old()
    assert await services.call("door", "lock") == "new"


def test_a_non_async_handler_is_refused(services: ServiceRegistry) -> None:
    def blocking(call: ServiceCall) -> None:
        pass

    with pytest.raises(TypeError, match=r"siren\.turn_off must be an async function"):
        services.register("siren", "turn_off", blocking)  # type: ignore[arg-type]
    assert not services.has("siren", "turn_off")


def test_duplicate_registration_is_refused(
    services: ServiceRegistry, calls: list[ServiceCall]
) -> None:
    async def another(call: ServiceCall) -> None:
        pass

    with pytest.raises(ValueError, match=r"siren\.turn_on is already registered"):
        services.register("siren", "turn_on", another)


async def test_handler_errors_reach_the_caller(services: ServiceRegistry) -> None:
    async def broken(call: ServiceCall) -> None:
        raise RuntimeError("relay stuck")

    services.register("siren", "turn_off", broken)
    with pytest.raises(RuntimeError, match="relay stuck"):
        await services.call("siren", "turn_off")


def test_schema_lookup(services: ServiceRegistry, calls: list[ServiceCall]) -> None:
    assert services.schema("siren", "turn_on") is SIREN_SCHEMA
    assert services.schema("siren", "nothing") is None


async def test_a_handler_object_with_an_async_call_is_accepted(services: ServiceRegistry) -> None:
    class Handler:
        async def __call__(self, call: ServiceCall) -> str:
            return f"handled {call.service}"

    services.register("door", "lock", Handler())
    assert await services.call("door", "lock") == "handled lock"


def test_a_handler_object_with_a_plain_call_is_refused(services: ServiceRegistry) -> None:
    class Handler:
        def __call__(self, call: ServiceCall) -> None:
            pass

    with pytest.raises(TypeError, match="must be an async function"):
        services.register("door", "lock", Handler())  # type: ignore[arg-type]
