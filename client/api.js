// HTTP calls to the JSON API, the scenario and source-text caches, the server clock, and what the
// browser keeps: the seat token (localStorage, so a reload or a new tab resumes) and the
// instructor key (sessionStorage only, so it is forgotten when the tab closes).

import { ServerError } from './?asset=net.js';
import { lang } from './?asset=i18n.js';

/**
 * `path` asking for the page's language (`lang=<code>`): every GET whose answer carries the
 * scenario's texts (titles, names, narratives, memos) asks for them in the language the page is in.
 */
export function withLang(path) {
  return `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(lang())}`;
}

/**
 * fetch, uncached; resolves to a 2xx response, else throws a ServerError: the server's own
 * `{"error": {code, message}}` when it sent one, `network` when it cannot be reached.
 */
async function send(path, init) {
  let response;
  try {
    response = await fetch(path, { ...init, cache: 'no-store' });
  } catch {
    throw new ServerError('network', 'the server cannot be reached');
  }
  noteServerDate(response);
  if (!response.ok) {
    let err = { code: `http_${response.status}`, message: response.statusText };
    try {
      const json = await response.json();
      if (json && json.error) err = json.error;
    } catch { /* not JSON */ }
    throw new ServerError(err.code, err.message, err.detail);
  }
  return response;
}

/** fetch → JSON (or text), turning `{"error": {code, message}}` answers into ServerErrors. */
export async function request(method, path, { body, key, text = false, contentType } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const response = await send(path, { method, headers, body: payload });
  if (response.status === 204) return null;
  if (text) return response.text();
  return response.json();
}

/**
 * Downloads a file the API serves only with the instructor key in the header (a plain link could
 * not send it): fetch, then save through a Blob and an object URL. The file name comes from the
 * answer's `Content-Disposition` (else `fallbackName`). Resolves to `{ filename, size }`.
 */
export async function download(path, { key, fallbackName }) {
  const response = await send(path, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = disposition.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  let filename = fallbackName || 'download';
  if (match) {
    try { filename = decodeURIComponent(match[1]); } catch { filename = match[1]; }
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  return { filename, size: blob.size };
}

// ---- Stored games (instructor) -----------------------------------------------------------------

const sid = (id) => encodeURIComponent(id);

/** The instructor's sessions, newest first; `filters`: `{status, scenario}` (either may be empty). */
export function listSessions(key, filters = {}) {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.scenario) query.set('scenario', filters.scenario);
  const q = query.toString();
  return request('GET', withLang(`/api/sessions${q ? `?${q}` : ''}`), { key });
}

/** A stored game rebuilt through the engine; `lens`: `declassified`, `public` or `role:<id>`. */
export function replay(key, sessionId, lens = 'declassified') {
  return request('GET', withLang(`/api/sessions/${sid(sessionId)}/replay?lens=${encodeURIComponent(lens)}`), { key });
}

/** The debrief of a stored game: scores, turning points, decisions, promises. */
export function debrief(key, sessionId) {
  return request('GET', withLang(`/api/sessions/${sid(sessionId)}/debrief`), { key });
}

/**
 * The teacher's guide of a scenario (instructor only): the lesson, every role's memo and private
 * objective, the rounds with their discussion prompts, and the ¶ map.
 */
export function guide(key, scenarioId) {
  return request('GET', withLang(`/api/scenarios/${encodeURIComponent(scenarioId)}/guide`), { key });
}

/** A new session in the lobby that starts at `round` of the stored one. */
export function forkSession(key, sessionId, round) {
  return request('POST', `/api/sessions/${sid(sessionId)}/fork`, { key, body: { round } });
}

/** Deletes a session, its players and its events. */
export function deleteSession(key, sessionId) {
  return request('DELETE', `/api/sessions/${sid(sessionId)}`, { key });
}

/**
 * Several tables (stored games) of one scenario side by side (`GET /api/compare`): `ids` in the
 * order the columns should have (1 to 12; the server refuses games of different scenarios with
 * `mixed_scenarios`).
 */
export function compare(key, ids) {
  return request('GET', withLang(`/api/compare?sessions=${ids.map(sid).join(',')}`), { key });
}

/** The path of one export: `json`, `csv` (orders), `messages` or `reflections` (CSV), or `html`. */
export function exportPath(sessionId, kind, lens) {
  const base = `/api/sessions/${sid(sessionId)}`;
  if (kind === 'json') return `${base}/export.json`;
  if (kind === 'csv') return `${base}/export.csv`;
  if (kind === 'messages') return `${base}/export.csv?what=messages`;
  if (kind === 'reflections') return `${base}/export.csv?what=reflections`;
  // The HTML replay is a page for people: in the language of this one.
  return withLang(`${base}/export.html${lens ? `?lens=${encodeURIComponent(lens)}` : ''}`);
}

// ---- Classes (instructor) ----------------------------------------------------------------------

const cid = (id) => encodeURIComponent(id);

/** A new class: `{scenario, tables?, seats_per_role?, deadline_secs?, seed?, bots?}` → `{class_id, join_code}`. */
export function createClass(key, body) {
  return request('POST', '/api/classes', { key, body });
}

/** The instructor's classes, newest first: `[{class_id, join_code, scenario, title, status, settings, created_at, tables}]`. */
export function listClasses(key) {
  return request('GET', withLang('/api/classes'), { key });
}

/** A class's debrief: the comparison of its tables, their numbers and the spread of outcomes. */
export function classDebrief(key, classId) {
  return request('GET', withLang(`/api/classes/${cid(classId)}/debrief`), { key });
}

/** Closes a class and removes it with its tables. */
export function deleteClass(key, classId) {
  return request('DELETE', `/api/classes/${cid(classId)}`, { key });
}

/** The path of a class's export: `json` (every table's log) or `csv` (every table's orders). */
export function classExportPath(classId, kind) {
  return `/api/classes/${cid(classId)}/export.${kind === 'csv' ? 'csv' : 'json'}`;
}

// ---- The server's clock -----------------------------------------------------------------------
// Deadlines are server timestamps; a Chromebook's clock may be off. The Date header of our own
// requests gives the offset (to the second), used only when it is clearly more than noise.

let skewMs = 0;

function noteServerDate(response) {
  const date = response.headers.get('Date');
  if (!date) return;
  const server = Date.parse(date);
  if (Number.isNaN(server)) return;
  const diff = server - Date.now();
  skewMs = Math.abs(diff) > 3000 ? diff : 0;
}

/** Now, on the server's clock, in unix milliseconds. */
export function serverNow() {
  return Date.now() + skewMs;
}

/** Fetches something small once so that the clock offset is known. */
export function syncClock() {
  return fetch('/healthz', { cache: 'no-store' }).then(noteServerDate, () => {});
}

// ---- Where students go -----------------------------------------------------------------------

let address = null;

/** Asks the server once (`GET /api/address`) where students' devices reach it; see `studentsHost`. */
export function loadAddress() {
  return fetch('/api/address', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : null))
    .then((answer) => { address = answer; }, () => {});
}

