// The dashboard's frame: sign-in, the header (pages, language, sign-out),
// the live stream, and a router over the address's #/page part, so each
// page can be bookmarked and the browser's Back button works.

import { ApiError, Live, get, loadAlarm, onSignedOut, post } from "./api.js";
import { clear, h } from "./dom.js";
import { choose, current, load, others, t } from "./i18n.js";
import { alarmTitle, errorText } from "./parts.js";
import * as alarms from "./pages/alarms.js";
import * as audit from "./pages/audit.js";
import * as automations from "./pages/automations.js";
import * as overview from "./pages/overview.js";
import * as signin from "./pages/signin.js";
import * as site from "./pages/site.js";
import * as timeline from "./pages/timeline.js";

const PAGES = [
  { path: "", page: overview, label: "ui.nav.overview" },
  { path: "alarms", page: alarms, label: "ui.nav.alarms" },
  { path: "site", page: site, label: null },
  { path: "timeline", page: timeline, label: "ui.nav.timeline" },
  { path: "automations", page: automations, label: "ui.nav.automations", everySite: true },
  { path: "audit", page: audit, label: "ui.nav.audit", role: "admin" },
];

const main = document.getElementById("page");
const app = { me: null, sites: [], everySite: false, live: new Live(), siteName, announce };
let leave = null; // what the page shown undoes when another replaces it

function siteName(id) {
  if (!id) return t("ui.site.none");
  return app.sites.find((s) => s.id === id)?.name || id;
}

function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  // a new node each time, so the same words said twice are read twice
  requestAnimationFrame(() => region.appendChild(h("p", { text })));
}

function allowed(entry) {
  if (entry.role && app.me.role !== entry.role) return false;
  if (entry.everySite && !app.everySite) return false;
  return true;
}

function route() {
  const [path, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const entry = PAGES.find((p) => p.path === path) || PAGES[0];
  return { entry, params: rest.map(decodeURIComponent) };
}

let shown = 0; // which show() is the latest: an older one's page is thrown away

async function show(moved = false) {
  const mine = ++shown;
  if (leave) leave();
  leave = null;
  if (!app.me) return;
  const { entry, params } = route();
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.path === entry.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!allowed(entry)) {
    clear(main, h("p", { class: "notice", role: "alert", text: t("ui.error.forbidden") }));
    return;
  }
  clear(main, h("p", { class: "loading", text: t("ui.loading") }));
  // the page is built aside and shown whole, unless another took its place meanwhile
  const view = h("div", { class: "view" });
  let undo = null;
  try {
    undo = (await entry.page.render(view, params, app)) || null;
  } catch (error) {
    clear(view, h("p", { class: "notice", role: "alert", text: errorText(error) }));
  }
  if (mine !== shown) {
    if (undo) undo();
    return;
  }
  clear(main, view);
  leave = undo;
  if (moved) {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true }); // a keyboard's next Tab starts in the new page
  }
}

function header() {
  document.getElementById("brand").textContent = t("ui.brand");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("ui.nav.label"));
  clear(
    nav,
    PAGES.filter((p) => p.label && allowed(p)).map((p) =>
      h("a", { href: `#/${p.path}`, dataset: { path: p.path }, text: t(p.label) }),
    ),
  );
  document.getElementById("person").textContent = `${app.me.name} · ${t(`ui.role.${app.me.role}`)}`;
  const other = others()[0];
  const language = document.getElementById("language");
  language.textContent = t(`ui.language.${other}`);
  language.setAttribute("lang", other);
  language.setAttribute("aria-label", t("ui.language.switch"));
  document.getElementById("signout").textContent = t("ui.signout");
  document.getElementById("skip").textContent = t("ui.skip");
  liveStatus(app.live.connected);
  document.title = t("ui.brand");
}

function liveStatus(connected) {
  const badge = document.getElementById("live");
  badge.className = connected ? "live on" : "live off";
  // shape and words as well as colour: a ring that is filled or hollow
  badge.textContent = `${connected ? "●" : "○"} ${t(connected ? "ui.live.on" : "ui.live.off")}`;
}

async function loadSites() {
  const answer = await get("/api/sites");
  app.sites = answer.sites;
  app.everySite = answer.every_site;
}

async function signedIn() {
  app.me = await get("/api/me");
  await loadSites();
  document.getElementById("top").hidden = false;
  header();
  app.live.start();
  await show();
}

async function signedOutShown() {
  shown++; // a page still loading is not shown over the sign-in
  app.me = null;
  app.live.stop();
  if (leave) leave();
  leave = null;
  document.getElementById("top").hidden = true;
  document.title = t("ui.brand");
  await signin.render(main, [], { done: signedIn });
}

async function start() {
  await load();
  app.live.listen("status", liveStatus);
  // back after a drop: the page is fetched again, so nothing missed stays missing
  app.live.listen("reconnected", () => app.me && show());
  app.live.listen("alarm", async (event) => {
    if (event.event_type !== "alarm.raised") return;
    const d = event.data;
    // the record has the title in the reader's language; the event, English
    const record = await loadAlarm(d.alarm_id);
    announce(
      t("ui.alarm.new_spoken", {
        priority: t(`ui.priority.${d.priority}`),
        title: record ? alarmTitle(record, current()) : d.title,
        site: siteName(d.site),
      }),
    );
  });
  onSignedOut(() => app.me && signedOutShown());
  document.getElementById("language").addEventListener("click", async () => {
    await choose(others()[0]);
    if (app.me) {
      await loadSites();
      header();
      await show();
    } else {
      await signedOutShown();
    }
  });
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await post("/api/auth/logout");
    } finally {
      await signedOutShown();
    }
  });
  window.addEventListener("hashchange", () => show(true));
  try {
    await signedIn();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) await signedOutShown();
    else clear(main, h("p", { class: "notice", role: "alert", text: errorText(error) }));
  }
}

start();
