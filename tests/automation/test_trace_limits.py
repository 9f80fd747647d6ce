"""Traces of runs fed hostile data: saved whatever they hold, never
bigger than a trace may be, and written off the event loop."""

from __future__ import annotations

from hub.core.automation.trace_files import read_traces, write_traces


def test_a_lone_surrogate_from_the_network_is_saved_and_read_back(tmp_path):
    # json.loads('"\\ud800"') is a str UTF-8 cannot encode; a caller sent it
    document = {"id": "a", "traces": [{"trigger": {"json": {"isi": "x\ud800y"}}}]}
    folder = tmp_path / ".storage" / "traces"
    write_traces(folder, {"a": document})
    assert read_traces(folder) == [document]
