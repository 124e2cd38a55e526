// The WebSocket connection to /ws: request ids with their ack/error, automatic reconnection with
// backoff (a dropped school Wi-Fi), and the seat-taking first message sent again on every
// reconnect (`resume`, `watch` or `instructor`), with the language the page is in (`lang`), so
// that the server words the scenario's texts in it; `setLang` tells a live connection of a change.
//
// Several game nodes behind a proxy: the URL carries a routing hint, `/ws?route=<join code>` (the
// game's code once a `state` has named it; before that the code, class id or session id of the
// first message — never a secret), by which the proxy sends every seat of a game to the same
// node. A `wrong_node` answer names the node that runs the game: the next connection asks the
// proxy for it (`&node=<name>`) until a connection to it fails (the node is gone; the hint alone
// then finds the node that takes the game over).

import { lang } from './?asset=i18n.js';

let nextId = 1;

/** A refusal or failure, as the server words it: `{code, message}`. */
export class ServerError extends Error {
  constructor(code, message, detail) {
    super(message || code);
    this.code = code;
    if (detail) this.detail = detail;
  }
}

export class Connection {
  /**
   * `hello()`: the first frame to send on each (re)connection, or null to stay closed.
   * `onMessage(msg)`: every server frame but ack/error answers to our own requests.
   * `onStatus(status)`: 'connecting' | 'open' | 'reconnecting' | 'closed'.
   * `onAuthError(err)`: the first frame was refused; return true to retry later.
   * `onClose(event)`: the socket closed; return false to stay closed, 'now' to reconnect at once
   * (a seat moved to another table), anything else to reconnect with backoff.
   */
  constructor({ hello, onMessage, onStatus, onAuthError, onClose }) {
    this.hello = hello;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.onAuthError = onAuthError || (() => false);
    this.onClose = onClose || (() => {});
    this.pending = new Map();
    this.ws = null;
    this.stopped = false;
    this.attempt = 0;
    this.timer = null;
    this.authed = false;
    this.lastHeard = 0;
    this.heartbeat = null;
    // The routing hint (see the top of this file) and the node a `wrong_node` named.
    this.route = null;
    this.node = null;
    // The network came back: reconnect now rather than at the next backoff step.
    this.onOnline = () => { if (!this.ws && !this.stopped) this.reconnectNow(); };
    // The device says the network is gone: the socket is dead or about to be; drop it and wait
    // for the 'online' event instead of trying (and failing) to reconnect.
    this.onOffline = () => { if (this.ws) this.drop(); };
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  /** Closes the current socket as if the network had dropped it (it reconnects). */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    try { ws.close(4000, 'connection lost'); } catch { /* already closing */ }
    this.onSocketClosed(ws, { code: 4000 });
  }

