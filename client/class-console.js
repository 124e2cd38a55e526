// The console of a class (`#/instructor/class/ID`): one join code for the room, shown in large type
// while students join; every table at a glance (its number, phase, round and clock, the players of
// each role with their connection lights, the ready lights, the scores, the last headline, and a
// link to the table's own console); the class-wide controls (start, pause and resume, resolve,
// the round's deadline, an event, end: every table at once, each by its own rules), a new table,
// and moving a student to another table or role. It connects with `instructor {class_id, key}` and
// keeps the `class_state` current with each `class_table` (live.js).

import { h, fill, region, announce, showError, clearErrors, focusHeading, title, plural } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { startClassTicker, classClock, setStatus, secondsLeft, tableRoundText, tableHeadline, roleNamer, PHASE_WORDS } from './?asset=widgets.js';
import { applyClassFrame, CLASS_FRAMES, tableStudents, joinedCount } from './?asset=live.js';
import { instructorNav, showProblem, classExportMenu } from './?asset=stored.js';
import { signInAgain, guideHref } from './?asset=instructor.js';
import { classDiscussion } from './?asset=lesson.js';

/** Where a role of a table stands, in a word. */
function readyWord(role, phase) {
  if (role.bot) return 'bot';
  if (!(role.players || []).length) return 'empty';
  if (phase === 'waiting') return 'done';
  if (phase === 'running' || phase === 'paused') return role.ready ? 'ready' : 'choosing';
  return '—';
}

export function classConsolePage(root, key, classId) {
  const view = new ClassConsole(root, key, classId);
  view.start();
  return () => view.stop();
}

class ClassConsole {
  constructor(root, key, classId) {
    this.root = root;
    this.key = key;
    this.classId = classId;
    this.view = null;
    this.scenario = null;
    this.busy = false;
    this.confirmEnd = false;
    this.stopped = false;
    this.conn = new Connection({
      hello: () => ({ type: 'instructor', class_id: this.classId, key: this.key }),
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (s) => setStatus(s),
      onAuthError: (err) => this.onAuthError(err),
    });
    this.build();
    this.stopTicker = startClassTicker(() => this.view);
  }

  start() {
    this.conn.start();
  }

  stop() {
    this.stopped = true;
    this.conn.stop();
    this.stopTicker();
    if (this.moveDialog.open) this.moveDialog.close();
    setStatus('open');
  }

