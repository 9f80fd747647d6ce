// One site: its camera tiles (the latest snapshot, a new one on request),
// its doors (lock/unlock for those whose role controls the site), sirens,
// arming, and its open alarms. Buttons show only for those allowed; the hub
// decides again on every call.

import { call, get, liveUrl, loadAlarms, post, snapshotUrl } from "../api.js";
import { clear, h } from "../dom.js";
import { current, t, when } from "../i18n.js";
import {
  actionButton,
  alarmStateBadge,
  alarmTitle,
  domainOf,
  entityName,
  isOpen,
  offline,
  priorityBadge,
  section,
  stateText,
} from "../parts.js";

const ARMING = ["disarmed", "armed_home", "armed_night", "armed_away"];

export async function render(main, params, app) {
  const site = app.sites.find((s) => s.id === params[0]);
  if (!site) {
    clear(main, h("p", { class: "notice", role: "alert", text: t("ui.error.not_found") }));
    return null;
  }
  const may = (action) => site.may.includes(action);
  const states = new Map();
  for (const s of await get(`/api/states?site=${encodeURIComponent(site.id)}`)) states.set(s.entity_id, s);
  let alarms = (await loadAlarms()).filter((a) => a.site === site.id);
  const said = h("p", { class: "said", role: "status", id: "site-said" });
  const parts = {
    camera: h("div", { class: "tiles", id: "cameras" }),
    door: h("ul", { class: "devices", id: "doors" }),
    siren: h("ul", { class: "devices", id: "sirens" }),
    alarm_control_panel: h("div", { id: "arming" }),
    alarms: h("ol", { class: "alarm-list compact", id: "site-alarms" }),
  };
  const of = (domain) => [...states.values()].filter((s) => domainOf(s.entity_id) === domain);

  function cameraTile(camera) {
    const image = h("img", {
      alt: t("ui.camera.snapshot_of", { camera: entityName(camera) }),
      src: offline(camera) ? null : snapshotUrl(camera.entity_id, { reason: t("ui.reason.site") }),
    });
    const missing = h("p", { class: "muted no-picture", text: t("ui.camera.no_snapshot") });
    missing.hidden = !offline(camera);
    image.addEventListener("error", () => {
      image.hidden = true;
      missing.hidden = false;
    });
    image.addEventListener("load", () => {
      image.hidden = false;
      missing.hidden = true;
    });
    const refresh = h("button", {
      type: "button",
      text: t("ui.camera.refresh"),
      "aria-label": t("ui.camera.refresh_of", { camera: entityName(camera) }),
      onclick: () => {
        image.src = snapshotUrl(camera.entity_id, { reason: t("ui.reason.refresh"), fresh: true });
      },
    });
    // live on demand: the <img> plays MJPEG until the button is pressed again
    // or the page is left (its source removed: the hub then stops the stream)
    let watching = false;
    const watch = h("button", {
      type: "button",
      class: "watch",
      "aria-pressed": "false",
      text: t("ui.camera.live"),
      "aria-label": t("ui.camera.live_of", { camera: entityName(camera) }),
      onclick: () => {
        watching = !watching;
        watch.setAttribute("aria-pressed", String(watching));
        watch.textContent = t(watching ? "ui.camera.live_stop" : "ui.camera.live");
        image.dataset.live = watching ? "1" : "";
        missing.textContent = t(watching ? "ui.camera.no_live" : "ui.camera.no_snapshot");
        image.src = watching
          ? liveUrl(camera.entity_id, t("ui.reason.live"))
          : snapshotUrl(camera.entity_id, { reason: t("ui.reason.site") });
      },
    });
    const down = offline(camera);
    return h(
      "figure",
      { class: `tile${down ? " down" : ""}`, dataset: { entity: camera.entity_id } },
      image,
      missing,
      h(
        "figcaption",
        {},
        h("strong", { text: entityName(camera) }),
        h("span", { class: `badge ${down ? "off" : "on"}` }, h("span", { "aria-hidden": "true", class: "shape", text: down ? "○" : "●" }), t(down ? "ui.camera.offline" : "ui.camera.online")),
        refresh,
        down ? null : watch,
      ),
    );
  }

  function deviceRow(state, buttons) {
    return h(
      "li",
      { dataset: { entity: state.entity_id, state: state.state } },
      h("span", { class: "name", text: entityName(state) }),
      h("span", { class: `value value-${state.state}`, text: stateText(state) }),
      h("span", { class: "buttons" }, buttons),
    );
  }

  // camera tiles apart: each picture shown is an audit record, so they are
  // drawn again only when a camera goes on- or offline
  function drawCameras() {
    for (const image of parts.camera.querySelectorAll("img[data-live='1']")) image.removeAttribute("src");
    clear(parts.camera, of("camera").map(cameraTile));
    if (!of("camera").length) parts.camera.appendChild(h("p", { class: "muted", text: "–" }));
  }

  function draw() {
    // a redraw keeps the keyboard where it was: on the same button, made anew
    const focused = document.activeElement?.dataset?.key;
    drawDevices();
    if (focused) main.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  function drawDevices() {
    clear(
      parts.door,
      of("door").map((door) =>
        deviceRow(
          door,
          may("control")
            ? [
                actionButton(t("ui.door.lock"), () => call("door", "lock", { entity_id: door.entity_id }), said, { "data-key": `lock:${door.entity_id}`, "aria-label": `${t("ui.door.lock")}: ${entityName(door)}` }),
                actionButton(t("ui.door.unlock"), () => call("door", "unlock", { entity_id: door.entity_id }), said, { "data-key": `unlock:${door.entity_id}`, "aria-label": `${t("ui.door.unlock")}: ${entityName(door)}` }),
              ]
            : null,
        ),
      ),
    );
    clear(
      parts.siren,
      of("siren").map((siren) =>
        deviceRow(
          siren,
          may("control")
            ? [
                actionButton(t("ui.siren.on"), () => call("siren", "turn_on", { entity_id: siren.entity_id }), said, { "data-key": `on:${siren.entity_id}`, "aria-label": `${t("ui.siren.on")}: ${entityName(siren)}` }),
                actionButton(t("ui.siren.off"), () => call("siren", "turn_off", { entity_id: siren.entity_id }), said, { "data-key": `off:${siren.entity_id}`, "aria-label": `${t("ui.siren.off")}: ${entityName(siren)}` }),
              ]
            : null,
        ),
      ),
    );
    const panels = of("alarm_control_panel");
    clear(
      parts.alarm_control_panel,
      panels.length
        ? panels.map((panel) =>
            h(
              "div",
              { class: "arming", dataset: { entity: panel.entity_id, state: panel.state } },
              h("p", {}, h("strong", { text: entityName(panel) }), " ", h("span", { class: `value value-${panel.state}`, text: stateText(panel) })),
              may("arm")
                ? h(
                    "p",
                    { class: "buttons" },
                    ARMING.filter((m) => m !== panel.state).map((mode) =>
                      actionButton(t(`ui.arming.${mode}`), () => post(`/api/sites/${encodeURIComponent(site.id)}/arming`, { mode, entity_id: panel.entity_id }), said, { "data-key": `${mode}:${panel.entity_id}` }),
                    ),
                  )
                : null,
            ),
          )
        : h("p", { class: "muted", text: t("ui.overview.no_panel") }),
    );
    const open = alarms.filter(isOpen);
    clear(
      parts.alarms,
      open.map((a) =>
        h("li", {}, h("a", { href: `#/alarms/${encodeURIComponent(a.id)}` }, priorityBadge(a.priority), " ", h("strong", { text: alarmTitle(a, current()) }), ` · ${when(a.raised_at)} `, alarmStateBadge(a.state))),
      ),
    );
    if (!open.length) parts.alarms.appendChild(h("li", { class: "muted", text: t("ui.alarms.none") }));
  }

  const undo = [
    app.live.listen("state", (event) => {
      const { entity_id: id, new_state: state } = event.data;
      if (!states.has(id) && state?.attributes?.site !== site.id) return;
      const before = states.get(id);
      if (state) states.set(id, state);
      else states.delete(id);
      if (domainOf(id) !== "camera") draw();
      else if (!before || !state || offline(before) !== offline(state)) drawCameras();
    }),
    app.live.listen("alarm", async (event) => {
      if (event.data.site !== site.id) return;
      alarms = (await loadAlarms()).filter((a) => a.site === site.id);
      draw();
    }),
  ];
  clear(
    main,
    h("h1", { text: site.name }),
    said,
    h(
      "div",
      { class: "site-grid" },
      h("div", { class: "wide" }, section(t("ui.overview.cameras"), parts.camera)),
      section(t("ui.overview.open_alarms_site"), parts.alarms),
      section(t("ui.overview.arming"), parts.alarm_control_panel),
      section(t("ui.overview.doors"), parts.door),
      section(t("ui.overview.sirens"), parts.siren),
    ),
  );
  drawCameras();
  draw();
  return () => {
    undo.forEach((f) => f());
    // no live view outlives the page
    for (const image of parts.camera.querySelectorAll("img[data-live='1']")) image.removeAttribute("src");
  };
}
