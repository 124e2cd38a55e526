// The console of a class (`#/instructor/class/ID`): one join code for the room, shown in large type
// while students join; every table at a glance (its number, phase, round and clock, the players of
// each role with their connection lights, the ready lights, the scores, the last headline, and a
// link to the table's own console); the class-wide controls (start, pause and resume, resolve,
// the round's deadline, an event, end: every table at once, each by its own rules), a new table,
// and moving a student to another table or role. It connects with `instructor {class_id, key}` and
// keeps the `class_state` current with each `class_table` (live.js).

import { h, fill, region, announce, showError, clearErrors, focusHeading, title } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { startClassTicker, classClock, setStatus, secondsLeft, tableRoundText, tableHeadline, roleNamer, phaseWords, studentsUnreachable } from './?asset=widgets.js';
import { t, tParts, plural, num } from './?asset=i18n.js';
import { applyClassFrame, CLASS_FRAMES, tableStudents, joinedCount } from './?asset=live.js';
import { instructorNav, showProblem, classExportMenu } from './?asset=stored.js';
import { signInAgain, guideHref } from './?asset=instructor.js';
import { classDiscussion } from './?asset=lesson.js';

/** Where a role of a table stands, in a word. */
function readyWord(role, phase) {
  if (role.bot) return t('ready.bot');
  if (!(role.players || []).length) return t('ready.empty');
  if (phase === 'waiting') return t('ready.done');
  if (phase === 'running' || phase === 'paused') return role.ready ? t('ready.ready') : t('ready.choosing');
  return '—';
}

