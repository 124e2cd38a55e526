// The projector of a class (what `#/projector/CODE` shows when the code is a class's: `watch`
// answers `class_state` instead of `state`). In the lobby, the class code in large type and how many
// have joined; while the class plays, every table side by side (its number, round, clock, who is
// ready and the headline of its last report); at the end, how each table ended. Public
// information only: the server leaves the scores out, and the page has no links (it is on a wall).

import { h, fill, region, announce, focusHeading, title, plural } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { startClassTicker, tableRoundText, tableHeadline, roleNamer, PHASE_WORDS } from './?asset=widgets.js';
import { applyClassFrame, tableStudents, joinedCount } from './?asset=live.js';
import { classDiscussion } from './?asset=lesson.js';

export class ClassProjector {
  constructor(root) {
    this.root = root;
    this.view = null;
    this.scenario = null;
    this.build();
    this.stopTicker = startClassTicker(() => this.view);
  }

  stop() {
    this.stopTicker();
  }

  /** Whether the class is over (its code is then free: the page keeps its last view). */
  finished() {
    return Boolean(this.view && this.view.phase === 'finished');
  }

  build() {
    this.regions = {
      head: region(h('header', { class: 'proj-head' })),
      code: region(h('section', { class: 'proj-code class-proj-code', 'aria-label': 'How to join' })),
      tables: region(h('section', { class: 'class-proj-tables', 'aria-labelledby': 'class-proj-tables-title' })),
    };
    this.mainEl = h('main', { class: 'projector class-projector', id: 'main' },
      this.regions.head.el, this.regions.code.el, this.regions.tables.el);
    fill(this.root, this.mainEl);
  }

  /** A `class_state` or `class_table` frame. */
  onFrame(msg) {
    const first = !this.view;
    const before = this.view;
    this.view = applyClassFrame(this.view, msg);
    if (!this.view) return;
    if (before && before.phase !== this.view.phase) {
      announce(this.view.phase === 'finished' ? 'The class is over.' : `The class is now ${(PHASE_WORDS[this.view.phase] || this.view.phase).toLowerCase()}.`);
    }
    if (first) {
      api.scenario(this.view.class.scenario).then((sc) => {
        this.scenario = sc;
        this.render();
      }, () => {});
    }
    this.render();
    if (first) focusHeading(this.mainEl);
  }

  render() {
    const v = this.view;
    const c = v.class;
    const lobby = v.phase === 'lobby';
    const over = v.phase === 'finished';
    const joined = joinedCount(v);
    this.mainEl.dataset.phase = v.phase;
    title(`Projector · class ${c.join_code}`);
    const prompt = classDiscussion(this.scenario, v, { big: true });
    this.regions.head.update([c, v.phase, v.round, prompt && prompt.dataset.discussion, Boolean(this.scenario)], () => [
      h('p', { class: 'proj-title' }, c.title),
      h('h1', { class: 'proj-round' },
        lobby ? 'Join the class' : over ? 'The class is over'
          : `${v.phase === 'paused' ? 'Paused · ' : ''}Round ${Math.min(v.round, c.rounds)} of ${c.rounds}`),
      lobby || over ? null : h('p', { class: 'class-proj-join' }, 'Join: ', h('strong', { class: 'code-chip', 'data-join-code': c.join_code }, c.join_code)),
      h('p', { class: 'proj-countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
      prompt,
    ]);
    this.regions.code.el.hidden = !lobby;
    this.regions.code.update([lobby, c.join_code, joined], () => (lobby ? [
      h('p', { class: 'proj-code-label' }, 'Go to ', h('strong', { class: 'proj-url' }, location.host), ' and enter the code'),
      h('p', { class: 'proj-code-value', 'data-join-code': c.join_code, 'aria-label': `Join code ${c.join_code.split('').join(' ')}` }, c.join_code),
      h('p', { class: 'class-proj-joined', id: 'class-proj-joined', 'data-joined': joined },
        joined ? `${plural(joined, 'student has', 'students have')} joined` : 'Nobody has joined yet'),
    ] : null));
    const roleName = roleNamer(this.scenario);
    this.regions.tables.update([v.tables, v.phase, Boolean(this.scenario)], () => {
      if (!v.tables.length) return null;
      return [
        h('h2', { id: 'class-proj-tables-title', class: lobby ? 'visually-hidden' : null },
          lobby ? 'The tables so far' : over ? 'How each table ended' : `${plural(v.tables.length, 'table')}, one clock`),
        h('ul', { class: `class-proj-grid plain${lobby ? ' lobby' : ''}` }, v.tables.map((t) => this.tableCard(t, roleName))),
      ];
    });
  }

  /** Where a finished table's public tracks ended (the scenario's names once it has loaded). */
  finalTracks(t) {
    const values = Object.entries(t.tracks || {});
    if (!values.length) return null;
    const defs = (this.scenario && this.scenario.tracks) || [];
    const name = (id) => (defs.find((d) => d.id === id) || {}).name || id;
    return h('dl', { class: 'class-proj-tracks', 'data-final-tracks': '' }, values.flatMap(([id, value]) => [
      h('dt', null, name(id)),
      h('dd', { 'data-track': id }, String(value)),
    ]));
  }

  /** One table: number, phase, round and clock, each role (who plays it, ready), the last headline. */
  tableCard(t, roleName) {
    const c = this.view.class;
    const playing = t.phase === 'running' || t.phase === 'paused';
    return h('li', { class: 'class-proj-table', 'data-table': t.table, 'data-phase': t.phase },
      h('div', { class: 'class-proj-table-head' },
        h('h3', null, `Table ${t.table}`),
        t.phase === 'lobby' ? null : h('span', { class: `status-tag ${t.phase}`, 'data-table-phase': t.phase }, PHASE_WORDS[t.phase] || t.phase)),
      t.phase === 'lobby' ? null : h('p', { class: 'class-proj-round' }, tableRoundText(t, c.rounds),
        playing ? [' · ', h('span', { class: 'class-proj-clock', 'data-countdown': String(t.table) })] : null),
      h('ul', { class: 'class-proj-roles plain' }, (t.roles || []).map((r) => {
        const people = r.players || [];
        const light = r.bot ? 'bot' : !people.length ? 'empty' : r.ready && playing ? 'on' : 'off';
        return h('li', { class: `ready-chip ${light}`, 'data-role': r.id, 'data-ready': r.ready ? '1' : '0' },
          playing ? h('span', { class: 'light', 'aria-hidden': 'true' }) : null,
          h('span', { class: 'chip-role' }, roleName(r.id)),
          h('span', { class: 'chip-names' }, r.bot ? 'bot' : people.length ? people.map((p) => p.name).join(', ') : '—'),
          playing && !r.bot && people.length ? h('span', { class: 'visually-hidden' }, r.ready ? ', ready' : ', not ready yet') : null);
      })),
      t.phase === 'finished' ? this.finalTracks(t) : null,
      tableHeadline(t) ? h('p', { class: 'class-proj-headline' }, tableHeadline(t))
        : t.phase === 'finished' ? h('p', { class: 'class-proj-headline muted' }, 'No round was played.') : null,
      t.phase === 'lobby' ? h('p', { class: 'muted small' }, plural(tableStudents(t).length, 'student')) : null);
  }
}