  /** A silent drop (Wi-Fi gone without notice) shows up as silence: ping, and give up after 45 s. */
  startHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (!this.ws || this.ws.readyState !== 1) return;
      if (Date.now() - this.lastHeard > 45000) {
        this.drop();
        return;
      }
      try { this.ws.send(JSON.stringify({ type: 'ping' })); } catch { /* closing */ }
    }, 20000);
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes for good (leaving the game, or a fatal refusal). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'leaving');
    this.failPending('disconnected', 'closed');
    this.onStatus('closed');
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.attempt = 0;
    const ws = this.ws;
    if (ws) {
      // Replaced: its close must not count as a drop.
      this.ws = null;
      try { ws.close(1000, 'reconnecting'); } catch { /* already closing */ }
    }
    this.open();
  }

  open() {
    if (this.stopped) return;
    if (navigator.onLine === false) {
      // Offline: the 'online' event reconnects.
      this.onStatus('offline');
      return;
    }
    const first = this.hello();
    if (!first) return;
    const route = normalizeRoute(this.route || first.code || first.class_id || first.session_id || '');
    let query = route ? `?route=${encodeURIComponent(route)}` : '';
    if (this.node) query += `${query ? '&' : '?'}node=${encodeURIComponent(this.node)}`;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query}`;
    this.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.authed = false;
    ws.addEventListener('open', () => {
      if (ws !== this.ws) return;
      const id = 'auth';
      this.lastHeard = Date.now();
      this.startHeartbeat();
      this.pending.set(id, {
        resolve: () => {
          this.authed = true;
          this.attempt = 0;
          this.onStatus('open');
        },
        reject: (err) => {
          if (err.code === 'wrong_node' && err.node) {
            // Another node runs the game: reconnect to it at once.
            this.node = err.node;
            this.reconnectNow();
            return;
          }
          const retry = this.onAuthError(err);
          if (!retry) {
            this.stop();
          }
        },
      });
      ws.send(JSON.stringify({ ...first, lang: lang(), id }));
    });
    ws.addEventListener('message', (event) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if ((msg.type === 'ack' || msg.type === 'error') && msg.re !== undefined && this.pending.has(msg.re)) {
        const waiting = this.pending.get(msg.re);
        this.pending.delete(msg.re);
        if (msg.type === 'ack') waiting.resolve(msg);
        else {
          const err = new ServerError(msg.code, msg.message, msg.detail);
          if (msg.node) err.node = msg.node;
          waiting.reject(err);
        }
        return;
      }
      // The game's join code is the routing hint of every later connection.
      const named = (msg.session && msg.session.join_code) || (msg.class && msg.class.join_code);
      if ((msg.type === 'state' || msg.type === 'class_state') && named) this.route = named;
      if (msg.type === 'pong') return;
      this.onMessage(msg);
    });
    ws.addEventListener('close', (event) => this.onSocketClosed(ws, event));
  }

  onSocketClosed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    // A connection to the named node that never got a seat: that node may be gone; route by the
    // hint alone again.
    if (!this.authed) this.node = null;
    clearInterval(this.heartbeat);
    this.failPending('disconnected', 'the connection dropped before the server answered');
    const answer = this.onClose(event);
    const keepGoing = answer !== false;
    if (!this.stopped && answer === 'now') this.reconnectNow();
    else if (!this.stopped && keepGoing) this.scheduleReconnect();
    else if (!keepGoing) this.stop();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    if (navigator.onLine === false) {
      this.onStatus('offline');
      return;
    }
    this.attempt += 1;
    this.onStatus('reconnecting');
    const base = Math.min(8000, 400 * 2 ** Math.min(this.attempt, 5));
    const delay = base / 2 + Math.random() * base / 2;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
  }

  failPending(code, message) {
    for (const [, waiting] of this.pending) waiting.reject(new ServerError(code, message));
    this.pending.clear();
  }

  get isOpen() {
    return Boolean(this.ws && this.ws.readyState === 1 && this.authed);
  }

  /**
   * The page changed language: `set_lang` on a live connection (the server answers with a fresh
   * whole `state` or `class_state` in it). A server that does not know the message yet answers
   * `unknown_type`: the page is already drawn in the new language, so that is not shown. A closed
   * connection needs nothing: it says the language again when it reconnects.
   */
  setLang(code = lang()) {
    if (!this.isOpen) return Promise.resolve(null);
    return this.send('set_lang', { lang: code }).catch(() => null);
  }

  /** Sends `{type, ...fields}`; resolves on `ack`, rejects with a ServerError on `error`. */
  send(type, fields = {}) {
    if (!this.isOpen) {
      return Promise.reject(new ServerError('disconnected', 'not connected: reconnecting, try again in a moment'));
    }
    const id = `c${nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type, id, ...fields }));
    });
  }
}

/** A join code as the server reads it (no spaces or dashes, upper case), so that every seat of a
 * game gives the proxy the same hint; ids are left as they are. */
function normalizeRoute(route) {
  const s = String(route);
  return /^[A-Za-z0-9 -]{4,12}$/.test(s) ? s.replace(/[\s-]/g, '').toUpperCase() : s;
}
