// Automations: each one on or off, when it last ran and how that ended; a
// chosen one's last run step by step (the trace: trigger, conditions,
// actions, each with its time, result or error).

import { get } from "../api.js";
import { clear, h } from "../dom.js";
import { clock, t, when } from "../i18n.js";
import { errorText, section } from "../parts.js";

export async function render(main, params, _app) {
  const automations = await get("/api/automations");
  const chosen = params[0] || null;
  const list = h(
    "ul",
    { class: "automation-list", id: "automations" },
    automations.map((a) =>
      h(
        "li",
        { class: a.id === chosen ? "chosen" : "", dataset: { automation: a.id } },
        h(
          "a",
          { href: `#/automations/${encodeURIComponent(a.id)}`, "aria-current": a.id === chosen ? "true" : null },
          h("strong", { text: a.alias || a.id }),
          h("span", { class: `badge ${a.enabled ? "on" : "off"}` }, h("span", { class: "shape", "aria-hidden": "true", text: a.enabled ? "●" : "○" }), t(a.enabled ? "ui.automation.on" : "ui.automation.off")),
          h("span", { class: "where", text: a.last_triggered ? t("ui.automation.last", { time: when(a.last_triggered) }) : t("ui.automation.never") }),
          a.last_run ? h("span", { class: "muted", text: runText(a.last_run) }) : null,
        ),
      ),
    ),
  );
  if (!automations.length) list.appendChild(h("li", { class: "muted", text: t("ui.automation.none") }));
  const detail = h("div", { id: "trace" });
  clear(
    main,
    h("h1", { text: t("ui.nav.automations") }),
    h("div", { class: "queue" }, h("div", { class: "panel" }, list), h("div", { class: "panel" }, detail)),
  );
  if (!chosen) {
    detail.appendChild(h("p", { class: "muted", text: t("ui.automation.choose") }));
    return null;
  }
  try {
    drawTrace(detail, await get(`/api/automations/${encodeURIComponent(chosen)}/traces`));
  } catch (error) {
    clear(detail, h("p", { class: "notice", role: "alert", text: errorText(error) }));
  }
  return null;
}

// what a step did, in a line: the service it called and on what, the event
// it fired, or whether its condition held
function stepSummary(result) {
  const params = result.params;
  if (params?.domain) {
    const target = params.service_data?.entity_id || params.target?.entity_id || [];
    return `${params.domain}.${params.service} → ${[target].flat().join(", ") || "–"}`;
  }
  if (result.event) return t("ui.trace.fired", { event: result.event });
  if (typeof result.result === "boolean") return t(result.result ? "ui.trace.held" : "ui.trace.not_held");
  if (result.delay !== undefined) return t("ui.trace.waited", { seconds: result.delay });
  return "";
}

function runText(run) {
  const how = run.error ? t("ui.trace.failed") : t(`ui.trace.execution.${run.script_execution || "running"}`);
  return how.startsWith("ui.") ? run.script_execution || "" : how;
}

function drawTrace(detail, answer) {
  const trace = answer.traces[0];
  if (!trace) {
    clear(detail, h("h2", { text: answer.alias || answer.id }), h("p", { class: "muted", text: t("ui.trace.none") }));
    return;
  }
  // every step of every path, in the order they ran
  const steps = Object.values(trace.trace || {}).flat().sort((a, b) => a.timestamp - b.timestamp);
  clear(
    detail,
    h("h2", { text: answer.alias || answer.id }),
    h(
      "dl",
      { class: "facts" },
      h("dt", { text: t("ui.trace.started") }),
      h("dd", { text: when(trace.timestamp?.start) }),
      h("dt", { text: t("ui.trace.outcome") }),
      h("dd", { class: trace.error ? "warn" : "" }, trace.error ? h("span", { "aria-hidden": "true", text: "▲ " }) : null, trace.error ? `${t("ui.trace.failed")}: ${trace.error}` : runText(trace)),
      h("dt", { text: t("ui.trace.trigger") }),
      h("dd", { text: trace.trigger?.description || trace.trigger?.platform || trace.trigger?.event?.event_type || "–" }),
    ),
    section(
      t("ui.trace.steps"),
      h(
        "ol",
        { class: "steps", id: "trace-steps" },
        steps.map((step) =>
          h(
            "li",
            { class: step.error ? "failed" : "", dataset: { path: step.path } },
            h("code", { text: step.path }),
            " ",
            h("time", { text: clock(step.timestamp) }),
            step.error
              ? h("p", { class: "warn" }, h("span", { "aria-hidden": "true", text: "▲ " }), step.error)
              : null,
            step.result ? h("p", { class: "step-said", text: stepSummary(step.result) }) : null,
            step.result
              ? h(
                  "details",
                  {},
                  h("summary", { text: t("ui.trace.details") }),
                  h("pre", { text: JSON.stringify(step.result, null, 1) }),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}
