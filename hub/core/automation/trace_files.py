"""The trace files of old, and the text `sigap trace` prints.

Traces live in the recorder now (`hub.recorder.traces`, table `traces`).
An older hub kept them in `<config>/.storage/traces/<automation id>.json`;
the first start of this one imports those files into the recorder and
renames each `*.json.imported` (kept, not deleted: `read_trace_files`
reads them too, for whoever wants to look).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import i18n

TRACE_FOLDER = Path(".storage") / "traces"
IMPORTED = ".imported"


def trace_folder(config_dir: Path) -> Path:
    return Path(config_dir) / TRACE_FOLDER


def read_trace_files(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(path, document) of every trace file not yet imported; a file that is
    not a document of ours is left alone."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            document = json.loads(path.read_text(errors="surrogateescape"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and isinstance(document.get("traces", []), list):
            found.append((path, document))
    return found


def mark_imported(path: Path) -> None:
    """The file's content is in the recorder: renamed, not deleted."""
    os.replace(path, path.with_name(path.name + IMPORTED))


# -- the text `sigap trace` prints -----------------------------------------------------


def _text(plain: Any, data: Any, lang: str) -> str:
    """What a saved trace says in `lang`: its Text (`*_text`) rendered when
    it has one and this version knows it, else the stored English (a trace
    saved before texts were saved, or a plugin's own words)."""
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
