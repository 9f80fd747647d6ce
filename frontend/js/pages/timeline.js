// The event timeline: the last 500 events the recorder kept for this
// person's sites (GET /api/events), then each new one as it comes over the
// live stream, newest first, filtered by site, kind of event and words.

import { get } from "../api.js";
import { clear, h } from "../dom.js";
import { t, when } from "../i18n.js";

const SHOWN = 500;

// one event seen both in the recorder and on the live stream is shown once
const same = (e) => `${e.event_type} ${e.time_fired} ${e.context?.id || ""}`;

const KINDS = ["camera", "door", "siren", "device", "alarm", "other"];

function kindOf(event) {
  const head = event.event_type.split(".")[0];
  return KINDS.includes(head) ? head : "other";
}

function eventText(event) {
  const key = `ui.event.${event.event_type}`;
  const said = t(key);
  return said === key ? event.event_type : said;
}

export async function render(main, _params, app) {
  const filters = { site: "", kind: "", words: "" };
  const list = h("ol", { class: "timeline", id: "timeline", "aria-live": "polite", "aria-relevant": "additions" });

  function matches(event) {
    const d = event.data || {};
    if (filters.site && (event.site || d.site) !== filters.site) return false;
    if (filters.kind && kindOf(event) !== filters.kind) return false;
    if (filters.words) {
      const hay = `${event.event_type} ${d.entity_id || ""} ${d.title || ""} ${d.who || ""}`.toLowerCase();
      if (!hay.includes(filters.words.toLowerCase())) return false;
    }
    return true;
  }

  function row(event) {
    const d = event.data || {};
    return h(
      "li",
      { class: `kind-${kindOf(event)}`, dataset: { type: event.event_type } },
      h("time", { text: when(event.time_fired) }),
      h("strong", { text: eventText(event) }),
      h("span", { text: [d.entity_id, d.title, d.site && app.siteName(d.site), d.who && t("ui.alarm.by", { who: d.who })].filter(Boolean).join(" · ") }),
    );
  }

  let past = [];
  try {
    past = (await get(`/api/events?limit=${SHOWN}`)).reverse(); // newest first
  } catch {
    past = []; // the recorder away: the live stream still shows what comes
  }

  function all() {
    const seen = new Set();
    const merged = [...app.live.recent, ...past].filter((e) => {
      const key = same(e);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    merged.sort((a, b) => b.time_fired - a.time_fired);
    return merged.slice(0, SHOWN);
  }

  function draw() {
    const shown = all().filter(matches);
    clear(list, shown.map(row));
    if (!shown.length) list.appendChild(h("li", { class: "muted", text: t("ui.timeline.empty") }));
  }

  const site = h("select", { id: "timeline-site" }, h("option", { value: "", text: t("ui.filter.all_sites") }), app.sites.map((s) => h("option", { value: s.id, text: s.name })));
  const kind = h("select", { id: "timeline-kind" }, h("option", { value: "", text: t("ui.timeline.all_kinds") }), KINDS.map((k) => h("option", { value: k, text: t(`ui.timeline.kind.${k}`) })));
  const words = h("input", { id: "timeline-words", type: "search" });
  site.addEventListener("change", () => { filters.site = site.value; draw(); });
  kind.addEventListener("change", () => { filters.kind = kind.value; draw(); });
  words.addEventListener("input", () => { filters.words = words.value.trim(); draw(); });
  clear(
    main,
    h("h1", { text: t("ui.nav.timeline") }),
    h("p", { class: "muted", text: t("ui.timeline.intro") }),
    h(
      "form",
      { class: "filters", onsubmit: (e) => e.preventDefault() },
      h("label", {}, t("ui.filter.site"), site),
      h("label", {}, t("ui.timeline.kind"), kind),
      h("label", {}, t("ui.timeline.words"), words),
    ),
    h("div", { class: "panel" }, list),
  );
  draw();
  return app.live.listen("any", (event) => {
    if (event.event_type === "state_changed" || !matches(event)) return;
    list.querySelector(".muted")?.remove();
    list.prepend(row(event));
    while (list.children.length > SHOWN) list.lastChild.remove();
  });
}
