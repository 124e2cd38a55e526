// The projector (big screen for the class): the join code in large type, who joined each role,
// the round, countdown and ready lights, the public tracks as charts over the rounds, and the
// last round's report with its discussion prompt for the class (spectators' reports carry it). It
// connects with `watch`, so the server sends it public information only.
// A class's code answers `class_state` instead of `state`: the page then shows the class
// (class-projector.js).

import { h, fill, region, announce, showError, clearErrors, focusHeading, title } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { readyLights, startTicker, charts, scoreboard, setStatus, withSource } from './?asset=widgets.js';
import { applyFrame, VIEW_FRAMES, CLASS_FRAMES } from './?asset=live.js';
import { reportView, reportAnnouncement } from './?asset=report.js';
import { discussionBox } from './?asset=lesson.js';
import { ClassProjector } from './?asset=class-projector.js';

export function projectorPage(root, { code } = {}) {
  if (!code) return codeForm(root);
  const view = new Projector(root, code.toUpperCase());
  view.start();
  return () => view.stop();
}

function codeForm(root, error) {
  title('Projector');
  const errorBox = h('div', { class: 'inline-error' });
  fill(root, h('main', { class: 'join-page', id: 'main' },
    h('form', { class: 'card join', onsubmit: (e) => {
      e.preventDefault();
      const value = e.currentTarget.querySelector('input').value.trim().toUpperCase();
      if (value) location.hash = `#/projector/${encodeURIComponent(value)}`;
    } },
    h('h1', null, 'Projector view'),
    h('p', { class: 'muted' }, 'Shows the game to the class: public information only.'),
    h('label', { for: 'projector-code' }, 'Game code'),
    h('input', { id: 'projector-code', class: 'code-input', autocomplete: 'off', autocapitalize: 'characters', required: true }),
    errorBox,
    h('button', { type: 'submit', class: 'primary big' }, 'Show'))));
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

  over() {
    return Boolean((this.state && this.state.phase === 'finished') || (this.classView && this.classView.finished()));
  }

  build() {
    this.regions = {
      head: region(h('header', { class: 'proj-head' })),
      code: region(h('section', { class: 'proj-code', 'aria-label': 'How to join' })),
      roles: region(h('section', { class: 'proj-roles', 'aria-labelledby': 'proj-roles-title' })),
      charts: region(h('section', { class: 'proj-charts', 'aria-labelledby': 'proj-charts-title' })),
      report: region(h('section', { class: 'proj-report' })),
    };
    this.mainEl = h('main', { class: 'projector', id: 'main' },
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
        const i = this.reports.findIndex((r) => r.round === msg.round);
        if (i >= 0) this.reports[i] = msg; else this.reports.push(msg);
        this.reports.sort((a, b) => a.round - b.round);
        if (this.history) this.history.fromReport(msg);
        if (!msg.replay) announce(reportAnnouncement(msg, this.scenario));
        this.render();
        break;
      }
      case 'game_over':
        this.gameOver = msg;
        if (this.history) this.history.fromDebrief(msg.debrief || {});
        announce('The game is over.');
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
    title(`Projector · ${s.session.join_code}`);
    this.regions.head.update([s.session, s.phase, s.round, s.round_name], () => [
      h('p', { class: 'proj-title' }, s.session.title),
      h('h1', { class: 'proj-round' },
        lobby ? 'Join the game' : s.phase === 'finished' ? 'Game over'
          : `Round ${Math.min(s.round, rounds)} of ${rounds}${s.round_name ? ` · ${s.round_name.replace(/^Round\s+\d+\s*[:·.\-–—]\s*/, '')}` : ''}`),
      h('p', { class: 'proj-countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
    ]);
    this.regions.code.update([s.session.join_code, lobby, s.phase], () => (s.phase === 'finished' ? null : [
      h('p', { class: 'proj-code-label' }, 'Go to ', h('strong', { class: 'proj-url' }, `${location.host}`), ' and enter the code'),
      h('p', { class: 'proj-code-value', 'data-join-code': s.session.join_code, 'aria-label': `Join code ${s.session.join_code.split('').join(' ')}` }, s.session.join_code),
    ]));
    this.regions.code.el.hidden = s.phase === 'finished';
    const playersById = new Map((s.players || []).map((p) => [p.player_id, p]));
    this.regions.roles.update([s.roles, s.players, s.phase, Boolean(sc)], () => [
      h('h2', { id: 'proj-roles-title' }, lobby ? 'Who has joined' : s.phase === 'finished' ? 'Teams' : 'Who is ready'),
      s.phase === 'running' || s.phase === 'paused'
        ? readyLights(s, { names: true })
        : h('ul', { class: 'proj-teams' }, (s.roles || []).map((r) => {
          const people = (r.players || []).map((id) => playersById.get(id)).filter((p) => p && !p.bot);
          return h('li', { class: 'proj-team', 'data-role': r.id },
            h('strong', null, r.name),
            h('span', null, r.bot ? 'bot' : people.length ? people.map((p) => p.name).join(', ') : '—'));
        })),
      lobby ? h('p', { class: 'proj-unassigned muted' }, waiting(s)) : null,
      s.phase === 'paused' ? h('p', { class: 'notice' }, 'Paused by the instructor') : null,
    ]);
    const last = this.reports[this.reports.length - 1];
    const playing = s.phase === 'running' || s.phase === 'paused';
    this.regions.report.update([last, Boolean(sc), this.gameOver, api.sourceNow(sc && sc.id) ? 1 : 0, s.phase, s.round, s.briefing, s.events], () => {
      if (this.gameOver) {
        // The last round's prompt stays up: the class talks it over with the final scores.
        return [discussionBox(sc && sc.id, last, { big: true }), h('h2', null, 'Final scores'), scoreboard(this.gameOver, sc)];
      }
      const now = playing ? h('section', { class: 'proj-now', 'aria-label': 'This round' },
        h('p', { class: 'proj-briefing' }, s.briefing || ''),
        (s.events || []).map((e) => h('p', { class: 'event' }, h('strong', null, `Event: ${e.name}. `), e.text))) : null;
      if (!last) return now;
      return [now, reportView(last, sc, { state: s, big: true })];
    });
    const publicTracks = (s.tracks || []).filter((t) => !t.private);
    this.regions.charts.update([publicTracks.map((t) => t.id), this.history.rounds, rounds, lobby], () => (lobby ? null : [
      h('h2', { id: 'proj-charts-title' }, 'Public tracks over the rounds'),
      charts(publicTracks, this.history, rounds),
    ]));
  }
}

function waiting(s) {
  const free = (s.players || []).filter((p) => !p.bot && !p.role);
  return free.length ? `Still choosing a role: ${free.map((p) => p.name).join(', ')}` : '';
}
