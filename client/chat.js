// Chat: to everyone, to one role, or to one's own team (the role's players), with a conversation
// per partner, unread marks, and new messages announced to screen readers. The messages themselves
// (press) are shown exactly as they were typed, in whatever language.

import { h, fill, announce, showError, clearErrors } from './?asset=dom.js';
import { t, plural, timeOfDay, names } from './?asset=i18n.js';

function messageKey(m) {
  return `${m.at}|${m.from && m.from.player_id}|${m.from && m.from.name}|${JSON.stringify(m.to)}|${m.text}`;
}

function timeOf(at) {
  return timeOfDay(at);
}

export class Chat {
  /**
   * `mode`: 'player' or 'instructor'. `send(to, text)` returns a promise. `visible()` tells whether
   * the chat is on screen (to count unread messages). `onUnread(total)` updates marks elsewhere.
   */
  constructor({ mode, send, visible, onUnread }) {
    this.mode = mode;
    this.sendFn = send;
    this.visible = visible || (() => true);
    this.onUnread = onUnread || (() => {});
    this.messages = [];
    this.seen = new Set();
    this.unread = new Map();
    this.thread = mode === 'instructor' ? 'everything' : 'all';
    this.roles = [];
    this.myRole = null;
    this.myPlayer = null;
    this.history = true;
    this.drafts = new Map();
    this.el = h('section', { class: 'chat', 'aria-labelledby': 'chat-title' });
    this.threadsEl = h('div', { class: 'threads', role: 'group' });
    this.listEl = h('ol', { class: 'messages', tabindex: '0' });
    this.errorEl = h('div', { class: 'inline-error' });
    this.formEl = h('form', { class: 'compose', onsubmit: (e) => { e.preventDefault(); this.submit(); } });
    this.titleEl = h('h2', { id: 'chat-title', class: 'panel-title' });
    this.el.append(this.titleEl, this.threadsEl, this.listEl, this.errorEl, this.formEl);
    this.words();
  }

  /** The chat's own words (again after a change of language). */
  words() {
    this.threadsEl.setAttribute('aria-label', t('chat.conversations'));
    this.listEl.setAttribute('aria-label', t('chat.messages'));
    this.titleEl.textContent = this.mode === 'instructor' ? t('chat.title_all') : t('chat.title');
  }

  /** Draws everything again in the language now in use. */
  relang() {
    this.words();
    this.render(true);
  }

  /** Updates who is who from a `state`. */
  setState(state) {
    const roles = (state.roles || []).map((r) => ({ id: r.id, name: r.name }));
    const myRole = state.you && state.you.role ? state.you.role : null;
    const myPlayer = state.you && state.you.player_id ? state.you.player_id : null;
    const changed = JSON.stringify([roles, myRole]) !== JSON.stringify([this.roles, this.myRole]);
    this.roles = roles;
    this.myRole = myRole;
    this.myPlayer = myPlayer;
    if (changed) {
      if (!this.threadIds().includes(this.thread)) this.thread = this.threadIds()[0];
      this.render(true);
    }
  }

  /** Forgets every message (the seat moved to another table, whose messages come next). */
  clear() {
    this.messages = [];
    this.seen.clear();
    this.unread.clear();
    this.render(true);
    this.onUnread(0);
  }

  /** Messages received before the seat's `ack` are history: not announced, not unread. */
  setLive(live) {
    this.history = !live;
  }

  roleName(id) {
    const r = this.roles.find((x) => x.id === id);
    return r ? r.name : id;
  }

  /** The conversations this seat has, in order. */
  threadIds() {
    if (this.mode === 'instructor') return ['everything', 'all', ...this.roles.map((r) => r.id)];
    const ids = ['all'];
    if (this.myRole) {
      ids.push('team');
      for (const r of this.roles) if (r.id !== this.myRole) ids.push(r.id);
    }
    if (this.messages.some((m) => this.threadsOf(m).includes('teacher'))) ids.push('teacher');
    return ids;
  }

  threadLabel(id) {
    if (id === 'everything') return t('chat.everything');
    if (id === 'all') return this.mode === 'instructor' ? t('chat.public') : t('chat.everyone');
    if (id === 'team') return t('chat.my_team', { role: this.roleName(this.myRole) });
    if (id === 'teacher') return t('chat.instructor');
    return this.roleName(id);
  }

  /** Which conversations a message belongs to. */
  threadsOf(m) {
    const to = m.to === 'all' ? null : (Array.isArray(m.to) ? m.to : [m.to]);
    const from = m.from && m.from.role ? m.from.role : null;
    if (this.mode === 'instructor') {
      const list = ['everything'];
      if (!to) list.push('all');
      else {
        for (const r of to) list.push(r);
        if (from && !to.includes(from)) list.push(from);
      }
      return list;
    }
    if (!to) return ['all'];
    const me = this.myRole;
    // The instructor's messages have no player (a student without a role cannot write to a team).
    if (!m.from || m.from.player_id == null) return ['teacher'];
    if (!from) return ['all'];
    if (from === me) {
      const others = to.filter((r) => r !== me);
      return others.length ? others : ['team'];
    }
    return [from];
  }

