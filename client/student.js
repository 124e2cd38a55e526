// The student's screens: join (code, then nickname), choose a role, the round (event, briefing,
// tracks, move cards, orders, lock, countdown, who is ready), chat, the round report and the
// final scores. A reload or a dropped connection resumes the seat with the token kept in the
// browser; the draft lives on the server, so it comes back with the `state`.
//
// With a class's code the server places the student at a table: the header names the table
// (`state.session.table`); a table that resolved its round before the others is `waiting` (a screen
// says so, the report stays readable); a student the instructor moves gets `moved` and a close
// 4003, resumes at once with the same token and lands at the new table.
//
// The lesson: once the student has a role, its team's brief (the role's memo and private
// objective, confidential to the team) shows in the waiting room and, during the game, under the
// Brief tab; the lesson's key terms open from the header. After the game, the Round tab becomes
// Reflect: the lesson's reflection prompt and a form that sends `reflect`.

import { h, fill, region, announce, showError, clearErrors, focusHeading, title, signed } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { paras, withSource, trackBars, readyLights, startTicker, scoreboard, setStatus, charts, stripRound, scoredText } from './?asset=widgets.js';
import { applyFrame, keepReport, VIEW_FRAMES } from './?asset=live.js';
import { Chat } from './?asset=chat.js';
import { reportView, reportAnnouncement } from './?asset=report.js';
import { memoView, privateAimView, glossaryButton, ReflectionForm } from './?asset=lesson.js';
import { t, plural, pluralParts, num, list, names, languagePicker } from './?asset=i18n.js';

const WIDE = window.matchMedia('(min-width: 1000px)');

/** "happens only if China also orders its part this round." */
function jointText(partners, need) {
  if (partners.length > 1 && need === 'any') {
    return t('move.joint_any', { partners: list(partners, 'disjunction') });
  }
  return partners.length > 1
    ? t('move.joint_all', { partners: list(partners) })
    : t('move.joint_one', { partner: partners[0] });
}

/** Entry point: `#/` (join or resume) and `#/join/CODE`. */
export function studentPage(root, { code } = {}) {
  const seat = api.loadSeat();
  if (seat && (!code || code.toUpperCase() === (seat.code || '').toUpperCase())) {
    // A seat this tab did not take (a tab closed before, perhaps another student's on a shared
    // computer) is offered, not taken.
    return api.seatInThisTab() ? playSeat(root, seat) : seatQuestion(root, seat, code);
  }
  return joinForm(root, { code });
}

function playSeat(root, seat) {
  const game = new StudentGame(root, seat);
  game.start();
  const leave = () => game.stop();
  leave.relang = () => game.relang();
  return leave;
}

/** "Is this you?": carry on in the seat the device remembers, or join as someone else. */
function seatQuestion(root, seat, code) {
  let next = null;
  const render = () => {
    title(t('seat.title'));
    const name = seat.name || '—';
    fill(root, h('main', { class: 'join-page', id: 'main' },
      h('div', { class: 'join-lang' }, languagePicker({ id: 'join-lang' })),
      h('section', { class: 'card join', id: 'seat-question', 'aria-labelledby': 'seat-title' },
        h('h1', { id: 'seat-title' }, t('seat.title')),
        h('p', null, t('seat.text', { name, code: seat.code || '' })),
        h('button', { type: 'button', class: 'primary big', id: 'seat-continue', onclick: () => {
          api.saveSeat(seat);
          next = playSeat(root, seat);
        } }, t('seat.continue', { name })),
        h('button', { type: 'button', class: 'secondary big', id: 'seat-other', onclick: () => {
          api.forgetDeviceSeat();
          next = joinForm(root, { code });
        } }, t('seat.someone_else')))));
  };
  render();
  const leave = () => { if (next) next(); };
  leave.relang = () => (next ? next.relang && next.relang() : render());
  return leave;
}

// ---- Join ------------------------------------------------------------------------------------------