/** The `serve` flag that lets other devices in, on the port this page uses. */
export function listenEverywhereFlag() {
  return `--addr 0.0.0.0:${location.port || (location.protocol === 'https:' ? 443 : 80)}`;
}

const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d+){3}|\[::1\])$/i;

/**
 * What students type to reach the server (`host` as the projector shows it), and whether their
 * devices cannot reach it at all (`unreachable`: the server listens on this computer only, and
 * this page is on that computer) or the address shown is this computer's `localhost`
 * (`unknown`). The address bar's host is right unless the page was opened at
 * `localhost`, which means nothing on a student's phone: then the server's answer says better.
 */
export function studentsHost() {
  const url = address && address.url;
  if (url) {
    try {
      const u = new URL(url);
      const path = u.pathname.replace(/\/$/, '');
      return { host: `${u.host}${path}`, base: `${u.origin}${path}/`, unreachable: false };
    } catch (_) { /* not a URL: the page's own host below */ }
  }
  const local = LOOPBACK.test(location.hostname);
  const onlyHere = Boolean(address && address.this_computer_only);
  // `unknown`: the page is at localhost and the server knows no better address (in a
  // container, say), so the address shown is one students cannot open.
  return { host: location.host, base: `${location.origin}/`, unreachable: local && onlyHere, unknown: local && !onlyHere && Boolean(address) };
}

/** The link that opens the join screen with `code` typed, on the address students use. */
export function joinLink(code) {
  return `${studentsHost().base}#/join/${encodeURIComponent(code)}`;
}

// ---- Scenarios and their source text ----------------------------------------------------------

const scenarios = new Map();
const sources = new Map();

/** The whole scenario (`GET /api/scenarios/{id}`) in the page's language, fetched once per page and language. */
export function scenario(id) {
  const cacheKey = `${lang()}|${id}`;
  if (!scenarios.has(cacheKey)) {
    const p = request('GET', withLang(`/api/scenarios/${encodeURIComponent(id)}`));
    p.catch(() => scenarios.delete(cacheKey));
    scenarios.set(cacheKey, p);
  }
  return scenarios.get(cacheKey);
}

/** The scenarios the server offers (`GET /api/scenarios`), in the page's language. */
export function scenarioList() {
  return request('GET', withLang('/api/scenarios'));
}

const paragraphsOf = (text) => text.replace(/\r\n/g, '\n').split('\n').filter((line) => line.trim() !== '');

/**
 * The source essay's paragraphs (index 0 is ¶1), or null when none was loaded. A text belongs to
 * the instructor who loaded it. With an instructor key in this tab, `GET /api/sources` says which
 * scenarios have one, so that a missing text is never asked for (no 404 in the console); a
 * student's page asks `GET /api/seat/source` with its seat token (its game's instructor's text,
 * always 200); a page with neither (a projector tab) has none and asks nothing. Asked again at
 * most every 30 s, so that a text loaded during the lesson shows up.
 */
