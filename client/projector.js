// The projector (big screen for the class): the join code in large type, who joined each role,
// the round, countdown and ready lights, the public tracks as charts over the rounds, and the
// last round's report with its discussion prompt for the class (spectators' reports carry it). It
// connects with `watch`, so the server sends it public information only.
// A class's code answers `class_state` instead of `state`: the page then shows the class
// (class-projector.js).

import { h, fill, region, announce, showError, clearErrors, focusHeading, title } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { readyLights, startTicker, charts, scoreboard, setStatus, withSource, stripRound, studentsUnreachable } from './?asset=widgets.js';
import { applyFrame, keepReport, VIEW_FRAMES, CLASS_FRAMES } from './?asset=live.js';
import { reportView, reportAnnouncement } from './?asset=report.js';
import { discussionBox } from './?asset=lesson.js';
import { ClassProjector } from './?asset=class-projector.js';
import { t, tParts, names, languagePicker } from './?asset=i18n.js';

export function projectorPage(root, { code } = {}) {
  if (!code) return codeForm(root);
  const view = new Projector(root, code.toUpperCase());
  view.start();
  const leave = () => view.stop();
  leave.relang = () => view.relang();
  return leave;
}

function codeForm(root, error) {
  title(t('projector.title'));
  const errorBox = h('div', { class: 'inline-error' });
  fill(root, h('main', { class: 'join-page', id: 'main' },
    h('div', { class: 'join-lang' }, languagePicker({ id: 'projector-lang' })),
    h('form', { class: 'card join', onsubmit: (e) => {
      e.preventDefault();
      const value = e.currentTarget.querySelector('input').value.trim().toUpperCase();
      if (value) location.hash = `#/projector/${encodeURIComponent(value)}`;
    } },
    h('h1', null, t('projector.view')),
    h('p', { class: 'muted' }, t('projector.intro')),
    h('label', { for: 'projector-code' }, t('join.code_label')),
    h('input', { id: 'projector-code', class: 'code-input', autocomplete: 'off', autocapitalize: 'characters', required: true }),
    errorBox,
    h('button', { type: 'submit', class: 'primary big' }, t('projector.show')))));
  if (error) showError(error, errorBox);
  root.querySelector('input').focus();
  return () => clearErrors(errorBox);
}

class Projector {
  constructor(root, code) {
    this.root = root;
    this.code = code;
    this.state = null;
    this.scenario = null;
    this.reports = [];
    this.gameOver = null;
    this.history = null;
    this.classView = null;
    this.conn = new Connection({
      hello: () => ({ type: 'watch', code: this.code }),
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (s) => setStatus(s === 'closed' && this.over() ? 'open' : s),
      onAuthError: (err) => {
        if (this.over()) {
          // The game (or class) is over and its code released: keep showing the final screen.
          return false;
        }
        if (this.classView && err.code === 'unknown_code') {
          // The class was deleted: keep its last view, and say so.
          showError(err);
          return false;
        }
        if (['unknown_code', 'bad_request', 'wrong_phase'].includes(err.code) && !this.state) {
          this.stop();
          codeForm(this.root, err);
          return false;
        }
        showError(err);
        return true;
      },
    });
    this.build();
    this.stopTicker = startTicker(() => this.state);
  }

  start() {
    this.conn.start();
  }

  stop() {
    this.conn.stop();
    this.stopTicker();
    if (this.classView) this.classView.stop();
    setStatus('open');
  }

  /** The page changed language: tell the server, fetch the scenario in it, draw everything anew. */
  relang() {
    this.conn.setLang();
    if (this.classView) {
      this.classView.relang();
      return;
    }
    this.toolsEl.replaceChildren(languagePicker({ compact: true, id: 'projector-lang' }));
    const id = this.state && this.state.session && this.state.session.scenario;
    const again = () => { for (const r of Object.values(this.regions)) r.reset(); this.render(); };
    again();
    if (id) api.scenario(id).then((sc) => { this.scenario = sc; again(); }, () => {});
  }