  onAuthError(err) {
    if (err.code === 'not_instructor' || err.code === 'unauthorized') {
      this.stop();
      signInAgain(this.root, { code: 'unauthorized', message: err.message });
      return false;
    }
    if (err.code === 'unknown_session' || err.code === 'unknown_class') {
      // Not running: over (and the server restarted since), or deleted.
      this.stop();
      showProblem(this.root, { code: 'unknown_class', message: 'this class is not running: it is over, or it was deleted' }, this.controlsError);
      fill(this.regions.head.el, h('h1', null, 'Class console'));
      fill(this.regions.controls.el, h('p', null,
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(this.classId)}`, id: 'open-class-debrief' }, 'Open the class debrief'),
        ' · ', h('a', { href: '#/instructor/games' }, 'Stored games')));
      return false;
    }
    showError(err);
    return true;
  }

  build() {
    this.controlsError = h('div', { class: 'inline-error', id: 'class-controls-error' });
    this.status = h('p', { class: 'stored-status', id: 'class-status', role: 'status' });
    this.regions = {
      head: region(h('header', { class: 'console-head class-head' })),
      code: region(h('section', { class: 'class-code-panel', 'aria-label': 'How students join' })),
      controls: region(h('div', { class: 'controls-body' })),
      tables: region(h('div', { class: 'class-tables', id: 'class-tables' })),
      after: region(h('div', { class: 'class-after' })),
    };
    this.moveDialog = h('dialog', { id: 'move-dialog', class: 'stored-dialog', 'aria-labelledby': 'move-title' });
    this.mainEl = h('main', { class: 'console-page class-console', id: 'main' },
      instructorNav(this.root, [
        { href: '#/instructor', text: '← Instructor home' },
        { href: '#/instructor/games', text: 'Stored games' },
      ]),
      this.regions.head.el,
      this.regions.code.el,
      h('section', { class: 'card controls', 'aria-labelledby': 'class-controls-title' },
        h('h2', { id: 'class-controls-title' }, 'Every table at once'), this.controlsError, this.status, this.regions.controls.el),
      h('section', { class: 'card', 'aria-labelledby': 'class-tables-title' },
        h('h2', { id: 'class-tables-title' }, 'The tables'),
        this.regions.tables.el),
      h('section', { class: 'card', 'aria-labelledby': 'class-after-title' },
        h('h2', { id: 'class-after-title' }, 'Debrief and exports'),
        this.regions.after.el),
      this.moveDialog);
    fill(this.root, this.mainEl);
  }

  onMessage(msg) {
    if (CLASS_FRAMES.has(msg.type)) {
      const first = !this.view;
      const before = this.view;
      this.view = applyClassFrame(this.view, msg);
      if (before && before.phase !== this.view.phase) announce(`The class is now ${(PHASE_WORDS[this.view.phase] || this.view.phase).toLowerCase()}.`);
      else if (before && msg.type === 'class_table') {
        const was = before.tables.find((t) => t.table === msg.table.table);
        if (was && was.phase !== msg.table.phase) announce(`Table ${msg.table.table}: ${(PHASE_WORDS[msg.table.phase] || msg.table.phase).toLowerCase()}.`);
      }
      if (first) this.loadScenario();
      this.render();
      if (first) focusHeading(this.mainEl);
      return;
    }
    if (msg.type === 'error') showError(msg);
  }

  async loadScenario() {
    try {
      this.scenario = await api.scenario(this.view.class.scenario);
    } catch (err) {
      showError(err);
    }
    this.render();
  }

  async act(type, fields = {}, done = '') {
    this.busy = true;
    this.render();
    try {
      await this.conn.send(type, fields);
      clearErrors(this.controlsError);
      if (done) {
        this.status.textContent = done;
        announce(done);
      }
      return true;
    } catch (err) {
      showError(err, this.controlsError);
      return false;
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render() {
    if (!this.view || this.stopped) return;
    const v = this.view;
    title(`Class console · ${v.class.join_code}`);
    this.renderHead();
    this.renderCode();
    this.renderControls();
    this.renderTables();
    this.renderAfter();
  }

  renderHead() {
    const v = this.view;
    const c = v.class;
    const joined = joinedCount(v);
    const prompt = classDiscussion(this.scenario, v);
    this.regions.head.update([c, v.phase, v.round, v.tables.length, joined, prompt && prompt.dataset.discussion], () => [
      h('div', null,
        h('h1', null, `Class: ${c.title}`),
        h('p', { class: 'muted', id: 'class-phase', 'data-phase': v.phase },
          `${PHASE_WORDS[v.phase] || v.phase}`,
          v.phase === 'running' || v.phase === 'paused' ? ` · round ${Math.min(v.round, c.rounds)} of ${c.rounds}` : '',
          ` · ${plural(v.tables.length, 'table')} · ${plural(joined, 'student')}`),
        h('p', { class: 'guide-link' }, h('a', { href: guideHref(c.scenario), id: 'to-guide' }, 'Teacher\'s guide for this scenario'))),
      h('div', { class: 'console-code' },
        h('span', { class: 'muted' }, 'Class code '),
        h('strong', { class: 'code-chip big', 'data-class-code': c.join_code }, c.join_code),
        ' ', h('a', { href: `#/projector/${encodeURIComponent(c.join_code)}`, target: '_blank', rel: 'noopener', class: 'button secondary', id: 'class-projector-link' }, 'Open the class projector')),
      h('p', { class: 'countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
      prompt,
    ]);
  }

  renderCode() {
    const v = this.view;
    const lobby = v.phase === 'lobby';
    const joined = joinedCount(v);
    this.regions.code.el.hidden = !lobby;
    this.regions.code.update([lobby, v.class.join_code, joined, v.tables.length], () => (lobby ? [
      h('p', { class: 'class-code-label' }, 'Students go to ', h('strong', null, location.host), ' and enter'),
      h('p', { class: 'class-code-value', 'aria-label': `Class code ${v.class.join_code.split('').join(' ')}` }, v.class.join_code),
      h('p', { class: 'class-joined', id: 'class-joined' },
        joined ? `${plural(joined, 'student has', 'students have')} joined, at ${plural(v.tables.filter((t) => tableStudents(t).length).length, 'table')}.`
          : 'Nobody has joined yet.'),
    ] : null));
  }

  renderControls() {
    const v = this.view;
    const sc = this.scenario;
    const b = this.busy;
    const phase = v.phase;
    const over = phase === 'finished';
    const events = (sc && sc.events) || [];
    const joined = joinedCount(v);
    this.regions.controls.update([phase, b, this.confirmEnd, events.map((e) => e.id), v.class.round_secs, joined], () => {
      const button = (id, label, type, enabled, fields, done, cls = 'secondary') => h('button', {
        type: 'button', class: cls, id, 'data-key': id, disabled: b || !enabled,
        onclick: () => this.act(type, fields, done),
      }, label);
      const minutes = h('input', { id: 'class-minutes', 'data-key': 'class-minutes', type: 'number', min: '0.25', step: '0.25', value: String((v.class.round_secs || 300) / 60) });
      const extend = (secs) => {
        const left = secondsLeft(classClock(this.view));
        this.act('set_deadline', { secs: Math.max(1, Math.round((left || 0) + secs)) }, `Every table's round now ends ${Math.round(secs / 60)} minute${secs === 60 ? '' : 's'} later.`);
      };
      if (over) {
        return h('p', null, 'The class is over: every table has finished. The debrief and the exports are below.');
      }
      return [
        phase === 'lobby' && !joined ? h('p', { class: 'muted' }, 'Start is possible once students have joined.') : null,
        h('div', { class: 'control-row' },
          button('class-start', 'Start every table', 'start', phase === 'lobby' && joined > 0, {}, 'The class has started: every table plays round 1.', 'primary'),
          button('class-pause', 'Pause every table', 'pause', phase === 'running', {}, 'Every table is paused.'),
          button('class-resume', 'Resume every table', 'resume_game', phase === 'paused', {}, 'Every table plays again.', 'primary'),
          button('class-force', 'Resolve the round at every table', 'force_resolve', phase === 'running', {}, 'The round was resolved at every table.'),
          this.confirmEnd
            ? h('span', { class: 'confirm' }, 'End the game at every table? ',
              h('button', { type: 'button', class: 'danger', id: 'class-end-yes', 'data-key': 'class-end-yes', disabled: b, onclick: () => { this.confirmEnd = false; this.act('end', {}, 'Every table was ended.'); } }, 'Yes, end them all'),
              ' ', h('button', { type: 'button', class: 'secondary', id: 'class-end-no', 'data-key': 'class-end-no', onclick: () => { this.confirmEnd = false; this.render(); } }, 'Cancel'))
            : h('button', { type: 'button', class: 'danger', id: 'class-end', 'data-key': 'class-end', disabled: b || phase === 'lobby', onclick: () => { this.confirmEnd = true; this.render(); } }, 'End every table…')),
        h('div', { class: 'control-row' },
          h('label', { for: 'class-minutes' }, phase === 'running' ? 'Every round ends in (minutes)' : 'Round length (minutes)'),
          minutes,
          h('button', { type: 'button', class: 'secondary', id: 'class-deadline', 'data-key': 'class-deadline', disabled: b, onclick: () => {
            const value = Number(this.mainEl.querySelector('#class-minutes').value);
            this.act('set_deadline', { secs: Math.max(1, Math.round(value * 60)) }, phase === 'running' ? 'Every table\'s round has its new deadline.' : 'The round length is set for every table.');
          } }, 'Set for every table'),
          h('button', { type: 'button', class: 'secondary', id: 'class-extend', 'data-key': 'class-extend', disabled: b || phase !== 'running', onclick: () => extend(60) }, '+1 minute'),
          h('button', { type: 'button', class: 'secondary', id: 'class-extend5', 'data-key': 'class-extend5', disabled: b || phase !== 'running', onclick: () => extend(300) }, '+5 minutes')),
        h('div', { class: 'control-row' },
          h('label', { for: 'class-event' }, 'Scenario event'),
          events.length
            ? h('select', { id: 'class-event', 'data-key': 'class-event' }, events.map((e) => h('option', { value: e.id }, e.name)))
            : h('span', { class: 'muted', id: 'class-no-events' }, 'This scenario declares no events.'),
          h('button', { type: 'button', class: 'secondary', id: 'class-inject', 'data-key': 'class-inject', disabled: b || !events.length || phase === 'lobby', onclick: () => {
            const select = this.mainEl.querySelector('#class-event');
            if (select) this.act('inject_event', { event: select.value }, `The event is in play at every table: ${select.selectedOptions[0]?.textContent || select.value}.`);
          } }, 'Inject into every table')),
        h('div', { class: 'control-row' },
          button('class-add-table', 'Add a table', 'add_table', true, {}, 'A new table is open: the next students who join may sit there.'),
          h('span', { class: 'muted small' }, `${plural(v.class.seats_per_role, 'student')} per role at most${v.class.bots ? '; bots take the empty roles when the class starts' : ''}.`)),
      ];
    });
  }

  renderTables() {
    const v = this.view;
    const sc = this.scenario;
    const roleName = roleNamer(sc);
    const rounds = v.class.rounds;
    this.regions.tables.update([v.tables, Boolean(sc), this.busy, v.phase], () => {
      if (!v.tables.length) return h('p', { class: 'muted', 'data-empty': '' }, 'No table yet: the first students who join open one.');
      return h('ul', { class: 'class-table-grid plain' }, v.tables.map((t) => {
        const students = tableStudents(t);
        const scores = t.scores && t.resolved > 0 ? t.scores : null;
        return h('li', { class: 'class-table card', 'data-table': t.table, 'data-phase': t.phase, 'data-session': t.session_id },
          h('div', { class: 'class-table-head' },
            h('h3', null, `Table ${t.table}`),
            h('span', { class: `status-tag ${t.phase}`, 'data-table-phase': t.phase }, PHASE_WORDS[t.phase] || t.phase)),
          h('p', { class: 'muted small class-table-round' }, tableRoundText(t, rounds),
            t.phase === 'running' || t.phase === 'paused' ? [' · ', h('span', { 'data-countdown': String(t.table) })] : null),
          h('table', { class: 'class-roles' },
            h('caption', { class: 'visually-hidden' }, `Table ${t.table}: each role, its players, whether it is ready${scores ? ' and its score' : ''}`),
            h('thead', null, h('tr', null, ['Role', 'Players', 'Ready', scores ? 'Score' : null].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, (t.roles || []).map((r) => h('tr', { 'data-role': r.id },
              h('th', { scope: 'row' }, roleName(r.id)),
              h('td', { class: 'class-players' }, r.bot ? h('span', { class: 'muted' }, 'bot')
                : (r.players || []).length ? h('ul', { class: 'plain' }, r.players.map((p) => h('li', { class: 'player', 'data-player': p.player_id },
                  h('span', { class: `online ${p.connected ? 'on' : 'off'}`, role: 'img', 'aria-label': p.connected ? 'online' : 'offline' }),
                  ' ', h('span', { class: 'player-name' }, p.name), ' ',
                  h('button', { type: 'button', class: 'link small-button', 'data-key': `move-${p.player_id}`, 'data-move': p.player_id, 'aria-haspopup': 'dialog', disabled: this.busy || v.phase === 'finished' || !p.player_id,
                    'aria-label': `Move ${p.name} to another table or role`, onclick: (e) => this.openMove(t, r.id, p, e.currentTarget) }, 'Move…'))))
                  : h('span', { class: 'muted' }, 'nobody')),
              h('td', { class: 'class-ready', 'data-ready': r.ready ? '1' : '0' },
                h('span', { class: `ready-chip ${r.bot ? 'bot' : !(r.players || []).length ? 'empty' : r.ready || t.phase === 'waiting' ? 'on' : 'off'}` },
                  h('span', { class: 'light', 'aria-hidden': 'true' }),
                  h('span', { class: 'chip-status' }, readyWord(r, t.phase)))),
              scores ? h('td', { class: 'class-score', 'data-score': scores[r.id] ?? '' }, scores[r.id] === undefined ? '—' : String(scores[r.id])) : null)))),
          tableHeadline(t) ? h('p', { class: 'class-headline small' }, tableHeadline(t)) : null,
          h('p', { class: 'class-table-links small' },
            plural(students.length, 'student'), ' · ',
            h('a', { href: `#/instructor/session/${encodeURIComponent(t.session_id)}`, 'data-table-console': t.table, 'aria-label': `Open the console of table ${t.table}` }, 'Its own console')));
      }));
    });
  }

  renderAfter() {
    const v = this.view;
    this.regions.after.update([v.class.id, v.phase], () => [
      h('p', null, v.phase === 'finished'
        ? 'Every table has finished: compare them in the class debrief.'
        : 'The class debrief compares the tables as they stand now; it is complete once every table has finished.'),
      h('div', { class: 'control-row' },
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(v.class.id)}`, class: v.phase === 'finished' ? 'button primary' : 'button secondary', id: 'class-debrief-link' }, 'Open the class debrief'),
        classExportMenu(this.root, this.key, { class_id: v.class.id, join_code: v.class.join_code }, { status: this.status, errorBox: this.controlsError })),
    ]);
  }

  /** The dialog to move a student: to a table (any of the class's) and/or a role. */
  openMove(table, roleId, player, opener) {
    const v = this.view;
    const roleName = roleNamer(this.scenario);
    const errorBox = h('div', { class: 'inline-error', id: 'move-error' });
    const tableSelect = h('select', { id: 'move-table' }, v.tables.map((t) => h('option', { value: String(t.table), selected: t.table === table.table },
      `Table ${t.table}${t.table === table.table ? ' (where it is)' : ''} · ${plural(tableStudents(t).length, 'student')}`)));
    const roleSelect = h('select', { id: 'move-role' },
      h('option', { value: '' }, 'Keep the role it has (if free there)'),
      (table.roles || []).map((r) => h('option', { value: r.id, selected: false }, `${roleName(r.id)}${r.id === roleId ? ' (its role now)' : ''}`)));
    const submit = h('button', { type: 'submit', class: 'primary', id: 'move-submit' }, 'Move');
    const form = h('form', { id: 'move-form', onsubmit: async (e) => {
      e.preventDefault();
      const to = Number(tableSelect.value);
      const role = roleSelect.value || null;
      if (to === table.table && (!role || role === roleId)) {
        showProblem(this.root, { code: 'bad_request', message: 'choose another table or another role' }, errorBox);
        return;
      }
      const fields = { player_id: player.player_id };
      if (to !== table.table) fields.table = to;
      if (role) fields.role = role;
      else if (to !== table.table) fields.role = roleId;
      submit.disabled = true;
      try {
        await this.conn.send('move_player', fields);
        this.moveDialog.onclose = null;
        this.moveDialog.close();
        const text = `${player.name} moved to table ${to} as ${roleName(fields.role || roleId)}.`;
        this.status.textContent = text;
        announce(text);
      } catch (err) {
        submit.disabled = false;
        showProblem(this.root, err, errorBox);
      }
    } },
    h('h2', { id: 'move-title' }, `Move ${player.name}`),
    h('p', { class: 'muted' }, `Now at table ${table.table} as ${roleName(roleId)}. Their screen follows them to the new seat.`),
    h('label', { for: 'move-table' }, 'To the table'), tableSelect,
    h('label', { for: 'move-role' }, 'As'), roleSelect,
    v.phase !== 'lobby' ? h('p', { class: 'notice small' }, 'The game has started: the student\'s seat changes at once, in the middle of the round.') : null,
    errorBox,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: 'move-cancel', onclick: () => this.moveDialog.close() }, 'Cancel'),
      submit));
    this.moveDialog.replaceChildren(form);
    this.moveDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
    if (!this.moveDialog.open) this.moveDialog.showModal();
    tableSelect.focus();
  }
}
