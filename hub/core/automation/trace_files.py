"""Traces saved to the config folder, so `sigap trace AUTOMATION` can read
the runs of a hub running in another process.

`<config>/.storage/traces/<automation id>.json` holds the automation's last
runs. The engine saves what changed every few seconds (not on every run:
a busy automation must not cost a file write per event) and at stop; the
text is made on the loop, the writing happens in a worker thread.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from .. import i18n
from ..storage import make_private_dir, write_atomic

_LOGGER = logging.getLogger("hub.automation")

TRACE_FOLDER = Path(".storage") / "traces"
SAVE_INTERVAL = 2.0


def trace_folder(config_dir: Path) -> Path:
    return Path(config_dir) / TRACE_FOLDER


def _file_name(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", item_id) + ".json"


def write_traces(folder: Path, documents: dict[str, dict[str, Any]]) -> None:
    """Write each automation's document atomically (a reader never sees half),
    private to the hub like everything in .storage (traces hold rendered data)."""
    make_private_dir(folder.parent)
    make_private_dir(folder)
    for item_id, document in documents.items():
        text = json.dumps(document, ensure_ascii=False, default=str)
        # a lone surrogate (JSON from the network may carry "\ud800") is no
        # UTF-8: written as the JSON escape it came as, read back the same
        data = text.encode("utf-8", "backslashreplace")
        write_atomic(folder / _file_name(item_id), data, durable=False)


def write_traces_quietly(
    folder: Path, documents: dict[str, dict[str, Any]], lang: str = "en"
) -> None:
    """As write_traces; a full disk costs the traces, never the automations."""
    try:
        write_traces(folder, documents)
    except OSError as err:
        _LOGGER.warning("%s", i18n.t("trace.not_saved", lang, folder=folder, error=err))


def mark_cut_off(folder: Path, lang: str = "en") -> int:
    """At start: a run the files still show `running` was cut off (the last
    hub was killed or crashed mid-run); say so in its trace. Returns how many."""
    marked = 0
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            document = json.loads(path.read_text())
            traces = [t for t in document.get("traces", ()) if t.get("state") == "running"]
        except (OSError, ValueError, AttributeError):
            continue  # not ours to repair; read_traces skips it too
        for trace in traces:
            trace["state"] = "stopped"
            trace["script_execution"] = "cut_off"
        if traces:
            marked += len(traces)
            write_traces_quietly(folder, {str(document.get("id", path.stem)): document}, lang)
    if marked:
        _LOGGER.warning("%s", i18n.t("trace.cut_off", lang, count=marked))
    return marked


def read_traces(folder: Path) -> list[dict[str, Any]]:
    """Every saved automation document: {"id", "alias", "entity_id", "traces"}."""
    documents = []
    if not folder.is_dir():
        return documents
    for path in sorted(folder.glob("*.json")):
        try:
            documents.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return documents


# -- the text `sigap trace` prints -----------------------------------------------------


def _text(plain: Any, data: Any, lang: str) -> str:
    """What a saved trace says in `lang`: its Text (`*_text`) rendered when
    the file has one and this version knows it, else the stored English (a
    file written before texts were saved, or a plugin's own words)."""
    if isinstance(data, dict):
        try:
            return i18n.Text.from_dict(data).render(lang)
        except (KeyError, IndexError, ValueError, TypeError):
            pass  # written by another version with other placeholders
    return str(plain)


def _execution(name: Any, lang: str) -> str:
    key = f"trace.execution.{name}"
    return i18n.t(key, lang) if i18n.has(key) else str(name)


def _summary(result: dict[str, Any], texts: dict[str, Any], lang: str) -> str:
    if texts:
        result = {k: _text(v, texts.get(k), lang) for k, v in result.items()}
    if "params" in result:
        params = result["params"]
        data = json.dumps(params.get("service_data"), ensure_ascii=False, default=str)
        return f"{params['domain']}.{params['service']} {data}"
    if "choice" in result:
        return f"choice: {result['choice']}"
    if "wait" in result:
        wait = result["wait"]
        if "trigger" in wait:
            trigger = wait["trigger"]
            what = trigger.get("description") if isinstance(trigger, dict) else None
            return f"wait: {what or 'timed out'} (remaining {wait.get('remaining')})"
        return f"wait: completed={wait.get('completed')} (remaining {wait.get('remaining')})"
    return ", ".join(f"{k}={v}" for k, v in result.items())


def format_document(document: dict[str, Any], lang: str, zone: Any) -> list[str]:
    """Lines for people: each run, its trigger, context chain and steps."""
    traces = document.get("traces", [])
    lines = [
        i18n.t(
            "trace.header",
            lang,
            alias=document.get("alias"),
            id=document.get("id"),
            entity_id=document.get("entity_id"),
            count=len(traces),
        )
    ]
    for trace in traces:
        started = trace["timestamp"]["start"]
        error = trace.get("error")
        error = f": {_text(error, trace.get('error_text'), lang)}" if error else ""
        lines.append("")
        lines.append(
            i18n.t(
                "trace.run",
                lang,
                run_id=trace["run_id"],
                time=i18n.format_time(started, zone, lang),
                execution=_execution(trace.get("script_execution") or trace.get("state"), lang),
                error=error,
            )
        )
        trigger = trace.get("trigger") or {}
        lines.append(i18n.t("trace.trigger", lang, what=trigger.get("description") or trigger))
        context = trace.get("context") or {}
        lines.append(
            i18n.t("trace.context", lang, id=context.get("id"), parent=context.get("parent_id"))
        )
        truncated = trace.get("truncated")
        if isinstance(truncated, dict):
            values, steps = truncated.get("values", 0), truncated.get("steps", 0)
            lines.append(i18n.t("trace.truncated", lang, values=values, steps=steps))
        steps = [step for group in trace.get("trace", {}).values() for step in group]
        for step in sorted(steps, key=lambda s: s["timestamp"]):
            offset = step["timestamp"] - started
            text = f"    +{offset * 1000:8.1f} ms  {step['path']}"
            if "result" in step:
                text += f"  {_summary(step['result'], step.get('result_text') or {}, lang)}"
            if "error" in step:
                label = i18n.t("trace.step_error", lang)
                text += f"  {label} {_text(step['error'], step.get('error_text'), lang)}"
            lines.append(text)
    return lines
