// The projector of a class (what `#/projector/CODE` shows when the code is a class's: `watch`
// answers `class_state` instead of `state`). In the lobby, the class code in large type and how many
// have joined; while the class plays, every table side by side (its number, round, clock, who is
// ready and the headline of its last report); at the end, how each table ended. Public
// information only: the server leaves the scores out, and the page has no links (it is on a wall).

import { h, fill, region, announce, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { startClassTicker, tableRoundText, tableHeadline, roleNamer, phaseWords } from './?asset=widgets.js';
import { applyClassFrame, tableStudents, joinedCount } from './?asset=live.js';
import { classDiscussion } from './?asset=lesson.js';
import { goTo, joinQr } from './?asset=projector.js';
import { t, plural, names, num, languagePicker } from './?asset=i18n.js';

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
      code: region(h('section', { class: 'proj-code class-proj-code' })),
      tables: region(h('section', { class: 'class-proj-tables', 'aria-labelledby': 'class-proj-tables-title' })),
    };
    this.toolsEl = h('div', { class: 'proj-tools no-print' });
    this.mainEl = h('main', { class: 'projector class-projector', id: 'main' },
      this.toolsEl, this.regions.head.el, this.regions.code.el, this.regions.tables.el);
    fill(this.root, this.mainEl);
    this.words();
  }

  words() {
    this.toolsEl.replaceChildren(languagePicker({ compact: true, id: 'projector-lang' }));
    this.regions.code.el.setAttribute('aria-label', t('projector.how_to_join'));
  }

  /** The page changed language (the projector told the server): the scenario in it, and every region anew. */
  relang() {
    this.words();
    const again = () => { for (const r of Object.values(this.regions)) r.reset(); if (this.view) this.render(); };
    again();
    if (this.view) api.scenario(this.view.class.scenario).then((sc) => { this.scenario = sc; again(); }, () => {});
  }

  /** A `class_state` or `class_table` frame. */
  onFrame(msg) {
    const first = !this.view;
    const before = this.view;
    this.view = applyClassFrame(this.view, msg);
    if (!this.view) return;
    if (before && before.phase !== this.view.phase) {
      announce(this.view.phase === 'finished' ? t('class.over_announce') : t('class.now_announce', { phase: phaseWords(this.view.phase) }));
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
    title(t('projector.class_page_title', { code: c.join_code }));
    const prompt = classDiscussion(this.scenario, v, { big: true });
    this.regions.head.update([c, v.phase, v.round, prompt && prompt.dataset.discussion, Boolean(this.scenario)], () => [
      h('p', { class: 'proj-title' }, c.title),
      h('h1', { class: 'proj-round' },
        lobby ? t('projector.join_class') : over ? t('class.over')
          : v.phase === 'paused' ? t('projector.paused_round', { round: Math.min(v.round, c.rounds), rounds: c.rounds })
            : t('round.of', { round: Math.min(v.round, c.rounds), rounds: c.rounds })),
      lobby || over ? null : h('p', { class: 'class-proj-join' }, t('projector.join'), h('strong', { class: 'code-chip', 'data-join-code': c.join_code }, c.join_code)),
      h('p', { class: 'proj-countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
      prompt,
    ]);
    this.regions.code.el.hidden = !lobby;
    this.regions.code.update([lobby, c.join_code, joined], () => (lobby ? [
      goTo(),
      h('p', { class: 'proj-code-value', 'data-join-code': c.join_code, 'aria-label': t('projector.code_label', { code: c.join_code.split('').join(' ') }) }, c.join_code),
      joinQr(c.join_code),
      h('p', { class: 'class-proj-joined', id: 'class-proj-joined', 'data-joined': joined },
        joined ? plural('class.joined', joined) : t('class.nobody_joined')),
    ] : null));
    const roleName = roleNamer(this.scenario);
    this.regions.tables.update([v.tables, v.phase, Boolean(this.scenario)], () => {
      if (!v.tables.length) return null;
      return [
        h('h2', { id: 'class-proj-tables-title', class: lobby ? 'visually-hidden' : null },
          lobby ? t('class.tables_so_far') : over ? t('class.how_ended') : plural('class.tables_one_clock', v.tables.length)),
        h('ul', { class: `class-proj-grid plain${lobby ? ' lobby' : ''}` }, v.tables.map((tb) => this.tableCard(tb, roleName))),
      ];
    });
  }

  /** Where a finished table's public tracks ended (the scenario's names once it has loaded). */
  finalTracks(tb) {
    const values = Object.entries(tb.tracks || {});
    if (!values.length) return null;
    const defs = (this.scenario && this.scenario.tracks) || [];
    const name = (id) => (defs.find((d) => d.id === id) || {}).name || id;
    return h('dl', { class: 'class-proj-tracks', 'data-final-tracks': '' }, values.flatMap(([id, value]) => [
      h('dt', null, name(id)),
      h('dd', { 'data-track': id }, num(value)),
    ]));
  }

  /** One table: number, phase, round and clock, each role (who plays it, ready), the last headline. */
  tableCard(tb, roleName) {
    const c = this.view.class;
    const playing = tb.phase === 'running' || tb.phase === 'paused';
    return h('li', { class: 'class-proj-table', 'data-table': tb.table, 'data-phase': tb.phase },
      h('div', { class: 'class-proj-table-head' },
        h('h3', null, t('table.n', { table: tb.table })),
        tb.phase === 'lobby' ? null : h('span', { class: `status-tag ${tb.phase}`, 'data-table-phase': tb.phase }, phaseWords(tb.phase))),
      tb.phase === 'lobby' ? null : h('p', { class: 'class-proj-round' }, tableRoundText(tb, c.rounds),
        playing ? [' · ', h('span', { class: 'class-proj-clock', 'data-countdown': String(tb.table) })] : null),
      h('ul', { class: 'class-proj-roles plain' }, (tb.roles || []).map((r) => {
        const people = r.players || [];
        const light = r.bot ? 'bot' : !people.length ? 'empty' : r.ready && playing ? 'on' : 'off';
        return h('li', { class: `ready-chip ${light}`, 'data-role': r.id, 'data-ready': r.ready ? '1' : '0' },
          playing ? h('span', { class: 'light', 'aria-hidden': 'true' }) : null,
          h('span', { class: 'chip-role' }, roleName(r.id)),
          h('span', { class: 'chip-names' }, r.bot ? t('ready.bot') : people.length ? names(people.map((p) => p.name)) : '—'),
          playing && !r.bot && people.length ? h('span', { class: 'visually-hidden' }, r.ready ? t('class.sr_ready') : t('class.sr_not_ready')) : null);
      })),
      tb.phase === 'finished' ? this.finalTracks(tb) : null,
      tableHeadline(tb) ? h('p', { class: 'class-proj-headline' }, tableHeadline(tb))
        : tb.phase === 'finished' ? h('p', { class: 'class-proj-headline muted' }, t('class.no_round_played')) : null,
      tb.phase === 'lobby' ? h('p', { class: 'muted small' }, plural('class.students', tableStudents(tb).length)) : null);
  }
}
