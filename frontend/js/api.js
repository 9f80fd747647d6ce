// Talking to the hub: REST calls (the session cookie goes by itself; every
// write sends the CSRF token back in X-CSRF-Token) and the one WebSocket the
// dashboard keeps open (/api/websocket, docs/http.md), which streams the
// states, alarms and events the signed-in person may see.

import { current } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const signedOut = new EventTarget();
export function onSignedOut(handler) {
  signedOut.addEventListener("signed-out", handler);
}

function csrf() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("sigap_csrf="));
  return found ? decodeURIComponent(found.slice("sigap_csrf=".length)) : "";
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": current() };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrf();
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body || {});
  }
  const response = await fetch(path, init);
  const answer = response.headers.get("Content-Type")?.includes("json")
    ? await response.json()
    : null;
  if (!response.ok) {
    const error = answer?.error || {};
    if (response.status === 401 && path !== "/api/auth/login") {
      signedOut.dispatchEvent(new Event("signed-out"));
    }
    throw new ApiError(response.status, error.code || "http", error.message || response.statusText);
  }
  return answer;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);

// A service call as the signed-in person: the hub's policy decides.
export const call = (domain, service, data) => post(`/api/services/${domain}/${service}`, data);

// The query string of a filter object, without empty values.
export function query(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

// The open alarms the person may see; none where the hub has no alarm room
// or recorder running.
export async function loadAlarms() {
  try {
    return await get("/api/alarms?state=open&limit=500");
  } catch (error) {
    if (error.status === 404 || error.status === 503) return []; // no alarm room or recorder
    throw error;
  }
}

export async function loadAlarm(id) {
  try {
    return (await get(`/api/alarms/${encodeURIComponent(id)}`)).alarm;
  } catch {
    return null;
  }
}

// A camera's latest snapshot (or a new one), as an <img> source. Every view
// is an audit record on the hub with this reason (Perwali 25/2019).
export function snapshotUrl(entityId, { reason, alarmId, fresh } = {}) {
  const q = query({ reason, alarm_id: alarmId, new: fresh ? "1" : "", t: fresh ? Date.now() : "" });
  return `/api/cameras/${encodeURIComponent(entityId)}/snapshot${q}`;
}

// A camera's live view as MJPEG, which an <img> plays: the hub starts its
// ffmpeg when the first viewer comes and stops it after the last one leaves
// (every view an audit record with the reason).
export function liveUrl(entityId, reason) {
  return `/api/cameras/${encodeURIComponent(entityId)}/live${query({ reason })}`;
}

// The live stream: one socket, one subscription to everything the person
// may see; pages listen for "state", "alarm" and "event" on it. It reconnects
// by itself (1 s, 2 s, ... 30 s) and says "status" when it connects or drops,
// so the page can fetch again what it missed.
export class Live extends EventTarget {
  constructor() {
    super();
    this.socket = null;
    this.wait = 1000;
    this.connected = false;
    this.stopped = false;
    this.recent = []; // the last events since sign-in, for the timeline
  }

  start() {
    this.stopped = false;
    this.dropped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/websocket`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ id: 1, type: "subscribe", kinds: ["states", "alarms", "events"] }));
    });
    socket.addEventListener("message", (message) => this.received(message.data));
    socket.addEventListener("close", (closed) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.status(false);
      if (["signed_out", "token_revoked"].includes(closed.reason)) {
        // the session ended (signed out elsewhere, a new password): back to sign-in
        this.stopped = true;
        signedOut.dispatchEvent(new Event("signed-out"));
        return;
      }
      if (!this.stopped) {
        setTimeout(() => this.open(), this.wait);
        this.wait = Math.min(this.wait * 2, 30000);
      }
    });
  }

  received(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === "result" && message.id === 1) {
      if (message.success) {
        this.wait = 1000;
        this.status(true, this.dropped);
        this.dropped = true; // any later "connected" is a reconnect
      }
      return;
    }
    if (message.type !== "event") return;
    const event = message.event;
    const kind = { states: "state", alarms: "alarm" }[message.kind] || "event";
    if (kind !== "state") {
      this.recent.unshift(event);
      this.recent.length = Math.min(this.recent.length, 500);
    }
    this.dispatchEvent(new CustomEvent(kind, { detail: event }));
    this.dispatchEvent(new CustomEvent("any", { detail: event }));
  }

  status(connected, again = false) {
    this.connected = connected;
    this.dispatchEvent(new CustomEvent("status", { detail: connected }));
    if (again) this.dispatchEvent(new CustomEvent("reconnected"));
  }

  // listen(type, fn) -> the function that stops listening
  listen(type, handler) {
    const wrapped = (e) => handler(e.detail);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }
}