export function classConsolePage(root, key, classId) {
  const view = new ClassConsole(root, key, classId);
  view.start();
  const leave = () => view.stop();
  leave.relang = () => view.relang();
  return leave;
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

  /** The page changed language: tell the server, fetch the scenario in it, build and draw anew. */
  relang() {
    if (this.stopped) return false;
    this.conn.setLang();
    if (this.moveDialog.open) this.moveDialog.close();
    this.build();
    this.render();
    if (this.view) this.loadScenario();
    return true;
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
      showProblem(this.root, { code: 'class_not_running' }, this.controlsError);
      fill(this.regions.head.el, h('h1', null, t('cconsole.title')));
      fill(this.regions.controls.el, h('p', null,
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(this.classId)}`, id: 'open-class-debrief' }, t('cconsole.open_debrief')),
        ' · ', h('a', { href: '#/instructor/games' }, t('stored.title'))));
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
      code: region(h('section', { class: 'class-code-panel', 'aria-label': t('cconsole.how_join') })),
      controls: region(h('div', { class: 'controls-body' })),
      tables: region(h('div', { class: 'class-tables', id: 'class-tables' })),
      after: region(h('div', { class: 'class-after' })),
    };
    this.moveDialog = h('dialog', { id: 'move-dialog', class: 'stored-dialog', 'aria-labelledby': 'move-title' });
    this.mainEl = h('main', { class: 'console-page class-console', id: 'main' },
      instructorNav(this.root, [
        { href: '#/instructor', text: t('nav.home') },
        { href: '#/instructor/games', text: t('stored.title') },
      ]),
      this.regions.head.el,
      this.regions.code.el,
      h('section', { class: 'card controls', 'aria-labelledby': 'class-controls-title' },
        h('h2', { id: 'class-controls-title' }, t('cconsole.every_table')), this.controlsError, this.status, this.regions.controls.el),
      h('section', { class: 'card', 'aria-labelledby': 'class-tables-title' },
        h('h2', { id: 'class-tables-title' }, t('compare.tables')),
        this.regions.tables.el),
      h('section', { class: 'card', 'aria-labelledby': 'class-after-title' },
        h('h2', { id: 'class-after-title' }, t('cconsole.after')),
        this.regions.after.el),
      this.moveDialog);
    fill(this.root, this.mainEl);
  }

  onMessage(msg) {
    if (CLASS_FRAMES.has(msg.type)) {
      const first = !this.view;
      const before = this.view;
      this.view = applyClassFrame(this.view, msg);
      if (before && before.phase !== this.view.phase) announce(t('class.now_announce', { phase: phaseWords(this.view.phase) }));
      else if (before && msg.type === 'class_table') {
        const was = before.tables.find((tb) => tb.table === msg.table.table);
        if (was && was.phase !== msg.table.phase) announce(t('cconsole.table_phase', { table: msg.table.table, phase: phaseWords(msg.table.phase) }));
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
    title(t('cconsole.page_title', { code: v.class.join_code }));
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
        h('h1', null, t('cconsole.heading', { title: c.title })),
        h('p', { class: 'muted', id: 'class-phase', 'data-phase': v.phase },
          phaseWords(v.phase),
          v.phase === 'running' || v.phase === 'paused' ? ` · ${t('round.lower_of', { round: Math.min(v.round, c.rounds), rounds: c.rounds })}` : '',
          ` · ${plural('class.tables', v.tables.length)} · ${plural('class.students', joined)}`),
        h('p', { class: 'guide-link' }, h('a', { href: guideHref(c.scenario), id: 'to-guide' }, t('guide.for_scenario')))),
      h('div', { class: 'console-code' },
        h('span', { class: 'muted' }, t('cconsole.class_code')),
        h('strong', { class: 'code-chip big', 'data-class-code': c.join_code }, c.join_code),
        ' ', h('a', { href: `#/projector/${encodeURIComponent(c.join_code)}`, target: '_blank', rel: 'noopener', class: 'button secondary', id: 'class-projector-link' }, t('cconsole.open_projector'))),
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
      h('p', { class: 'class-code-label' }, tParts('cconsole.students_go', { host: h('strong', { class: 'students-host' }, api.studentsHost().host) })),
      studentsUnreachable(),
      h('p', { class: 'class-code-value', 'aria-label': t('cconsole.code_label', { code: v.class.join_code.split('').join(' ') }) }, v.class.join_code),
      h('p', { class: 'class-joined', id: 'class-joined' },
        joined ? t('cconsole.joined_at', { joined: plural('class.joined', joined), tables: plural('class.tables', v.tables.filter((tb) => tableStudents(tb).length).length) })
          : t('cconsole.nobody')),
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
        this.act('set_deadline', { secs: Math.max(1, Math.round((left || 0) + secs)) }, plural('cconsole.extended', Math.round(secs / 60)));
      };
      if (over) {
        return h('p', null, t('cconsole.over'));
      }
      return [
        phase === 'lobby' && !joined ? h('p', { class: 'muted' }, t('cconsole.start_once')) : null,
        h('div', { class: 'control-row' },
          button('class-start', t('cctl.start'), 'start', phase === 'lobby' && joined > 0, {}, t('cctl.started'), 'primary'),
          button('class-pause', t('cctl.pause'), 'pause', phase === 'running', {}, t('cctl.paused')),
          button('class-resume', t('cctl.resume'), 'resume_game', phase === 'paused', {}, t('cctl.resumed'), 'primary'),
          button('class-force', t('cctl.force'), 'force_resolve', phase === 'running', {}, t('cctl.forced')),
          this.confirmEnd
            ? h('span', { class: 'confirm' }, t('cctl.end_confirm'),
              h('button', { type: 'button', class: 'danger', id: 'class-end-yes', 'data-key': 'class-end-yes', disabled: b, onclick: () => { this.confirmEnd = false; this.act('end', {}, t('cctl.ended')); } }, t('cctl.end_yes')),
              ' ', h('button', { type: 'button', class: 'secondary', id: 'class-end-no', 'data-key': 'class-end-no', onclick: () => { this.confirmEnd = false; this.render(); } }, t('common.cancel')))
            : h('button', { type: 'button', class: 'danger', id: 'class-end', 'data-key': 'class-end', disabled: b || phase === 'lobby', onclick: () => { this.confirmEnd = true; this.render(); } }, t('cctl.end'))),
        h('div', { class: 'control-row' },
          h('label', { for: 'class-minutes' }, phase === 'running' ? t('cctl.ends_in') : t('dash.round_minutes')),
          minutes,
          h('button', { type: 'button', class: 'secondary', id: 'class-deadline', 'data-key': 'class-deadline', disabled: b, onclick: () => {
            const value = Number(this.mainEl.querySelector('#class-minutes').value);
            this.act('set_deadline', { secs: Math.max(1, Math.round(value * 60)) }, phase === 'running' ? t('cctl.deadline_set') : t('cctl.length_set'));
          } }, t('cctl.set')),
          h('button', { type: 'button', class: 'secondary', id: 'class-extend', 'data-key': 'class-extend', disabled: b || phase !== 'running', onclick: () => extend(60) }, plural('ctl.plus_minutes', 1)),
          h('button', { type: 'button', class: 'secondary', id: 'class-extend5', 'data-key': 'class-extend5', disabled: b || phase !== 'running', onclick: () => extend(300) }, plural('ctl.plus_minutes', 5))),
        h('div', { class: 'control-row' },
          h('label', { for: 'class-event' }, t('ctl.event')),
          events.length
            ? h('select', { id: 'class-event', 'data-key': 'class-event' }, events.map((e) => h('option', { value: e.id }, e.name)))
            : h('span', { class: 'muted', id: 'class-no-events' }, t('ctl.no_events')),
          h('button', { type: 'button', class: 'secondary', id: 'class-inject', 'data-key': 'class-inject', disabled: b || !events.length || phase === 'lobby', onclick: () => {
            const select = this.mainEl.querySelector('#class-event');
            if (select) this.act('inject_event', { event: select.value }, t('cctl.injected', { name: select.selectedOptions[0]?.textContent || select.value }));
          } }, t('cctl.inject'))),
        h('div', { class: 'control-row' },
          button('class-add-table', t('cctl.add_table'), 'add_table', true, {}, t('cctl.table_added')),
          h('span', { class: 'muted small' }, plural(v.class.bots ? 'cctl.seats_bots' : 'cctl.seats', v.class.seats_per_role))),
      ];
    });
  }

  renderTables() {
    const v = this.view;
    const sc = this.scenario;
    const roleName = roleNamer(sc);
    const rounds = v.class.rounds;
    this.regions.tables.update([v.tables, Boolean(sc), this.busy, v.phase], () => {
      if (!v.tables.length) return h('p', { class: 'muted', 'data-empty': '' }, t('cconsole.no_table'));
      return h('ul', { class: 'class-table-grid plain' }, v.tables.map((tb) => {
        const students = tableStudents(tb);
        const scores = tb.scores && tb.resolved > 0 ? tb.scores : null;
        return h('li', { class: 'class-table card', 'data-table': tb.table, 'data-phase': tb.phase, 'data-session': tb.session_id },
          h('div', { class: 'class-table-head' },
            h('h3', null, t('table.n', { table: tb.table })),
            h('span', { class: `status-tag ${tb.phase}`, 'data-table-phase': tb.phase }, phaseWords(tb.phase))),
          h('p', { class: 'muted small class-table-round' }, tableRoundText(tb, rounds),
            tb.phase === 'running' || tb.phase === 'paused' ? [' · ', h('span', { 'data-countdown': String(tb.table) })] : null),
          h('table', { class: 'class-roles' },
            h('caption', { class: 'visually-hidden' }, t(scores ? 'cconsole.roles_caption_scores' : 'cconsole.roles_caption', { table: tb.table })),
            h('thead', null, h('tr', null, [t('col.role'), t('col.players'), t('col.ready'), scores ? t('col.score') : null].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, (tb.roles || []).map((r) => h('tr', { 'data-role': r.id },
              h('th', { scope: 'row' }, roleName(r.id)),
              h('td', { class: 'class-players' }, r.bot ? h('span', { class: 'muted' }, t('ready.bot'))
                : (r.players || []).length ? h('ul', { class: 'plain' }, r.players.map((p) => h('li', { class: 'player', 'data-player': p.player_id },
                  h('span', { class: `online ${p.connected ? 'on' : 'off'}`, role: 'img', 'aria-label': p.connected ? t('table.online') : t('table.offline') }),
                  ' ', h('span', { class: 'player-name' }, p.name), ' ',
                  h('button', { type: 'button', class: 'link small-button', 'data-key': `move-${p.player_id}`, 'data-move': p.player_id, 'aria-haspopup': 'dialog', disabled: this.busy || v.phase === 'finished' || !p.player_id,
                    'aria-label': t('cconsole.move_label', { name: p.name }), onclick: (e) => this.openMove(tb, r.id, p, e.currentTarget) }, t('cconsole.move')))))
                  : h('span', { class: 'muted' }, t('score.nobody'))),
              h('td', { class: 'class-ready', 'data-ready': r.ready ? '1' : '0' },
                h('span', { class: `ready-chip ${r.bot ? 'bot' : !(r.players || []).length ? 'empty' : r.ready || tb.phase === 'waiting' ? 'on' : 'off'}` },
                  h('span', { class: 'light', 'aria-hidden': 'true' }),
                  h('span', { class: 'chip-status' }, readyWord(r, tb.phase)))),
              scores ? h('td', { class: 'class-score', 'data-score': scores[r.id] ?? '' }, scores[r.id] === undefined ? '—' : num(scores[r.id])) : null)))),
          tableHeadline(tb) ? h('p', { class: 'class-headline small' }, tableHeadline(tb)) : null,
          h('p', { class: 'class-table-links small' },
            plural('class.students', students.length), ' · ',
            h('a', { href: `#/instructor/session/${encodeURIComponent(tb.session_id)}`, 'data-table-console': tb.table, 'aria-label': t('cconsole.table_console_label', { table: tb.table }) }, t('cconsole.own_console'))));
      }));
    });
  }

  renderAfter() {
    const v = this.view;
    this.regions.after.update([v.class.id, v.phase], () => [
      h('p', null, v.phase === 'finished'
        ? t('cconsole.after_done')
        : t('cconsole.after_now')),
      h('div', { class: 'control-row' },
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(v.class.id)}`, class: v.phase === 'finished' ? 'button primary' : 'button secondary', id: 'class-debrief-link' }, t('cconsole.open_debrief')),
        classExportMenu(this.root, this.key, { class_id: v.class.id, join_code: v.class.join_code }, { status: this.status, errorBox: this.controlsError })),
    ]);
  }

  /** The dialog to move a student: to a table (any of the class's) and/or a role. */
  openMove(table, roleId, player, opener) {
    const v = this.view;
    const roleName = roleNamer(this.scenario);
    const errorBox = h('div', { class: 'inline-error', id: 'move-error' });
    const tableSelect = h('select', { id: 'move-table' }, v.tables.map((tb) => h('option', { value: String(tb.table), selected: tb.table === table.table },
      `${t(tb.table === table.table ? 'move.table_here' : 'table.n', { table: tb.table })} · ${plural('class.students', tableStudents(tb).length)}`)));
    const roleSelect = h('select', { id: 'move-role' },
      h('option', { value: '' }, t('move.keep_role')),
      (table.roles || []).map((r) => h('option', { value: r.id, selected: false }, r.id === roleId ? t('move.role_now', { role: roleName(r.id) }) : roleName(r.id))));
    const submit = h('button', { type: 'submit', class: 'primary', id: 'move-submit' }, t('move.submit'));
    const form = h('form', { id: 'move-form', onsubmit: async (e) => {
      e.preventDefault();
      const to = Number(tableSelect.value);
      const role = roleSelect.value || null;
      if (to === table.table && (!role || role === roleId)) {
        showProblem(this.root, { code: 'need_other_seat' }, errorBox);
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
        const text = t('move.done', { name: player.name, table: to, role: roleName(fields.role || roleId) });
        this.status.textContent = text;
        announce(text);
      } catch (err) {
        submit.disabled = false;
        showProblem(this.root, err, errorBox);
      }
    } },
    h('h2', { id: 'move-title' }, t('move.title', { name: player.name })),
    h('p', { class: 'muted' }, t('move.now_at', { table: table.table, role: roleName(roleId) })),
    h('label', { for: 'move-table' }, t('move.to_table')), tableSelect,
    h('label', { for: 'move-role' }, t('move.as')), roleSelect,
    v.phase !== 'lobby' ? h('p', { class: 'notice small' }, t('move.started')) : null,
    errorBox,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: 'move-cancel', onclick: () => this.moveDialog.close() }, t('common.cancel')),
      submit));
    this.moveDialog.replaceChildren(form);
    this.moveDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
    if (!this.moveDialog.open) this.moveDialog.showModal();
    tableSelect.focus();
  }
}
