"""Context: ids, the parent chain, read-only."""

from __future__ import annotations

import dataclasses

import pytest

from hub import Context


def test_each_context_has_its_own_id() -> None:
    ids = {Context().id for _ in range(1000)}
    assert len(ids) == 1000


def test_child_chain_links_back_to_the_first_cause() -> None:
    camera_event = Context()
    automation_run = camera_event.child()
    siren_call = automation_run.child()

    assert automation_run.parent_id == camera_event.id
    assert siren_call.parent_id == automation_run.id
    assert len({camera_event.id, automation_run.id, siren_call.id}) == 3
    assert camera_event.parent_id is None


def test_child_keeps_the_person() -> None:
    tap = Context(user_id="sari")
    assert tap.child().user_id == "sari"
    assert Context().child().user_id is None


def test_context_is_read_only() -> None:
    context = Context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.user_id = "mallory"  # type: ignore[misc]


def test_as_dict() -> None:
    context = Context(id="abc", user_id="andi", parent_id="xyz")
    assert context.as_dict() == {
        "id": "abc",
        "user_id": "andi",
        "parent_id": "xyz",
        "actor": None,
    }