export function source(id, { fresh = false } = {}) {
  const key = instructorKey();
  const seat = key ? null : loadSeat();
  if (!key && !seat) return Promise.resolve(null);
  const cached = sources.get(id);
  if (cached && !fresh && (cached.paragraphs || Date.now() - cached.at < 30000)) return cached.promise;
  const promise = (key
    ? request('GET', '/api/sources', { key }).then((list) => {
      if (!Array.isArray(list) || !list.some((s) => s.scenario === id)) return null;
      return request('GET', `/api/scenarios/${encodeURIComponent(id)}/source`, { key, text: true }).then(paragraphsOf);
    })
    : request('GET', '/api/seat/source', { key: seat.seat_token }).then((answer) => (
      answer && answer.scenario === id && typeof answer.text === 'string' ? paragraphsOf(answer.text) : null)))
    .catch((err) => {
      if (err.code === 'no_source' || err.code === 'http_404' || err.code === 'unauthorized') return null;
      throw err;
    });
  const entry = { at: Date.now(), promise, paragraphs: null };
  promise.then((p) => { entry.paragraphs = p; }, () => sources.delete(id));
  sources.set(id, entry);
  return promise;
}

/** The source paragraphs if already fetched (synchronously), else null. */
export function sourceNow(id) {
  return sources.get(id)?.paragraphs || null;
}

// ---- The seat ------------------------------------------------------------------------------------
// Per tab (sessionStorage) first, so that two tabs on one computer keep their own seats through a
// reload; the last seat also in localStorage, so that a closed and reopened tab comes back.

const SEAT = 'third-neighbor.seat';

export function loadSeat() {
  for (const store of [sessionStorage, localStorage]) {
    try {
      const seat = JSON.parse(store.getItem(SEAT) || 'null');
      if (seat && seat.seat_token) return seat;
    } catch { /* corrupt: ignore */ }
  }
  return null;
}

export function saveSeat(seat) {
  const text = JSON.stringify(seat);
  try {
    sessionStorage.setItem(SEAT, text);
    localStorage.setItem(SEAT, text);
  } catch { /* storage full or blocked: the seat lasts as long as the page */ }
}

/**
 * This browser's own random id, kept on the device. A student's `join` sends it so that an
 * instructor's ban can bar the device as well as the name (the server keeps only its hash).
 */
export function deviceId() {
  const KEY = 'third-neighbor.device';
  try {
    let id = localStorage.getItem(KEY);
    if (!id) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    return undefined;
  }
}

/**
 * Whether this tab holds the seat (it joined or resumed it here). When only the device holds it,
 * a tab closed earlier left it: on a shared computer, possibly someone else's.
 */
export function seatInThisTab() {
  try {
    return !!sessionStorage.getItem(SEAT);
  } catch {
    return true;
  }
}

/** Forgets the seat an earlier tab left on this device (someone else sits here now). */
export function forgetDeviceSeat() {
  try {
    localStorage.removeItem(SEAT);
  } catch { /* ignore */ }
}

export function clearSeat() {
  try {
    const mine = sessionStorage.getItem(SEAT);
    sessionStorage.removeItem(SEAT);
    if (!mine || localStorage.getItem(SEAT) === mine) localStorage.removeItem(SEAT);
  } catch { /* ignore */ }
}

// ---- The instructor key --------------------------------------------------------------------------

const KEY = 'third-neighbor.instructor-key';

export function instructorKey() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setInstructorKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
  } catch { /* ignore */ }
}

// ---- Track history for charts ------------------------------------------------------------------
// `state` carries only the current values; the history over rounds is gathered from `state` and
// `round_resolved` frames and kept per session (so a projector reload keeps its charts).

export class History {
  constructor(sessionId) {
    this.key = `third-neighbor.history.${sessionId}`;
    this.rounds = [];
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) || 'null');
      if (Array.isArray(saved)) this.rounds = saved;
    } catch { /* ignore */ }
  }

  /** Values at the start of round `round` (index round-1): `{trackId: value}`. */
  set(index, values) {
    while (this.rounds.length <= index) this.rounds.push(null);
    this.rounds[index] = { ...(this.rounds[index] || {}), ...values };
    try {
      localStorage.setItem(this.key, JSON.stringify(this.rounds));
    } catch { /* ignore */ }
  }

  fromState(state) {
    if (!state || !state.round) return;
    const values = {};
    for (const t of state.tracks || []) {
      if (Array.isArray(t.history)) {
        t.history.forEach((v, i) => { if (v !== null && v !== undefined) this.set(i, { [t.id]: v }); });
      }
      values[t.id] = t.value;
    }
    // After the last round the state's round may point past the end; its values are final.
    this.set(state.round - 1, values);
  }

  fromReport(report) {
    const before = {};
    const after = {};
    for (const t of report.tracks || []) {
      before[t.id] = t.before;
      after[t.id] = t.value;
    }
    this.set(report.round - 1, before);
    this.set(report.round, after);
  }

  fromDebrief(debrief) {
    for (const t of debrief.tracks || []) {
      (t.history || []).forEach((v, i) => { if (v !== null && v !== undefined) this.set(i, { [t.id]: v }); });
    }
  }

  /** The values of one track by round index (null where unknown). */
  series(trackId) {
    return this.rounds.map((r) => (r && r[trackId] !== undefined ? r[trackId] : null));
  }
}