function joinForm(root, { code = '', error = null, step = null } = {}) {
  let current = step || (code ? 'name' : 'code');
  let gameCode = (code || '').toUpperCase();
  let busy = null;
  const errorBox = h('div', { class: 'inline-error', id: 'join-error' });
  let lastError = null;
  const say = (err) => { lastError = err; showError(err, errorBox); };

  // Seated: the game draws itself anew in a new language (and tells the server).
  let game = null;
  const render = () => {
    title(current === 'code' ? t('join.title') : t('join.name_title'));
    // What was typed stays when the page changes language.
    const typed = root.querySelector('#code, #nickname');
    const typedName = root.querySelector('#nickname') ? root.querySelector('#nickname').value : '';
    const card = current === 'code'
      ? h('form', { class: 'card join', id: 'join-code-form', onsubmit: (e) => {
        e.preventDefault();
        const value = e.currentTarget.querySelector('input').value.trim().toUpperCase();
        if (!value) {
          say({ code: 'need_code' });
          return;
        }
        gameCode = value;
        current = 'name';
        clearErrors(errorBox);
        render();
      } },
      h('h1', null, t('join.title')),
      h('p', { class: 'muted' }, t('join.type_code')),
      h('label', { for: 'code' }, t('join.code_label')),
      h('input', {
        id: 'code', name: 'code', class: 'code-input', value: typed && typed.id === 'code' ? typed.value : gameCode, autocomplete: 'off', autocapitalize: 'characters',
        spellcheck: 'false', maxlength: '12', required: true, 'aria-describedby': 'join-error',
      }),
      errorBox,
      h('button', { type: 'submit', class: 'primary big' }, t('join.next')))
      : h('form', { class: 'card join', id: 'join-name-form', onsubmit: (e) => {
        e.preventDefault();
        const name = e.currentTarget.querySelector('input').value.trim();
        if (!name) {
          say({ code: 'need_name' });
          return;
        }
        join(name);
      } },
      h('h1', null, t('join.name_title')),
      h('p', null, t('join.game'), h('strong', { class: 'code-chip' }, gameCode), ' ',
        h('button', { type: 'button', class: 'link', onclick: () => { current = 'code'; clearErrors(errorBox); render(); } }, t('join.change_code'))),
      h('label', { for: 'nickname' }, t('join.name_label')),
      h('input', { id: 'nickname', name: 'nickname', maxlength: '40', autocomplete: 'nickname', required: true, 'aria-describedby': 'join-error', value: typedName }),
      errorBox,
      h('button', { type: 'submit', class: 'primary big' }, t('join.join')));
    const picker = languagePicker({ id: 'join-lang' });
    fill(root, h('main', { class: 'join-page', id: 'main' },
      h('div', { class: 'join-lang' }, picker),
      card,
      h('p', { class: 'footer-links muted small' },
        h('a', { href: '#/projector' }, t('join.projector_link')), ' · ', h('a', { href: '#/instructor' }, t('join.instructor_link')))));
    // After a change of language the picker keeps the focus; otherwise the first field takes it.
    const input = card.querySelector('input');
    if (input && !relanging) input.focus();
  };
  let relanging = false;

  const join = (name) => {
    const button = root.querySelector('#join-name-form button[type=submit]');
    if (button) button.disabled = true;
    clearErrors(errorBox);
    let welcomed = null;
    const conn = new Connection({
      hello: () => (welcomed ? { type: 'resume', seat_token: welcomed.seat_token } : { type: 'join', code: gameCode, name, device: api.deviceId() }),
      onMessage: (msg) => {
        if (msg.type === 'welcome' && msg.seat_token && !welcomed) {
          welcomed = { seat_token: msg.seat_token, session_id: msg.session_id, player_id: msg.player_id, code: gameCode, name };
          api.saveSeat(welcomed);
          game = new StudentGame(root, welcomed, conn);
          busy = () => game.stop();
          history.replaceState(null, '', '#/');
          return;
        }
        if (game) game.onMessage(msg);
      },
      onStatus: (s) => { if (game) game.onStatus(s); else setStatus(s === 'reconnecting' ? s : 'open'); },
      onAuthError: (err) => {
        if (game) return game.onAuthError(err);
        setStatus('open');
        if (err.code === 'unknown_code' || err.code === 'wrong_phase') {
          current = 'code';
          render();
        } else if (button) {
          button.disabled = false;
        }
        say(err);
        return false;
      },
      onClose: (event) => (game ? game.onClose(event) : true),
    });
    busy = () => conn.stop();
    conn.start();
  };

  render();
  if (error) say(error);
  const leave = () => { if (busy) busy(); };
  leave.relang = () => {
    if (game) return game.relang();
    // The error shown (if any) is worded again in the new language.
    const shown = errorBox.querySelector('.error');
    relanging = true;
    clearErrors(errorBox);
    render();
    relanging = false;
    root.querySelector('#join-lang')?.focus();
    if (shown && lastError) showError(lastError, errorBox);
  };
  return leave;
}

// ---- The game --------------------------------------------------------------------------------------

const TABS = [
  { id: 'round', label: 'tab.round' },
  { id: 'brief', label: 'tab.brief' },
  { id: 'chat', label: 'tab.chat' },
  { id: 'report', label: 'tab.report' },
  { id: 'scores', label: 'tab.scores' },
];

class StudentGame {
  constructor(root, seat, conn = null) {
    this.root = root;
    this.seat = seat;
    this.state = null;
    this.scenario = null;
    this.reports = [];
    this.reportShown = null;
    this.gameOver = null;
    this.tab = 'round';
    this.newReport = false;
    this.pending = false;
    this.stopped = false;
    this.history = null;
    this.conn = conn || new Connection({
      hello: () => ({ type: 'resume', seat_token: this.seat.seat_token }),
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (s) => this.onStatus(s),
      onAuthError: (err) => this.onAuthError(err),
      onClose: (event) => this.onClose(event),
    });
    this.chat = new Chat({
      mode: 'player',
      send: (to, text) => this.conn.send('say', { to, text }),
      visible: () => !document.hidden && (WIDE.matches || this.tab === 'chat'),
      onUnread: () => this.renderTabs(),
    });
    this.build();
    this.onWide = () => { if (WIDE.matches && this.tab === 'chat') this.tab = 'round'; this.renderTabs(); this.chat.markRead(); };
    WIDE.addEventListener('change', this.onWide);
    this.onVisible = () => { if (!document.hidden) this.chat.markRead(); };
    document.addEventListener('visibilitychange', this.onVisible);
    this.stopTicker = startTicker(() => this.state, { announce: true });
    this.reflection = new ReflectionForm({ send: (text) => this.conn.send('reflect', { text }) });
  }

  start() {
    api.syncClock();
    this.conn.start();
  }

  /**
   * The page changed language: tell the server (its answer is a whole `state` with the scenario's
   * texts in the new language), fetch the scenario in it, and draw everything anew. False once the
   * game has been left (the join form took its place).
   */
  relang() {
    if (this.stopped) return false;
    this.conn.setLang();
    this.chat.relang();
    this.reflection.relang();
    this.panels.round.dataset.mode = '';
    this.rerenderAll();
    const id = this.state && this.state.session && this.state.session.scenario;
    if (id) {
      api.scenario(id).then((sc) => {
        if (this.stopped) return;
        this.scenario = sc;
        this.rerenderAll();
      }, () => {});
    }
    return true;
  }