  over() {
    return Boolean((this.state && this.state.phase === 'finished') || (this.classView && this.classView.finished()));
  }

  build() {
    this.regions = {
      head: region(h('header', { class: 'proj-head' })),
      code: region(h('section', { class: 'proj-code' })),
      roles: region(h('section', { class: 'proj-roles', 'aria-labelledby': 'proj-roles-title' })),
      charts: region(h('section', { class: 'proj-charts', 'aria-labelledby': 'proj-charts-title' })),
      report: region(h('section', { class: 'proj-report' })),
    };
    // The teacher may change the projector's language: a small picker in the corner.
    this.toolsEl = h('div', { class: 'proj-tools no-print' }, languagePicker({ compact: true, id: 'projector-lang' }));
    this.mainEl = h('main', { class: 'projector', id: 'main' },
      this.toolsEl,
      this.regions.head.el,
      h('div', { class: 'proj-grid' },
        h('div', { class: 'proj-left' }, this.regions.code.el, this.regions.roles.el),
        h('div', { class: 'proj-right' }, this.regions.report.el, this.regions.charts.el)));
    fill(this.root, this.mainEl);
    document.body.classList.add('on-projector');
    document.documentElement.classList.add('on-projector');
  }

  onMessage(msg) {
    if (CLASS_FRAMES.has(msg.type)) {
      if (!this.classView) {
        // A class's code: its own view replaces this one (and keeps its own clocks).
        this.stopTicker();
        this.stopTicker = () => {};
        this.classView = new ClassProjector(this.root);
        this.toolsEl = null;
      }
      this.classView.onFrame(msg);
      return;
    }
    if (VIEW_FRAMES.has(msg.type)) {
      const next = applyFrame(this.state, msg);
      if (next !== this.state) this.onState(next);
      return;
    }
    switch (msg.type) {
      case 'round_resolved': {
        keepReport(this.reports, this.history, msg);
        if (!msg.replay) announce(reportAnnouncement(msg, this.scenario));
        this.render();
        break;
      }
      case 'game_over':
        this.gameOver = msg;
        if (this.history) this.history.fromDebrief(msg.debrief || {});
        announce(t('projector.game_over_announce'));
        this.render();
        break;
      case 'error': showError(msg); break;
      default: break;
    }
  }

  async onState(state) {
    const first = !this.state;
    this.state = state;
    if (!this.history) this.history = new api.History(state.session.id);
    this.history.fromState(state);
    if (!this.scenario) {
      try {
        this.scenario = await api.scenario(state.session.scenario);
      } catch (err) {
        showError(err);
      }
      withSource(state.session.scenario, () => { this.regions.report.reset(); this.render(); });
    }
    this.render();
    if (first) focusHeading(this.mainEl);
  }

