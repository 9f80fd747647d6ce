// The overview: every site the person may see, at a glance from across the
// room: open alarms by priority, cameras online/offline, arming, doors and
// sirens. It follows the live stream, so nothing needs reloading.

import { get, loadAlarm, loadAlarms } from "../api.js";
import { clear, h } from "../dom.js";
import { current, t, when } from "../i18n.js";
import {
  PRIORITIES,
  alarmStateBadge,
  alarmTitle,
  domainOf,
  isOpen,
  offline,
  priorityBadge,
  stateText,
} from "../parts.js";

export async function render(main, _params, app) {
  const states = new Map((await get("/api/states")).map((s) => [s.entity_id, s]));
  const alarms = new Map((await loadAlarms()).map((a) => [a.id, a]));
  const grid = h("div", { class: "sites", id: "sites" });
  const totals = h("div", { class: "totals", id: "totals", "aria-live": "polite" });
  const newest = h("ol", { class: "alarm-list compact", id: "newest" });

  function draw() {
    const open = [...alarms.values()].filter(isOpen);
    clear(
      totals,
      h("h2", { text: t("ui.overview.open_alarms", { count: open.length }) }),
      h(
        "p",
        { class: "badges" },
        PRIORITIES.map((p) => priorityBadge(p, open.filter((a) => a.priority === p).length)),
      ),
    );
    open.sort((a, b) => rank(a) - rank(b) || b.raised_at - a.raised_at);
    clear(
      newest,
      open.slice(0, 5).map((a) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/alarms/${encodeURIComponent(a.id)}` },
            priorityBadge(a.priority),
            " ",
            h("strong", { text: alarmTitle(a, current()) }),
            ` · ${app.siteName(a.site)} · ${when(a.raised_at)} `,
            alarmStateBadge(a.state),
          ),
        ),
      ),
    );
    if (!open.length) newest.appendChild(h("li", { class: "muted", text: t("ui.alarms.none") }));
    clear(
      grid,
      app.sites.map((site) => siteCard(site, [...states.values()], open)),
    );
  }

  const undo = [
    app.live.listen("state", (event) => {
      const { entity_id: id, new_state: state } = event.data;
      if (state) states.set(id, state);
      else states.delete(id);
      draw();
    }),
    app.live.listen("alarm", (event) => {
      const d = event.data;
      const known = alarms.get(d.alarm_id) || { id: d.alarm_id, raised_at: event.time_fired };
      alarms.set(d.alarm_id, { ...known, ...d, id: d.alarm_id, title: known.title || d.title });
      draw();
      // the record has the title in both languages; the event only in English
      if (event.event_type === "alarm.raised") {
        loadAlarm(d.alarm_id).then((record) => {
          if (record) alarms.set(record.id, { ...record, state: alarms.get(record.id).state });
          draw();
        });
      }
    }),
  ];
  clear(
    main,
    h("h1", { class: "sr-only", text: t("ui.nav.overview") }),
    h("div", { class: "overview-top" }, totals, h("div", { class: "panel" }, newest)),
    grid,
  );
  draw();
  return () => undo.forEach((f) => f());
}

function rank(alarm) {
  return PRIORITIES.indexOf(alarm.priority);
}

function count(list, test) {
  return list.filter(test).length;
}

function siteCard(site, states, openAlarms) {
  const mine = states.filter((s) => s.attributes?.site === site.id);
  const of = (domain) => mine.filter((s) => domainOf(s.entity_id) === domain);
  const cameras = of("camera");
  const doors = of("door");
  const sirens = of("siren");
  const panels = of("alarm_control_panel");
  const alarms = openAlarms.filter((a) => a.site === site.id);
  const down = count(cameras, offline);
  const sounding = sirens.filter((s) => s.state === "on");
  const unlocked = doors.filter((s) => s.state !== "locked");
  const worst = PRIORITIES.find((p) => alarms.some((a) => a.priority === p));
  return h(
    "article",
    {
      class: `site-card${worst ? ` alert-${worst}` : ""}`,
      dataset: { site: site.id },
      "aria-labelledby": `site-${site.id}`,
    },
    h(
      "h2",
      { id: `site-${site.id}` },
      h("a", { href: `#/site/${encodeURIComponent(site.id)}`, text: site.name }),
    ),
    h(
      "p",
      { class: "badges" },
      alarms.length
        ? PRIORITIES.filter((p) => alarms.some((a) => a.priority === p)).map((p) =>
            priorityBadge(p, count(alarms, (a) => a.priority === p)),
          )
        : h("span", { class: "badge calm" }, h("span", { class: "shape", "aria-hidden": "true", text: "✓" }), t("ui.overview.no_alarms")),
    ),
    h(
      "dl",
      { class: "facts" },
      fact(
        t("ui.overview.cameras"),
        t("ui.overview.cameras_online", { online: cameras.length - down, total: cameras.length }),
        down ? t("ui.overview.cameras_offline", { count: down }) : null,
      ),
      fact(
        t("ui.overview.arming"),
        panels.length ? panels.map((p) => stateText(p)).join(", ") : t("ui.overview.no_panel"),
      ),
      fact(
        t("ui.overview.doors"),
        doors.length
          ? t("ui.overview.doors_locked", { locked: doors.length - unlocked.length, total: doors.length })
          : "–",
        unlocked.length ? unlocked.map((d) => stateText(d)).join(", ") : null,
      ),
      fact(
        t("ui.overview.sirens"),
        sirens.length
          ? sounding.length
            ? t("ui.overview.sirens_on", { count: sounding.length })
            : t("ui.overview.sirens_quiet")
          : "–",
        null,
        sounding.length > 0,
      ),
    ),
  );
}

function fact(term, value, warning, loud) {
  return [
    h("dt", { text: term }),
    h(
      "dd",
      { class: loud ? "warn" : "" },
      loud ? h("span", { class: "shape", "aria-hidden": "true", text: "▲ " }) : null,
      value,
      warning ? h("span", { class: "warn" }, h("span", { "aria-hidden": "true", text: " ▲ " }), warning) : null,
    ),
  ];
}
