// Pieces several pages show: priority and state badges (always a shape and
// words, never colour alone), device states in the reader's language, and
// buttons that call the hub and say what happened.

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export const PRIORITIES = ["critical", "high", "medium", "low"];
// a different shape per priority, so it reads without colour
const SHAPES = { critical: "◆", high: "▲", medium: "■", low: "●" };
const OPEN = ["raised", "notified", "acknowledged"];

export function isOpen(alarm) {
  return OPEN.includes(alarm.state);
}

export function priorityBadge(priority, count) {
  const label = t(`ui.priority.${priority}`);
  return h(
    "span",
    { class: `badge priority-${priority}`, dataset: { priority } },
    h("span", { class: "shape", "aria-hidden": "true", text: SHAPES[priority] || "●" }),
    count === undefined ? label : `${count} ${label}`,
  );
}

export function alarmStateBadge(state) {
  const marks = { raised: "!", notified: "✉", acknowledged: "✓", closed: "✕" };
  return h(
    "span",
    { class: `badge state-${state}`, dataset: { state } },
    h("span", { class: "shape", "aria-hidden": "true", text: marks[state] || "•" }),
    t(`ui.alarm.state.${state}`),
  );
}

export function entityName(state) {
  return state?.attributes?.friendly_name || state?.entity_id || "";
}

export function domainOf(entityId) {
  return String(entityId).split(".")[0];
}

// "terkunci" / "locked": the words for a device's state (its raw value when
// the catalog has none, so a plugin's own state still shows)
export function stateText(state) {
  const key = `ui.state.${domainOf(state.entity_id)}.${state.state}`;
  const said = t(key);
  if (said !== key) return said;
  const common = t(`ui.state.${state.state}`);
  return common === `ui.state.${state.state}` ? state.state : common;
}

export function offline(state) {
  return state.state === "unavailable" || state.attributes?.available === false;
}

export function alarmTitle(alarm, lang) {
  const title = alarm.title;
  if (title && typeof title === "object") return title[lang] || title.en || Object.values(title)[0];
  return title || alarm.alarm_id || alarm.id;
}

// words for the person, already in their language (the hub's answer, a note left empty)
export class Said extends Error {}

export function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 403 && error.code === "forbidden") return t("ui.error.forbidden");
    return error.message || t("ui.error.failed");
  }
  return error instanceof Said ? error.message : t("ui.error.failed");
}

// A button that runs `action` once at a time and puts the outcome in `said`
// (a role=status element): "Done" or the hub's own words for the refusal.
export function actionButton(label, action, said, extra = {}) {
  const button = h("button", { type: "button", ...extra, text: label });
  // busy, not disabled: a disabled button drops the keyboard's focus
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    if (said) said.textContent = "";
    try {
      await action();
      if (said) said.textContent = t("ui.done");
    } catch (error) {
      if (said) said.textContent = errorText(error);
    } finally {
      button.removeAttribute("aria-disabled");
    }
  });
  return button;
}

export function section(title, ...children) {
  return h("section", { class: "panel" }, h("h2", { text: title }), ...children);
}
