// The alarm queue: open alarms first by priority, one chosen at a time with
// its snapshots, related cameras and its history (who did what, when);
// "Terima / Acknowledge" and "Tutup / Close" with a note call the alarm
// services as the signed-in person, so the hub checks the site.

import { call, get, query, snapshotUrl } from "../api.js";
import { clear, h } from "../dom.js";
import { current, t, when } from "../i18n.js";
import {
  PRIORITIES,
  Said,
  actionButton,
  alarmStateBadge,
  alarmTitle,
  errorText,
  isOpen,
  priorityBadge,
  section,
} from "../parts.js";

export async function render(main, params, app) {
  const filters = { state: "open", site: "", priority: "" };
  const chosen = params[0] || null;
  let alarms = [];
  const list = h("ol", { class: "alarm-list", id: "alarm-list", "aria-label": t("ui.nav.alarms") });
  const detail = h("div", { class: "alarm-detail", id: "alarm-detail" });

  async function reload() {
    try {
      alarms = await get(`/api/alarms${query({ ...filters, limit: 200 })}`);
    } catch (error) {
      alarms = [];
      clear(list, h("li", { class: "notice", role: "alert", text: errorText(error) }));
      return;
    }
    alarms.sort((a, b) => (isOpen(b) - isOpen(a)) || rank(a) - rank(b) || b.raised_at - a.raised_at);
    drawList();
  }

  function drawList() {
    clear(
      list,
      alarms.map((a) =>
        h(
          "li",
          { class: a.id === chosen ? "chosen" : "", dataset: { alarm: a.id, state: a.state } },
          h(
            "a",
            {
              href: `#/alarms/${encodeURIComponent(a.id)}`,
              "aria-current": a.id === chosen ? "true" : null,
            },
            priorityBadge(a.priority),
            h("strong", { class: "title", text: alarmTitle(a, current()) }),
            h("span", { class: "where", text: `${app.siteName(a.site)} · ${when(a.raised_at)}` }),
            alarmStateBadge(a.state),
            a.count > 1 ? h("span", { class: "count", text: t("ui.alarm.times", { count: a.count }) }) : null,
          ),
        ),
      ),
    );
    if (!alarms.length) list.appendChild(h("li", { class: "muted", text: t("ui.alarms.none") }));
  }

  async function drawDetail() {
    if (!chosen) {
      clear(detail, h("p", { class: "muted", text: t("ui.alarms.choose") }));
      return;
    }
    let answer;
    try {
      answer = await get(`/api/alarms/${encodeURIComponent(chosen)}`);
    } catch (error) {
      clear(detail, h("p", { class: "notice", role: "alert", text: errorText(error) }));
      return;
    }
    const { alarm, history } = answer;
    // a keyboard inside the detail stays there: on the alarm's title once redrawn
    const hadFocus = detail.contains(document.activeElement);
    const said = h("p", { class: "said", role: "status", id: "alarm-said" });
    const note = h("textarea", { id: "close-note", rows: 3, maxlength: 2000 });
    const buttons = [];
    if (alarm.state === "raised" || alarm.state === "notified") {
      buttons.push(
        actionButton(
          t("ui.alarm.acknowledge"),
          async () => {
            const { response } = await call("alarm", "acknowledge", { alarm_id: alarm.id });
            if (response && response.acknowledged === false && response.message) {
              throw new Said(response.message);
            }
          },
          said,
          { class: "primary", id: "acknowledge" },
        ),
      );
    }
    if (isOpen(alarm)) {
      buttons.push(
        h(
          "div",
          { class: "close-form" },
          h("label", { for: "close-note", text: t("ui.alarm.close_note") }),
          note,
          actionButton(
            t("ui.alarm.close"),
            async () => {
              // closing says why: the note goes into the alarm's history
              if (!note.value.trim()) {
                note.focus();
                throw new Said(t("ui.alarm.note_needed"));
              }
              await call("alarm", "close", { alarm_id: alarm.id, note: note.value.trim() });
            },
            said,
            { id: "close" },
          ),
        ),
      );
    }
    const cameras = alarm.cameras || [];
    clear(
      detail,
      h(
        "header",
        { class: "detail-head" },
        priorityBadge(alarm.priority),
        alarmStateBadge(alarm.state),
        h("h2", { id: "alarm-title", tabindex: -1, text: alarmTitle(alarm, current()) }),
      ),
      alarm.message && alarmTitle({ title: alarm.message }, current())
        ? h("p", { class: "message", text: alarmTitle({ title: alarm.message }, current()) })
        : null,
      h(
        "dl",
        { class: "facts" },
        h("dt", { text: t("ui.alarm.site") }),
        h("dd", {}, alarm.site ? h("a", { href: `#/site/${encodeURIComponent(alarm.site)}`, text: app.siteName(alarm.site) }) : t("ui.site.none")),
        h("dt", { text: t("ui.alarm.raised_at") }),
        h("dd", { text: when(alarm.raised_at) }),
        h("dt", { text: t("ui.alarm.acknowledged_at") }),
        h("dd", { text: alarm.acknowledged_at ? when(alarm.acknowledged_at) : "–" }),
        h("dt", { text: t("ui.alarm.closed_at") }),
        h("dd", { text: alarm.closed_at ? when(alarm.closed_at) : "–" }),
        h("dt", { text: t("ui.alarm.source") }),
        h("dd", { text: [alarm.source_event, alarm.entity_id].filter(Boolean).join(" · ") || "–" }),
      ),
      h("div", { class: "actions" }, buttons),
      said,
      cameras.length
        ? section(
            t("ui.alarm.cameras"),
            h(
              "div",
              { class: "tiles" },
              cameras.map((camera) =>
                h(
                  "figure",
                  { class: "tile" },
                  h("img", {
                    src: snapshotUrl(camera, { reason: t("ui.reason.alarm"), alarmId: alarm.id }),
                    alt: t("ui.camera.snapshot_of", { camera }),
                    loading: "lazy",
                  }),
                  h(
                    "figcaption",
                    {},
                    h("a", { href: `#/site/${encodeURIComponent(alarm.site || "")}`, text: camera }),
                    " ",
                    // the hub serves the raise's picture when the alarm has one of this camera
                    h("small", { class: "snapshot-kind", text: alarm.snapshots?.[camera] ? t("ui.alarm.snapshot_at_raise") : t("ui.alarm.snapshot_latest") }),
                  ),
                ),
              ),
            ),
          )
        : null,
      section(
        t("ui.alarm.history"),
        h(
          "ol",
          { class: "history", id: "alarm-history" },
          history.map((step) =>
            h(
              "li",
              {},
              h("time", { text: when(step.at) }),
              " ",
              h("strong", { text: stepText(step.kind) }),
              " ",
              h("span", { text: t("ui.alarm.by", { who: step.who || "–" }) }),
              step.data?.note ? h("q", { text: step.data.note }) : null,
            ),
          ),
        ),
      ),
    );
    if (hadFocus) document.getElementById("alarm-title")?.focus();
  }

  const state = h("select", { id: "filter-state" }, ["open", "all", "closed"].map((v) => h("option", { value: v, text: t(`ui.alarms.filter.${v}`) })));
  const site = h("select", { id: "filter-site" }, h("option", { value: "", text: t("ui.filter.all_sites") }), app.sites.map((s) => h("option", { value: s.id, text: s.name })));
  const priority = h("select", { id: "filter-priority" }, h("option", { value: "", text: t("ui.filter.all_priorities") }), PRIORITIES.map((p) => h("option", { value: p, text: t(`ui.priority.${p}`) })));
  for (const [select, name] of [[state, "state"], [site, "site"], [priority, "priority"]]) {
    select.addEventListener("change", () => {
      filters[name] = select.value === "all" ? "" : select.value;
      reload();
    });
  }
  clear(
    main,
    h("h1", { text: t("ui.nav.alarms") }),
    h(
      "form",
      { class: "filters", onsubmit: (e) => e.preventDefault() },
      h("label", {}, t("ui.filter.state"), state),
      h("label", {}, t("ui.filter.site"), site),
      h("label", {}, t("ui.filter.priority"), priority),
    ),
    h("div", { class: "queue" }, h("div", { class: "panel" }, list), h("div", { class: "panel" }, detail)),
  );
  await reload();
  await drawDetail();
  // a change of any alarm: the queue again, and the one shown when it is that one
  const undo = app.live.listen("alarm", async (event) => {
    await reload();
    if (event.data.alarm_id === chosen) await drawDetail();
  });
  return undo;
}

function rank(alarm) {
  return PRIORITIES.indexOf(alarm.priority);
}

function stepText(kind) {
  const key = `ui.alarm.step.${kind}`;
  const said = t(key);
  return said === key ? kind : said;
}