  render() {
    const s = this.state;
    if (!s) return;
    const sc = this.scenario;
    const rounds = s.session.rounds;
    const lobby = s.phase === 'lobby';
    this.mainEl.dataset.phase = s.phase;
    title(t('projector.page_title', { code: s.session.join_code }));
    this.regions.code.el.setAttribute('aria-label', t('projector.how_to_join'));
    const roundName = s.round_name ? stripRound(s.round_name) : '';
    this.regions.head.update([s.session, s.phase, s.round, s.round_name], () => [
      h('p', { class: 'proj-title' }, s.session.title),
      h('h1', { class: 'proj-round' },
        lobby ? t('projector.join_game') : s.phase === 'finished' ? t('student.game_over')
          : roundName ? t('projector.round_named', { round: Math.min(s.round, rounds), rounds, name: roundName })
            : t('round.of', { round: Math.min(s.round, rounds), rounds })),
      h('p', { class: 'proj-countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
    ]);
    this.regions.code.update([s.session.join_code, lobby, s.phase], () => (s.phase === 'finished' ? null : [
      goTo(),
      h('p', { class: 'proj-code-value', 'data-join-code': s.session.join_code, 'aria-label': t('projector.code_label', { code: s.session.join_code.split('').join(' ') }) }, s.session.join_code),
      lobby ? joinQr(s.session.join_code) : null,
    ]));
    this.regions.code.el.hidden = s.phase === 'finished';
    const playersById = new Map((s.players || []).map((p) => [p.player_id, p]));
    this.regions.roles.update([s.roles, s.players, s.phase, Boolean(sc)], () => [
      h('h2', { id: 'proj-roles-title' }, lobby ? t('projector.who_joined') : s.phase === 'finished' ? t('student.teams') : t('ready.label')),
      s.phase === 'running' || s.phase === 'paused'
        ? readyLights(s, { names: true })
        : h('ul', { class: 'proj-teams' }, (s.roles || []).map((r) => {
          const people = (r.players || []).map((id) => playersById.get(id)).filter((p) => p && !p.bot);
          return h('li', { class: 'proj-team', 'data-role': r.id },
            h('strong', null, r.name),
            h('span', null, r.bot ? t('ready.bot') : people.length ? names(people.map((p) => p.name)) : '—'));
        })),
      lobby ? h('p', { class: 'proj-unassigned muted' }, waiting(s)) : null,
      s.phase === 'paused' ? h('p', { class: 'notice' }, t('projector.paused')) : null,
    ]);
    const last = this.reports[this.reports.length - 1];
    const playing = s.phase === 'running' || s.phase === 'paused';
    this.regions.report.update([last, Boolean(sc), this.gameOver, api.sourceNow(sc && sc.id) ? 1 : 0, s.phase, s.round, s.briefing, s.events], () => {
      if (this.gameOver) {
        // The last round's prompt stays up: the class talks it over with the final scores.
        return [discussionBox(sc && sc.id, last, { big: true }), h('h2', null, t('scores.final')), scoreboard(this.gameOver, sc)];
      }
      const now = playing ? h('section', { class: 'proj-now', 'aria-label': t('projector.this_round') },
        h('p', { class: 'proj-briefing' }, s.briefing || ''),
        (s.events || []).map((e) => h('p', { class: 'event' }, h('strong', null, t('projector.event', { name: e.name })), e.text))) : null;
      if (!last) return now;
      return [now, reportView(last, sc, { state: s, big: true })];
    });
    const publicTracks = (s.tracks || []).filter((tr) => !tr.private);
    this.regions.charts.update([publicTracks.map((tr) => tr.id), this.history.rounds, rounds, lobby], () => (lobby ? null : [
      h('h2', { id: 'proj-charts-title' }, t('projector.public_tracks')),
      charts(publicTracks, this.history, rounds),
    ]));
  }
}

function waiting(s) {
  const free = (s.players || []).filter((p) => !p.bot && !p.role);
  return free.length ? t('projector.still_choosing', { names: names(free.map((p) => p.name)) }) : '';
}

/**
 * "Go to <host> and enter the code", with the address students type in bold; and, when their
 * devices cannot reach this server at all, what the teacher must change.
 */
export function goTo() {
  const { host } = api.studentsHost();
  return [
    h('p', { class: 'proj-code-label' }, tParts('projector.go_to', { host: h('strong', { class: 'proj-url' }, host) })),
    studentsUnreachable(),
  ];
}

/**
 * The join link of `code` as a QR code (drawn by the server: `GET /api/qr`): a phone's camera
 * opens the join screen with the code typed. None when students' devices cannot reach the server,
 * or when the only address known is this computer's `localhost`.
 */
export function joinQr(code) {
  const { unreachable, unknown } = api.studentsHost();
  if (unreachable || unknown) return null;
  const link = api.joinLink(code);
  return h('figure', { class: 'proj-qr' },
    h('img', { src: `/api/qr?url=${encodeURIComponent(link)}`, alt: t('projector.qr_alt', { link }), width: 256, height: 256, 'data-link': link }),
    h('figcaption', null, t('projector.scan')));
}
