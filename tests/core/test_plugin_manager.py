"""Hooks are called through pluggy, so tryfirst/trylast and wrappers behave
as pluggy documents; what a plugin answers in the wrong shape, or raises, is
that plugin's recorded failure and the hub runs on."""

from __future__ import annotations

from typing import Any

from hub import Siren, hookimpl
from hub.core.plugins import PluginManager


class Answers:
    """A plugin answering `sigap_config_schema` with one key named after it."""

    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def sigap_config_schema(self, hub: Any) -> Any:
        return {self.name: dict}


class First(Answers):
    @hookimpl(tryfirst=True)
    def sigap_config_schema(self, hub: Any) -> Any:
        return {self.name: dict}


class Last(Answers):
    @hookimpl(trylast=True)
    def sigap_config_schema(self, hub: Any) -> Any:
        return {self.name: dict}


def _manager(*plugins: Any) -> PluginManager:
    manager = PluginManager(list(plugins), autoload=False)
    manager.load()
    return manager


def _names(answers: list[tuple[str, Any]]) -> list[str]:
    return [plugin for plugin, _ in answers]


def test_hooks_run_in_load_order_and_tryfirst_trylast_move_them():
    plain = _manager(Answers("a"), Answers("b"))
    assert _names(plain.call("sigap_config_schema", hub=None))[-2:] == ["a", "b"]

    moved = _manager(Last("late"), Answers("a"), First("early"), Answers("b"))
    ours = {"late", "a", "early", "b"}  # the core's rooms answer this hook too
    names = [n for n in _names(moved.call("sigap_config_schema", hub=None)) if n in ours]
    assert names == ["early", "a", "b", "late"]


class NewStyleWrapper:
    name = "wrapper"

    @hookimpl(wrapper=True)
    def sigap_config_schema(self, hub: Any) -> Any:
        results = yield
        return [*results, {"wrapped": dict}]


class OldStyleWrapper:
    name = "old_wrapper"

    @hookimpl(hookwrapper=True)
    def sigap_config_schema(self, hub: Any) -> Any:
        outcome = yield
        outcome.force_result([r for r in outcome.get_result() if "secret_key" not in r])


def test_a_wrapper_sees_and_changes_the_results():
    manager = _manager(Answers("a"), NewStyleWrapper())
    answers = dict(manager.call("sigap_config_schema", hub=None))
    assert answers["wrapper"] == {"wrapped": dict}  # the wrapper's result, credited to it
    assert answers["a"] == {"a": dict}
    assert all(not callable(value) for value in answers.values())  # never a generator


def test_an_old_style_hookwrapper_can_replace_the_result():
    manager = _manager(Answers("a"), Answers("secret_key"), OldStyleWrapper())
    answers = manager.call("sigap_config_schema", hub=None)
    assert "secret_key" not in _names(answers)
    assert "a" in _names(answers)


class Raises:
    name = "broken"

    @hookimpl
    def sigap_config_schema(self, hub: Any) -> Any:
        raise RuntimeError("plugin bug")


class WrapperRaises:
    name = "broken_wrapper"

    @hookimpl(wrapper=True)
    def sigap_config_schema(self, hub: Any) -> Any:
        raise RuntimeError("before yield")
        yield  # pragma: no cover


def test_an_implementation_or_wrapper_that_raises_is_recorded_and_the_rest_answer():
    manager = _manager(Answers("a"), Raises(), WrapperRaises(), Answers("b"))
    names = _names(manager.call("sigap_config_schema", hub=None))
    assert names[-2:] == ["a", "b"]
    failed = {(f.plugin, f.stage) for f in manager.failures}
    assert failed == {
        ("broken", "hook sigap_config_schema"),
        ("broken_wrapper", "hook sigap_config_schema"),
    }


class GoodSiren(Siren):
    platform = "good"


class Malformed:
    """Every answer in a shape the hub cannot use."""

    name = "malformed"

    @hookimpl
    def sigap_siren_platforms(self, hub: Any) -> Any:
        return [42, "a string", dict, GoodSiren]

    @hookimpl
    def sigap_door_platforms(self, hub: Any) -> Any:
        return 7  # not even a list

    @hookimpl
    def sigap_config_schema(self, hub: Any) -> Any:
        return ["a list where a mapping belongs"]

    @hookimpl
    def sigap_trigger_platforms(self, hub: Any) -> Any:
        return [object]

    @hookimpl
    def sigap_lifespan(self, hub: Any) -> Any:
        return ["not a context manager"]


async def test_a_malformed_hook_answer_is_the_plugins_failure_and_the_hub_runs(hub_factory):
    hub = await hub_factory(
        config={
            "sites": [{"id": "dinkes", "name": "Dinas Kesehatan"}],
            "siren": [{"platform": "good", "id": "yard", "site": "dinkes"}],
        },
        plugins=[Malformed()],
        expect_failures=True,
    )
    assert hub.stage == "running"
    assert hub.platforms["siren"]["good"] is GoodSiren  # the good part of the answer is kept
    assert hub.states.get("siren.yard") is not None
    stages = sorted(f.stage for f in hub.plugins.failed("malformed"))
    assert stages == [
        "hook sigap_config_schema",
        "hook sigap_door_platforms",
        "hook sigap_lifespan",
        *["hook sigap_siren_platforms"] * 3,
        "hook sigap_trigger_platforms",
    ]
    said = {f.render("en") for f in hub.plugins.failed("malformed")}
    assert (
        "malformed: failed in hook sigap_config_schema: expected a mapping of config keys"
        " to schemas, got list" in said
    )
    indonesian = {f.render("id") for f in hub.plugins.failed("malformed")}
    assert any("bukan subkelas Siren" in line for line in indonesian)
