"""hub.data only takes typed HubKeys."""

from __future__ import annotations

import pytest

from hub import HubKey
from hub.core.keys import HubData

CAMERAS: HubKey[list[str]] = HubKey("cameras")


def test_set_and_get_by_key() -> None:
    data = HubData()
    data[CAMERAS] = ["camera.a"]
    assert data[CAMERAS] == ["camera.a"]
    assert data.get(CAMERAS) == ["camera.a"]
    assert CAMERAS in data


def test_get_default_and_setdefault() -> None:
    data = HubData()
    assert data.get(CAMERAS) is None
    assert data.get(CAMERAS, []) == []
    value = data.setdefault(CAMERAS, ["camera.b"])
    assert value == ["camera.b"] and data[CAMERAS] is value
    assert data.setdefault(CAMERAS, ["other"]) is value
    with pytest.raises(KeyError):
        _ = HubData()[CAMERAS]


def test_keys_with_the_same_name_are_different_keys() -> None:
    # two plugins choosing the same name never overwrite each other
    data = HubData()
    theirs: HubKey[list[str]] = HubKey("cameras")
    data[CAMERAS] = ["ours"]
    data[theirs] = ["theirs"]
    assert data[CAMERAS] == ["ours"]
    assert len(data) == 2
    assert "cameras" in repr(CAMERAS)


def test_string_keys_are_refused_however_they_are_set() -> None:
    data = HubData()
    with pytest.raises(TypeError, match="HubKey"):
        data["cameras"] = []  # type: ignore[index]
    with pytest.raises(TypeError, match="HubKey"):
        data.setdefault("cameras", [])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="HubKey"):
        data.update({"cameras": []})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="HubKey"):
        data.update(cameras=[])
    with pytest.raises(TypeError, match="HubKey"):
        data |= {"cameras": []}  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="HubKey"):
        HubData({"cameras": []})  # type: ignore[dict-item]
    assert len(data) == 0


def test_update_with_keys_is_allowed() -> None:
    data = HubData()
    data.update({CAMERAS: ["a"]})
    data |= {CAMERAS: ["b"]}
    assert data[CAMERAS] == ["b"]
    assert HubData({CAMERAS: ["c"]})[CAMERAS] == ["c"]


async def test_the_hub_holds_a_hub_data(hub_factory) -> None:
    hub = await hub_factory(config={}, start=False)
    assert isinstance(hub.data, HubData)
    with pytest.raises(TypeError):
        hub.data["x"] = 1  # type: ignore[index]
