// The audit trail, for admins (the auditors): who saw, acknowledged,
// controlled or was refused what, and when, filtered by person, site,
// entity, alarm and day.

import { get, query } from "../api.js";
import { clear, h } from "../dom.js";
import { t, when } from "../i18n.js";
import { errorText } from "../parts.js";

export async function render(main, _params, app) {
  const body = h("tbody", { id: "audit-rows" });
  const fields = {
    person: h("input", { id: "audit-person", name: "person" }),
    site: h("select", { id: "audit-site", name: "site" }, h("option", { value: "", text: t("ui.filter.all_sites") }), app.sites.map((s) => h("option", { value: s.id, text: s.name }))),
    entity_id: h("input", { id: "audit-entity", name: "entity_id" }),
    alarm_id: h("input", { id: "audit-alarm", name: "alarm_id" }),
    day: h("input", { id: "audit-day", name: "day", type: "date" }),
  };
  const said = h("p", { role: "status", class: "said" });

  async function reload() {
    const given = Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value.trim()]));
    const range = {};
    if (given.day) {
      // the day in WITA (UTC+8, no summer time), as the operator means it
      range.since = Date.parse(`${given.day}T00:00:00+08:00`) / 1000;
      range.until = range.since + 86400;
    }
    delete given.day;
    said.textContent = "";
    let rows;
    try {
      rows = await get(`/api/audit${query({ ...given, ...range, limit: 500 })}`);
    } catch (error) {
      said.textContent = errorText(error);
      return;
    }
    rows.reverse(); // the newest first
    clear(
      body,
      rows.map((row) =>
        h(
          "tr",
          { dataset: { action: row.action || "" } },
          h("td", { text: when(row.time) }),
          h("td", { text: row.who || "–" }),
          h("td", { text: actionText(row.action) }),
          h("td", { text: row.entity_id || "–" }),
          h("td", { text: row.site ? app.siteName(row.site) : "–" }),
          h("td", { text: [row.reason, row.alarm_id].filter(Boolean).join(" · ") || "–" }),
        ),
      ),
    );
    if (!rows.length) body.appendChild(h("tr", {}, h("td", { colspan: 6, class: "muted", text: t("ui.audit.empty") })));
  }

  const form = h(
    "form",
    { class: "filters" },
    h("label", {}, t("ui.audit.person"), fields.person),
    h("label", {}, t("ui.filter.site"), fields.site),
    h("label", {}, t("ui.audit.entity"), fields.entity_id),
    h("label", {}, t("ui.audit.alarm"), fields.alarm_id),
    h("label", {}, t("ui.audit.day"), fields.day),
    h("button", { type: "submit", class: "primary", text: t("ui.filter.apply") }),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    reload();
  });
  const head = ["time", "who", "action", "entity", "site", "why"].map((c) => h("th", { scope: "col", text: t(`ui.audit.col.${c}`) }));
  clear(
    main,
    h("h1", { text: t("ui.nav.audit") }),
    form,
    said,
    h("div", { class: "panel scroll" }, h("table", { class: "audit" }, h("caption", { class: "sr-only", text: t("ui.nav.audit") }), h("thead", {}, h("tr", {}, head)), body)),
  );
  await reload();
  return null;
}

function actionText(action) {
  const key = `ui.audit.action.${action}`;
  const said = t(key);
  return said === key ? action || "–" : said;
}