  /** A `message` frame from the server. */
  add(m) {
    const key = messageKey(m);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.messages.push(m);
    this.messages.sort((a, b) => a.at - b.at);
    const mine = this.myPlayer && m.from && m.from.player_id === this.myPlayer;
    const threads = this.threadsOf(m);
    if (!mine && !this.history) {
      for (const th of threads) {
        if (this.mode === 'instructor' && th !== 'everything') continue;
        if (th === this.thread && this.visible()) continue;
        this.unread.set(th, (this.unread.get(th) || 0) + 1);
      }
      const from = this.fromLabel(m);
      const where = threads[0] === 'all' ? 'chat.new_to_all' : threads[0] === 'team' ? 'chat.new_to_team' : 'chat.new_to_you';
      announce(t(where, { from, text: m.text }));
    }
    this.render(!threads.includes('teacher') ? false : true);
  }

  fromLabel(m) {
    const f = m.from || {};
    if (!f.role && !f.player_id) return f.name || t('chat.instructor');
    return f.role ? `${f.name} (${this.roleName(f.role)})` : f.name;
  }

  toLabel(m) {
    if (m.to === 'all') return t('chat.to_everyone');
    const to = Array.isArray(m.to) ? m.to : [m.to];
    return names(to.map((r) => this.roleName(r)));
  }

  totalUnread() {
    let n = 0;
    for (const [, c] of this.unread) n += c;
    return n;
  }

  /** The chat became visible (or its thread changed): what is shown is read. */
  markRead() {
    if (this.visible() && this.unread.get(this.thread)) {
      this.unread.delete(this.thread);
      this.render(true);
    }
    this.onUnread(this.totalUnread());
  }

  choose(thread) {
    this.drafts.set(this.thread, this.formEl.querySelector('input')?.value || '');
    this.thread = thread;
    this.unread.delete(thread);
    this.render(true);
    const input = this.formEl.querySelector('input');
    if (input) input.focus();
  }

  render(full = true) {
    const ids = this.threadIds();
    fill(this.threadsEl, ids.map((id) => {
      const n = this.unread.get(id) || 0;
      return h('button', {
        type: 'button', class: `thread${id === this.thread ? ' current' : ''}`, 'data-thread': id, 'data-key': `thread-${id}`,
        'aria-pressed': id === this.thread ? 'true' : 'false',
        'aria-label': n ? plural('chat.unread', n, { thread: this.threadLabel(id) }) : this.threadLabel(id),
        onclick: () => this.choose(id),
      }, this.threadLabel(id), ...(n ? [' ', h('span', { class: 'unread', 'aria-hidden': 'true' }, String(n))] : []));
    }));
    const shown = this.messages.filter((m) => this.threadsOf(m).includes(this.thread));
    const atBottom = this.listEl.scrollHeight - this.listEl.scrollTop - this.listEl.clientHeight < 40;
    fill(this.listEl, shown.length ? shown.map((m) => {
      const mine = this.myPlayer && m.from && m.from.player_id === this.myPlayer;
      return h('li', { class: `msg${mine ? ' mine' : ''}` },
        h('div', { class: 'msg-head' },
          h('span', { class: 'msg-from' }, mine ? t('chat.you') : this.fromLabel(m)),
          this.mode === 'instructor' || this.thread === 'teacher' ? h('span', { class: 'msg-to' }, ` → ${this.toLabel(m)}`) : null,
          h('time', { class: 'msg-time', datetime: new Date(m.at).toISOString() }, timeOf(m.at))),
        h('p', { class: 'msg-text' }, m.text));
    }) : h('li', { class: 'muted empty' }, this.emptyText()));
    if (atBottom || full) this.listEl.scrollTop = this.listEl.scrollHeight;
    if (full || !this.formEl.firstChild) this.renderForm();
    this.onUnread(this.totalUnread());
  }

  emptyText() {
    if (this.thread === 'all') return t('chat.empty_all');
    if (this.thread === 'team') return t('chat.empty_team');
    if (this.thread === 'everything') return t('chat.empty_everything');
    if (this.thread === 'teacher') return t('chat.empty_teacher');
    return t('chat.empty_private', { role: this.roleName(this.thread) });
  }

  recipient() {
    if (this.mode === 'instructor') {
      return this.thread === 'everything' || this.thread === 'all' ? 'all' : this.thread;
    }
    if (this.thread === 'all' || this.thread === 'teacher') return 'all';
    if (this.thread === 'team') return this.myRole;
    return this.thread;
  }

  renderForm() {
    const old = this.formEl.querySelector('input');
    const had = old && document.activeElement === old;
    const value = old ? old.value : (this.drafts.get(this.thread) || '');
    const to = this.recipient();
    const label = to === 'all' ? t('chat.to_all_label') : to === this.myRole ? t('chat.to_team_label') : t('chat.to_role_label', { role: this.roleName(to) });
    const input = h('input', {
      id: 'chat-input', type: 'text', maxlength: '1000', autocomplete: 'off', 'data-key': 'chat-input',
      placeholder: label, value,
    });
    fill(this.formEl,
      h('label', { for: 'chat-input', class: 'visually-hidden' }, label),
      input,
      h('button', { type: 'submit', class: 'primary', 'data-key': 'chat-send' }, t('chat.send')));
    if (had) input.focus();
  }

  async submit() {
    const input = this.formEl.querySelector('input');
    const text = input.value.trim();
    if (!text) return;
    const button = this.formEl.querySelector('button');
    button.disabled = true;
    try {
      await this.sendFn(this.recipient(), text);
      input.value = '';
      this.drafts.delete(this.thread);
      clearErrors(this.errorEl);
    } catch (err) {
      showError(err, this.errorEl);
    } finally {
      button.disabled = false;
      input.focus();
    }
  }
}