  stop() {
    this.stopped = true;
    this.conn.stop();
    this.stopTicker();
    WIDE.removeEventListener('change', this.onWide);
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  // -- Connection events --

  onStatus(status) {
    setStatus(status);
    if (status === 'open') this.chat.setLive(true);
    if (status === 'reconnecting' || status === 'offline') this.chat.setLive(false);
  }

  onAuthError(err) {
    if (['bad_token', 'unknown_session', 'not_joined'].includes(err.code)) {
      this.leave({ code: err.code, message: err.message });
      return false;
    }
    showError(err);
    return true;
  }

  onClose(event) {
    if (event.code === 4001) {
      this.leave({ code: 'kicked' });
      return false;
    }
    if (event.code === 4003) {
      // Moved by the instructor to another table: the same token opens the new seat.
      return 'now';
    }
    if (event.code === 4002) {
      // The seat was opened in more tabs or devices than it may be: this one gives way (a reload
      // takes it back) rather than fight the newer one.
      showError({ code: 'opened_elsewhere' });
      return false;
    }
    return true;
  }

  /** Forgets the seat and goes back to the join screen (with why). */
  leave(error) {
    api.clearSeat();
    this.stop();
    setStatus('open');
    history.replaceState(null, '', '#/');
    joinForm(this.root, {
      code: '', step: 'code',
      error: error && error.code === 'kicked' ? { code: 'kicked', message: error.message } : error,
    });
  }

  onMessage(msg) {
    if (VIEW_FRAMES.has(msg.type)) {
      const next = applyFrame(this.state, msg);
      if (next !== this.state) this.onState(next);
      return;
    }
    switch (msg.type) {
      case 'round_resolved': this.onReport(msg); break;
      case 'message': this.chat.add(msg); break;
      case 'game_over': this.onGameOver(msg); break;
      case 'kicked': this.leave({ code: 'kicked' }); break;
      case 'moved':
        this.seat = { ...this.seat, session_id: msg.session_id };
        api.saveSeat(this.seat);
        announce(t('student.moved'));
        break;
      case 'error': showError(msg); break;
      default: break;
    }
  }

  async onState(state) {
    const first = !this.state;
    const moved = !first && state.session && this.state.session && state.session.id !== this.state.session.id;
    if (moved) this.newTable();
    this.state = state;
    if (moved) {
      const role = this.myRoleDef();
      const where = state.session.table ? t('student.at_table', { table: state.session.table }) : t('student.at_other_table');
      announce(role ? t('student.now_at_as', { where, role: role.name }) : t('student.now_at', { where }));
    }
    if (!this.history && state.session) this.history = new api.History(state.session.id);
    if (this.history) this.history.fromState(state);
    this.chat.setState(state);
    if (!this.scenario && state.session) {
      try {
        this.scenario = await api.scenario(state.session.scenario);
      } catch (err) {
        showError(err);
      }
      withSource(state.session.scenario, () => this.rerenderAll());
    }
    this.render();
    if (first) focusHeading(this.mainEl);
  }

  /** The seat moved to another table: what belonged to the old one goes. */
  newTable() {
    this.reports = [];
    this.reportShown = null;
    this.gameOver = null;
    this.history = null;
    this.newReport = false;
    this.tab = 'round';
    this.chat.clear();
    this.panels.round.dataset.mode = '';
    for (const r of Object.values(this.regions)) r.reset();
  }

  onReport(report) {
    keepReport(this.reports, this.history, report);
    this.reportShown = report.round;
    if (!report.replay) {
      announce(reportAnnouncement(report, this.scenario));
      const typing = document.activeElement && document.activeElement.id === 'chat-input';
      if (!typing) {
        this.tab = 'report';
        this.newReport = false;
      } else {
        this.newReport = true;
      }
    }
    this.render();
    if (!report.replay && this.tab === 'report') focusHeading(this.panels.report);
  }

  onGameOver(msg) {
    this.gameOver = msg;
    if (this.history) this.history.fromDebrief(msg.debrief || {});
    announce(t('student.game_over_announce'));
    this.tab = 'scores';
    this.render();
    focusHeading(this.panels.scores);
  }

  // -- Actions --

  async act(promise, errorBox) {
    this.pending = true;
    this.renderRound();
    try {
      await promise;
      if (errorBox) clearErrors(errorBox);
    } catch (err) {
      showError(err, errorBox);
    } finally {
      this.pending = false;
      this.renderRound();
    }
  }

  setOrders(orders) {
    const s = this.state;
    return this.act(this.conn.send('set_orders', { round: s.round, orders }), this.draftError);
  }

  addOrder(move, target) {
    const orders = [...(this.state.my_orders || []), target ? { move, target } : { move }];
    return this.setOrders(orders);
  }

  removeOrder(index) {
    const orders = (this.state.my_orders || []).filter((_, i) => i !== index);
    return this.setOrders(orders);
  }

  setReady(ready) {
    const s = this.state;
    return this.act(this.conn.send('ready', { round: s.round, ready }), this.draftError);
  }

  chooseRole(role) {
    return this.act(this.conn.send('choose_role', { role }), this.roleError);
  }

  // -- Layout --

  build() {
    this.headerEl = h('header', { class: 'game-header' });
    this.tabsEl = h('div', { class: 'tabs', role: 'tablist' });
    this.panels = {};
    for (const tab of TABS) {
      this.panels[tab.id] = h('section', {
        class: `panel panel-${tab.id}`, id: `panel-${tab.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${tab.id}`,
      });
    }
    this.panels.chat.appendChild(this.chat.el);
    this.draftError = h('div', { class: 'inline-error', id: 'draft-error' });
    this.roleError = h('div', { class: 'inline-error', id: 'role-error' });
    this.regions = {
      header: region(this.headerEl),
      roles: region(h('div', { class: 'role-choice' })),
      roundHead: region(h('div', { class: 'round-head' })),
      draft: region(h('div', { class: 'draft-body' })),
      moves: region(h('div', { class: 'moves' })),
      side: region(h('div', { class: 'side' })),
      report: region(h('div', { class: 'report-body' })),
      scores: region(h('div', { class: 'scores-body' })),
      brief: region(h('div', { class: 'brief-body' })),
    };
    this.mainEl = h('main', { class: 'student-page', id: 'main' },
      this.headerEl, this.tabsEl,
      h('div', { class: 'student-grid' },
        h('div', { class: 'student-main' }, this.panels.round, this.panels.brief, this.panels.report, this.panels.scores),
        h('aside', { class: 'student-aside' }, this.panels.chat)));
    fill(this.root, this.mainEl);
    this.panels.report.append(this.regions.report.el);
    this.panels.scores.append(this.regions.scores.el);
    this.panels.brief.append(this.regions.brief.el);
  }

  rerenderAll() {
    for (const r of Object.values(this.regions)) r.reset();
    this.render();
  }

  render() {
    if (!this.state || this.stopped) return;
    const s = this.state;
    const role = this.myRoleDef();
    title(role ? t('student.page_title', { role: role.name, round: s.round }) : t('student.choose_title'));
    this.renderHeader();
    this.renderTabs();
    this.renderRound();
    this.renderBrief();
    this.renderReport();
    this.renderScores();
    this.chat.markRead();
  }

  /** The scenario's lesson (objectives, terms, the reflection prompt…), or null. */
  lesson() {
    return this.scenario && this.scenario.lesson ? this.scenario.lesson : null;
  }

  /** The lesson's prompt for a written reflection after the game, or null. */
  reflectionPrompt() {
    const lesson = this.lesson();
    return lesson && lesson.reflection ? lesson.reflection : null;
  }

  /** Whether the seat's role came with a brief: its memo or its private objective. */
  hasBrief() {
    const you = this.state && this.state.you;
    return Boolean(you && you.role && (you.memo || (you.private_objective && you.private_objective.summary)));
  }

  myRole() {
    return this.state && this.state.you ? this.state.you.role : null;
  }

  myRoleDef() {
    const id = this.myRole();
    if (!id || !this.state) return null;
    return (this.state.roles || []).find((r) => r.id === id) || { id, name: id };
  }

  renderHeader() {
    const s = this.state;
    const role = this.myRoleDef();
    const rounds = s.session ? s.session.rounds : '?';
    const table = s.session && s.session.table;
    const roundName = s.round_name ? stripRound(s.round_name) : '';
    const roundText = s.phase === 'lobby' ? t('student.waiting_room')
      : s.phase === 'finished' ? t('student.game_over')
        : s.phase === 'waiting' ? t('student.round_done', { round: Math.min(s.round - 1, rounds), rounds })
          : roundName ? t('round.of_named', { round: Math.min(s.round, rounds), rounds, name: roundName })
            : t('round.of', { round: Math.min(s.round, rounds), rounds });
    const terms = Boolean(this.lesson() && (this.lesson().terms || []).length);
    this.regions.header.update([s.session, s.phase, s.round, s.round_name, role, s.you, s.roles, s.players, terms], () => [
      h('div', { class: 'header-top' },
        h('p', { class: 'game-title' }, s.session ? s.session.title : ''),
        h('p', { class: 'you' },
          table ? h('span', { class: 'table-badge', 'data-table': table }, t('table.n', { table })) : null, table ? ' ' : null,
          role ? h('span', { class: 'role-badge', 'data-role': role.id }, role.name) : null,
          ' ', h('span', { class: 'muted' }, s.you && s.you.name ? s.you.name : ''),
          terms ? ' ' : null, glossaryButton(this.lesson(), { id: 'open-glossary', cls: 'link glossary-link' }),
          ' ', languagePicker({ compact: true, id: 'student-lang' }))),
      h('div', { class: 'header-round' },
        h('h1', { class: 'round-title' }, roundText),
        h('p', { class: 'countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' })),
      s.phase === 'running' || s.phase === 'paused' ? readyLights(s, { names: false, mine: this.myRole() }) : null,
      s.phase === 'waiting' ? h('p', { class: 'notice waiting-notice', id: 'waiting-notice', role: 'status' },
        t('student.waiting_notice', { done: Math.min(s.round - 1, rounds), round: Math.min(s.round, rounds) })) : null,
    ]);
  }

  renderTabs() {
    if (!this.state) return;
    const unread = this.chat.totalUnread();
    this.tabsEl.setAttribute('aria-label', t('tab.screens'));
    const available = TABS.filter((tab) => {
      // In the waiting room the brief is on the first screen; during the game, a tab of its own.
      if (tab.id === 'brief') return this.hasBrief() && this.state.phase !== 'lobby';
      if (tab.id === 'report') return this.reports.length > 0;
      if (tab.id === 'scores') return Boolean(this.gameOver);
      if (tab.id === 'chat') return !WIDE.matches;
      return true;
    });
    if (!available.some((tab) => tab.id === this.tab)) this.tab = 'round';
    this.tabsEl.hidden = available.length < 2;
    const badge = (tab) => {
      if (tab.id === 'chat' && unread) return h('span', { class: 'unread', 'aria-hidden': 'true' }, num(unread));
      if (tab.id === 'report' && this.newReport) return h('span', { class: 'unread dot', 'aria-hidden': 'true' }, t('tab.new'));
      return null;
    };
    // A badge is set apart from the tab's name by a space, so that its words stay words ("Chat 2").
    const spaced = (b) => (b ? [' ', b] : []);
    // After the game, the first tab is where the student writes the reflection.
    const name = (tab) => (tab.id === 'round' && this.state.phase === 'finished' && this.reflectionPrompt() ? t('tab.reflect') : t(tab.label));
    const label = (tab) => (tab.id === 'chat' && unread ? plural('chat.unread', unread, { thread: name(tab) })
      : tab.id === 'report' && this.newReport ? t('tab.new_label', { tab: name(tab) }) : name(tab));
    fill(this.tabsEl, available.map((tab, i) => h('button', {
      type: 'button', role: 'tab', id: `tab-${tab.id}`, class: 'tab', 'data-tab': tab.id, 'data-key': `tab-${tab.id}`,
      'aria-selected': tab.id === this.tab ? 'true' : 'false', 'aria-controls': `panel-${tab.id}`,
      'aria-label': label(tab), tabindex: tab.id === this.tab ? '0' : '-1',
      onclick: () => this.showTab(tab.id),
      onkeydown: (e) => {
        const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
        if (!delta) return;
        e.preventDefault();
        const next = available[(i + delta + available.length) % available.length];
        this.showTab(next.id);
        this.tabsEl.querySelector(`[data-tab="${next.id}"]`)?.focus();
      },
    }, name(tab), ...spaced(badge(tab)))));
    for (const tab of TABS) this.panels[tab.id].classList.toggle('active', tab.id === this.tab);
    // Beside the game on wide screens, the chat is no tab panel: the chat inside it is the region
    // (named by its heading), so the panel itself is a plain container.
    const chatPanel = this.panels.chat;
    if (WIDE.matches) {
      chatPanel.removeAttribute('role');
      chatPanel.removeAttribute('aria-labelledby');
    } else {
      chatPanel.setAttribute('role', 'tabpanel');
      chatPanel.setAttribute('aria-labelledby', 'tab-chat');
    }
  }

  showTab(id) {
    this.tab = id;
    if (id === 'report') this.newReport = false;
    this.renderTabs();
    this.chat.markRead();
    if (id === 'chat') this.chat.render(true);
  }

  // -- Round panel --

  renderRound() {
    const s = this.state;
    if (!s) return;
    const panel = this.panels.round;
    const role = this.myRole();
    let mode;
    if (!role && s.phase !== 'finished') mode = 'choose';
    else if (s.phase === 'lobby') mode = 'lobby';
    else if (s.phase === 'finished') mode = 'over';
    else if (s.phase === 'waiting') mode = 'waiting';
    else mode = 'round';
    // The screen is drawn anew when the mode changes, and for a finished game when the scenario
    // (loaded after the first frames of a resumed seat) brings the lesson's reflection prompt, or
    // `game_over` (it follows the finished `state`) the final scores.
    const over = mode === 'over' ? `${this.reflectionPrompt() ? 'reflect' : ''}|${this.gameOver ? 'scores' : ''}` : '';
    if (panel.dataset.mode !== mode || (panel.dataset.over || '') !== over) {
      panel.dataset.mode = mode;
      panel.dataset.over = over;
      for (const r of Object.values(this.regions)) if (r !== this.regions.header && r !== this.regions.report && r !== this.regions.scores) r.reset();
      if (mode === 'choose') {
        fill(panel, h('h2', { class: 'panel-title' }, t('student.choose_role')),
          h('p', { class: 'muted' }, t('student.share_role')),
          this.roleError, this.regions.roles.el);
      } else if (mode === 'lobby') {
        fill(panel, h('h2', { class: 'panel-title' }, t('student.wait_start')),
          h('p', { class: 'muted' }, this.hasBrief() ? t('student.read_brief') : t('student.read_briefing')),
          this.regions.brief.el, this.regions.side.el, h('h3', null, t('student.teams')), this.roleError, this.regions.roles.el);
      } else if (mode === 'waiting') {
        fill(panel, h('section', { class: 'waiting-screen card', id: 'waiting-screen', 'aria-labelledby': 'waiting-title' },
          h('h2', { id: 'waiting-title', class: 'panel-title' }, t('student.waiting_title')),
          h('p', null, t('student.waiting_text')),
          h('p', null, t('student.waiting_meanwhile')),
          h('button', { type: 'button', class: 'primary', id: 'waiting-report', onclick: () => { this.showTab('report'); focusHeading(this.panels.report); } }, t('student.read_report'))),
        this.regions.side.el);
      } else if (mode === 'over') {
        const prompt = this.reflectionPrompt();
        fill(panel, h('h2', { class: 'panel-title' }, prompt ? t('student.over_reflect') : t('student.over')),
          h('p', null, this.gameOver ? t('student.see_scores') : t('student.scores_shown')),
          prompt ? this.reflection.el : null,
          this.regions.side.el,
          h('button', { type: 'button', class: 'secondary', onclick: () => this.leave(null) }, t('student.join_another')));
      } else {
        fill(panel,
          this.regions.roundHead.el,
          h('section', { class: 'draft', 'aria-labelledby': 'draft-title' },
            h('h2', { id: 'draft-title', class: 'panel-title' }, t('student.your_orders')),
            this.draftError, this.regions.draft.el),
          h('section', { class: 'moves-section', 'aria-labelledby': 'moves-title' },
            h('h2', { id: 'moves-title', class: 'panel-title' }, t('student.moves')),
            this.regions.moves.el),
          this.regions.side.el);
      }
    }
    // The brief sits in the waiting room's first screen, and under its own tab once the game runs.
    if (mode !== 'lobby' && this.regions.brief.el.parentNode !== this.panels.brief) this.panels.brief.append(this.regions.brief.el);
    if (mode === 'over') this.reflection.update({ prompt: this.reflectionPrompt(), saved: s.you ? s.you.reflection : null });
    if (mode === 'choose' || mode === 'lobby') this.renderRoles();
    if (mode === 'round') {
      this.renderRoundHead();
      this.renderDraft();
      this.renderMoves();
    }
    if (mode !== 'choose') this.renderSide();
  }

  /** The team's brief: the role's private objective and memo, marked confidential to the team. */
  renderBrief() {
    const s = this.state;
    const you = s.you || {};
    const sc = this.scenario;
    const role = this.myRoleDef();
    const scId = sc ? sc.id : s.session && s.session.scenario;
    this.regions.brief.update([you.role, you.memo, you.private_objective, Boolean(sc), api.sourceNow(scId) ? 1 : 0], () => {
      if (!this.hasBrief()) return null;
      const name = role ? role.name : you.role;
      const aim = you.private_objective;
      return h('section', { class: 'card brief-card', id: 'brief', 'data-brief-role': you.role, 'aria-labelledby': 'brief-title' },
        h('div', { class: 'brief-head' },
          h('h2', { id: 'brief-title', class: 'panel-title' }, t('brief.title', { role: name })),
          h('p', { class: 'confidential', id: 'brief-confidential' }, t('brief.confidential'))),
        h('p', { class: 'muted small' }, t('brief.only_players', { role: name })),
        aim && aim.summary ? h('section', { class: 'private-aim', 'aria-labelledby': 'private-aim-title' },
          h('h3', { id: 'private-aim-title' }, t('brief.private_objective')),
          h('p', null, privateAimView(scId, aim)),
          h('p', { class: 'muted small' }, t('brief.others_dont_know'))) : null,
        you.memo ? h('section', { class: 'memo-section', 'aria-labelledby': 'memo-title' },
          h('h3', { id: 'memo-title' }, t('brief.memo')),
          memoView(scId, you.memo)) : null,
        glossaryButton(this.lesson(), { id: 'brief-glossary', cls: 'secondary' }));
    });
  }

  renderRoles() {
    const s = this.state;
    const sc = this.scenario;
    const mine = this.myRole();
    const requested = s.you && s.you.requested_role;
    const playersById = new Map((s.players || []).map((p) => [p.player_id, p]));
    this.regions.roles.update([s.roles, s.players, mine, requested, s.phase, this.pending, Boolean(sc)], () => h('ul', { class: 'role-cards' },
      (s.roles || []).map((r) => {
        const def = sc ? sc.roles.find((x) => x.id === r.id) : null;
        const people = (r.players || []).map((id) => playersById.get(id)).filter((p) => p && !p.bot);
        const isMine = r.id === mine;
        let action;
        if (r.bot) action = h('p', { class: 'muted' }, t('role.bot'));
        else if (isMine) {
          action = s.phase === 'lobby'
            ? h('button', { type: 'button', class: 'secondary', 'data-key': `leave-${r.id}`, disabled: this.pending, onclick: () => this.chooseRole(null) }, t('role.leave'))
            : h('p', null, h('strong', null, t('role.yours')));
        } else if (s.phase === 'lobby' || (!mine && !people.length)) {
          action = h('button', { type: 'button', class: 'primary', 'data-key': `choose-${r.id}`, 'data-choose': r.id, disabled: this.pending, onclick: () => this.chooseRole(r.id) }, t('role.play', { role: r.name }));
        } else if (requested === r.id) {
          action = h('p', { class: 'notice', 'data-requested': r.id }, t('role.asked'));
        } else if (!mine) {
          // Once the game runs, joining a team that has players is the teacher's decision.
          action = h('button', { type: 'button', class: 'secondary', 'data-key': `ask-${r.id}`, 'data-ask': r.id, disabled: this.pending, onclick: () => this.chooseRole(r.id) }, t('role.ask', { role: r.name }));
        }
        return h('li', { class: `role-card${isMine ? ' mine' : ''}`, 'data-role': r.id },
          h('h3', null, r.name, isMine ? h('span', { class: 'tag' }, t('role.you_tag')) : null),
          def ? h('p', null, def.briefing) : null,
          def ? h('p', { class: 'objective' }, h('strong', null, t('role.wants')), def.objective.summary, ' ', paras(sc.id, def.objective.essay)) : null,
          h('p', { class: 'team' }, h('span', { class: 'muted' }, t('role.team')),
            r.bot ? t('role.a_bot') : people.length ? names(people.map((p) => (p.connected ? p.name : t('role.offline', { name: p.name })))) : t('role.nobody_yet')),
          action);
      })));
  }

  renderRoundHead() {
    const s = this.state;
    const sc = this.scenario;
    this.regions.roundHead.update([s.round, s.round_name, s.briefing, s.events, s.phase, Boolean(sc)], () => [
      s.phase === 'paused' ? h('p', { class: 'notice' }, t('student.paused')) : null,
      h('section', { class: 'briefing card', 'aria-labelledby': 'briefing-title' },
        h('h2', { id: 'briefing-title', class: 'panel-title' }, s.round_name || t('round.n', { round: s.round })),
        h('p', { class: 'briefing-text' }, s.briefing || ''),
        (s.events || []).map((e) => h('div', { class: 'event', 'data-event': e.id },
          h('h3', null, h('span', { class: 'tag event-tag' }, t('report.event')), ' ', e.name),
          h('p', null, e.text, ' ', paras(sc && sc.id, e.essay))))),
    ]);
  }

  moveDefs() {
    const s = this.state;
    const defs = new Map();
    for (const m of s.moves || []) defs.set(m.id, m);
    return defs;
  }

  scenarioMove(id) {
    const sc = this.scenario;
    const role = this.myRole();
    return sc ? sc.moves.find((m) => m.role === role && m.id === id) : null;
  }

  apLeft() {
    const s = this.state;
    const defs = this.moveDefs();
    const used = (s.my_orders || []).reduce((sum, o) => sum + ((defs.get(o.move) || this.scenarioMove(o.move) || {}).cost || 0), 0);
    return { total: s.action_points || 0, used, left: (s.action_points || 0) - used };
  }

  targetName(id) {
    const sc = this.scenario;
    for (const m of this.state.moves || []) {
      const found = (m.targets || []).find((x) => x.id === id);
      if (found) return found.name;
    }
    const actor = sc && [...(sc.actors || []), ...(sc.roles || [])].find((x) => x.id === id);
    return actor ? actor.name : id;
  }

  renderDraft() {
    const s = this.state;
    const defs = this.moveDefs();
    const ap = this.apLeft();
    const locked = s.ready;
    const running = s.phase === 'running';
    this.regions.draft.update([s.my_orders, s.ready, s.action_points, s.moves, s.phase, this.pending, s.round], () => [
      h('p', { class: 'ap', 'data-ap-left': ap.left },
        pluralParts('draft.ap_left', ap.total, { count: h('strong', null, t('draft.ap_count', { left: ap.left, total: ap.total })) }),
        locked ? h('span', { class: 'tag locked-tag' }, t('draft.locked')) : null),
      (s.my_orders || []).length === 0
        ? h('p', { class: 'muted empty-draft' }, t('draft.empty'))
        : h('ol', { class: 'draft-list' }, s.my_orders.map((o, i) => {
          const def = defs.get(o.move) || this.scenarioMove(o.move) || { name: o.move, cost: '?' };
          return h('li', { class: 'draft-item', 'data-order': o.move },
            h('span', null, h('strong', null, def.name), o.target ? ` → ${this.targetName(o.target)}` : '',
              h('span', { class: 'muted' }, ` · ${t('move.ap', { cost: def.cost })}`)),
            locked || !running ? null : h('button', {
              type: 'button', class: 'link', 'data-key': `remove-${i}`, disabled: this.pending,
              'aria-label': o.target ? t('draft.remove_to_label', { move: def.name, target: this.targetName(o.target) }) : t('draft.remove_label', { move: def.name }),
              onclick: () => this.removeOrder(i),
            }, t('draft.remove')));
        })),
      h('div', { class: 'draft-actions' },
        locked
          ? h('button', { type: 'button', class: 'secondary big', id: 'unlock', 'data-key': 'ready', disabled: this.pending || !running, onclick: () => this.setReady(false) }, t('draft.unlock'))
          : h('button', { type: 'button', class: 'primary big', id: 'lock', 'data-key': 'ready', disabled: this.pending || !running, onclick: () => this.setReady(true) },
            (s.my_orders || []).length ? t('draft.lock') : t('draft.hold')),
        h('p', { class: 'muted small', id: 'lock-help' }, locked ? t('draft.locked_help') : t('draft.lock_help'))),
    ]);
  }

  renderMoves() {
    const s = this.state;
    const sc = this.scenario;
    const ap = this.apLeft();
    const running = s.phase === 'running';
    const roleNames = new Map((s.roles || []).map((r) => [r.id, r.name]));
    const trackNames = new Map(((sc && sc.tracks) || []).map((tr) => [tr.id, tr.name]));
    const effectText = (effects) => Object.entries(effects || {})
      .map(([track, amount]) => `${trackNames.get(track) || track} ${typeof amount === 'number' ? signed(amount) : t('move.varies')}`).join(t('common.list_sep'));
    this.regions.moves.update([s.moves, s.my_orders, s.ready, s.action_points, s.phase, this.pending, Boolean(sc), api.sourceNow(sc && sc.id) ? 1 : 0], () => {
      if (!(s.moves || []).length) return h('p', { class: 'muted' }, t('move.none'));
      return h('ul', { class: 'move-cards' }, s.moves.map((m) => {
        const def = this.scenarioMove(m.id) || {};
        const ordered = (s.my_orders || []).map((o, i) => [o, i]).filter(([o]) => o.move === m.id);
        const affordable = m.cost <= ap.left;
        const disabled = this.pending || s.ready || !running || !affordable;
        const why = !running ? '' : s.ready ? t('move.unlock_first') : !affordable ? t('move.needs', { cost: m.cost, left: ap.left }) : '';
        const partners = m.partners && m.partners.length
          ? m.partners.map((p) => (p === 'target' ? t('move.its_target') : roleNames.get(p) || p))
          : null;
        const targets = m.targets || [];
        const buttons = targets.length
          ? targets.map((target) => {
            const already = ordered.some(([o]) => o.target === target.id);
            return already ? null : h('button', {
              type: 'button', class: 'secondary', 'data-key': `add-${m.id}-${target.id}`, 'data-add': m.id, 'data-target': target.id, disabled,
              'aria-label': t('move.order_target_label', { move: m.name, target: target.name }), onclick: () => this.addOrder(m.id, target.id),
            }, t('move.order_target', { target: target.name }));
          })
          : ordered.length ? [] : [h('button', {
            type: 'button', class: 'secondary', 'data-key': `add-${m.id}`, 'data-add': m.id, disabled,
            'aria-label': t('move.order_label', { move: m.name }), onclick: () => this.addOrder(m.id),
          }, t('move.add'))];
        return h('li', { class: `move-card${ordered.length ? ' chosen' : ''}`, 'data-move': m.id },
          h('div', { class: 'move-head' },
            h('h3', { class: 'move-name' }, m.name),
            h('span', { class: 'cost', 'aria-label': plural('move.costs', m.cost) }, t('move.ap', { cost: m.cost }))),
          h('p', { class: 'move-summary' }, m.summary || (def && def.summary) || '', ' ', paras(sc && sc.id, m.essay || (def && def.essay) || [])),
          partners ? h('p', { class: 'joint' }, h('strong', null, t('move.joint')), jointText(partners, def.joint_need)) : null,
          m.choice_of ? h('p', { class: 'joint' }, h('strong', null, t('move.answer_event'))) : null,
          targets.length ? h('p', { class: 'targets' }, h('span', { class: 'muted' }, t('move.targets')), names(targets.map((target) => target.name))) : null,
          effectText(def.effects) ? h('p', { class: 'effects muted small' }, t('move.if_succeeds', { effects: effectText(def.effects) })) : null,
          ordered.length ? h('p', { class: 'in-orders' }, t('move.in_orders'),
            ordered.map(([o]) => (o.target ? ` (→ ${this.targetName(o.target)})` : ''))) : null,
          h('div', { class: 'move-actions' }, buttons, why && !ordered.length ? h('span', { class: 'muted small' }, why) : null));
      }));
    });
  }

  renderSide() {
    const s = this.state;
    const sc = this.scenario;
    const roleId = this.myRole();
    const def = sc && roleId ? sc.roles.find((r) => r.id === roleId) : null;
    const last = this.reports.find((r) => r.round === s.round - 1);
    const changes = {};
    if (last) for (const tr of last.tracks || []) if (tr.value !== tr.before) changes[tr.id] = tr.value - tr.before;
    const trackNames = new Map(((sc && sc.tracks) || []).map((tr) => [tr.id, tr.name]));
    this.regions.side.update([s.tracks, roleId, s.phase === 'lobby', Boolean(sc), changes, api.sourceNow(sc && sc.id) ? 1 : 0], () => h('div', { class: 'side-cards' },
      def ? h('section', { class: 'card objective-card', 'aria-labelledby': 'objective-title' },
        h('h2', { id: 'objective-title', class: 'panel-title' }, t('objective.title', { role: def.name })),
        h('p', null, def.objective.summary, ' ', paras(sc.id, def.objective.essay)),
        h('p', { class: 'muted small' }, t('objective.scored_on'), scoredText(def.objective.score, trackNames)),
        h('details', { open: s.phase === 'lobby' }, h('summary', null, t('objective.briefing')), h('p', null, def.briefing))) : null,
      h('section', { class: 'card', 'aria-labelledby': 'tracks-title' },
        h('h2', { id: 'tracks-title', class: 'panel-title' }, t('student.standings')),
        trackBars(s.tracks || [], { changes, caption: t('student.tracks_caption') }))));
  }

  // -- Report and scores --

  renderReport() {
    const s = this.state;
    const round = this.reportShown || (this.reports.length ? this.reports[this.reports.length - 1].round : null);
    const report = this.reports.find((r) => r.round === round);
    const sc = this.scenario;
    this.regions.report.update([round, report, this.reports.map((r) => r.round), Boolean(sc), s.phase, s.round, api.sourceNow(sc && sc.id) ? 1 : 0], () => {
      if (!report) return h('p', { class: 'muted' }, t('student.report_later'));
      const select = this.reports.length > 1 ? h('p', { class: 'report-picker' },
        h('label', { for: 'report-round' }, t('student.report_of')),
        h('select', { id: 'report-round', 'data-key': 'report-round', onchange: (e) => { this.reportShown = Number(e.target.value); this.renderReport(); } },
          this.reports.map((r) => h('option', { value: r.round, selected: r.round === round }, t('round.lower', { round: r.round }))))) : null;
      const next = s.phase === 'running' || s.phase === 'paused'
        ? h('button', { type: 'button', class: 'primary', id: 'to-round', 'data-key': 'to-round', onclick: () => { this.showTab('round'); focusHeading(this.panels.round); } }, t('student.go_to_round', { round: s.round }))
        : null;
      return [h('h2', { class: 'panel-title' }, t('student.what_happened')), select, reportView(report, sc, { state: s, mine: this.myRole() }), next];
    });
  }

  renderScores() {
    const sc = this.scenario;
    const prompt = this.reflectionPrompt();
    const written = Boolean(this.state.you && this.state.you.reflection);
    this.regions.scores.update([this.gameOver, Boolean(sc), api.sourceNow(sc && sc.id) ? 1 : 0, Boolean(prompt), written], () => {
      if (!this.gameOver) return null;
      const d = this.gameOver.debrief || {};
      const visible = (d.tracks || []).map((tr) => {
        const def = sc ? sc.tracks.find((x) => x.id === tr.id) : null;
        return { ...tr, min: def ? def.min : 0, max: def ? def.max : 10, summary: def ? def.summary : '' };
      });
      return [
        h('h2', { class: 'panel-title' }, t('scores.final')),
        h('p', { class: 'muted' }, this.gameOver.computed
          ? t('scores.each_role')
          : d.ended_early
            ? plural('scores.ended_after', d.rounds_played)
            : plural('scores.after_rounds', d.rounds_played)),
        scoreboard(this.gameOver, sc, { mine: this.myRole() }),
        prompt ? h('p', { class: 'reflect-cta' }, h('button', {
          type: 'button', class: 'primary big', id: 'to-reflection',
          onclick: () => { this.showTab('round'); this.reflection.field.focus(); },
        }, written ? t('scores.change_reflection') : t('scores.write_reflection'))) : null,
        h('h3', null, t('scores.tracks_over')),
        this.history ? charts(visible, this.history, (this.state.session || {}).rounds || 0) : null,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.leave(null) }, t('student.join_another')),
      ];
    });
  }
}
