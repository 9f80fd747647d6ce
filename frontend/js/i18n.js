// The dashboard's words come from the hub's own gettext catalogs
// (hub/locale/<lang>/LC_MESSAGES/sigap.po, the ui.* keys), served as
// /i18n/<lang>.json; times are shown in the hub's zone (WITA) through Intl.

const SAVED = "sigap.language";
const ZONE_NAMES = { "Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT" };

let words = {};
let language = "id";
let zone = "Asia/Makassar";
let languages = ["id", "en"];

export function current() {
  return language;
}

export function others() {
  return languages.filter((l) => l !== language);
}

export async function load(wanted) {
  const lang = wanted || localStorage.getItem(SAVED) || "id";
  const response = await fetch(`/i18n/${encodeURIComponent(lang)}.json`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    if (lang !== "id") return load("id");
    throw new Error(`/i18n/${lang}.json: ${response.status}`);
  }
  const body = await response.json();
  words = body.texts;
  language = body.lang;
  zone = body.time_zone || zone;
  languages = body.languages || languages;
  document.documentElement.lang = language;
  return language;
}

export async function choose(lang) {
  localStorage.setItem(SAVED, lang);
  return load(lang);
}

// t("ui.overview.sirens_on", {count: 2}): the words of a key, with {names} filled
// in; a key with plural forms picks the form for `count` (Indonesian has one).
export function t(key, values = {}) {
  let text = words[key];
  if (text === undefined) return key; // a gap shows, never breaks the page
  if (Array.isArray(text)) {
    const many = language === "en" && values.count !== 1;
    text = text[Math.min(many ? 1 : 0, text.length - 1)];
  }
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}

function formatter(options) {
  return new Intl.DateTimeFormat(language === "id" ? "id-ID" : "en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    ...options,
  });
}

// A moment (Unix seconds) as people in the building say it: "2 Des 2026 22.00.30 WITA".
export function when(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const date = new Date(Number(seconds) * 1000);
  const text = formatter({
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(date);
  return `${text.replace(",", "")} ${zoneName()}`;
}

// Only the time of day, for today's timeline: "22.00.30".
export function clock(seconds) {
  const date = new Date(Number(seconds) * 1000);
  return formatter({ hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(date);
}

export function zoneName() {
  return ZONE_NAMES[zone] || zone;
}
