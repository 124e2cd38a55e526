// The printable debrief of a class (`#/instructor/class-debrief/ID`, from
// `GET /api/classes/{id}/debrief`): the spread of outcomes across its tables (every role's lowest,
// mean and highest score; every track's lowest, mean and highest final value), then the
// comparison of its tables as compare.js draws it (each table's scores, where each table's tracks
// ended, which tables made each move in which round), each table named by its number. The Print
// button calls window.print(); the print stylesheet hides the navigation and the buttons.

import { h, fill, focusHeading, title, scrollBox } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { loadPage } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, classExportMenu, classStatusWords } from './?asset=stored.js';
import { comparisonSections } from './?asset=compare.js';
import { t, plural, num } from './?asset=i18n.js';

/** A range bar: lowest to highest of `range` within `min..max`, the mean marked (the numbers are in the row). */
function rangeBar(range, min, max) {
  if (!range || range.min === null || range.min === undefined) return h('span', { class: 'muted' }, '—');
  const span = Math.max(1, max - min);
  const pct = (v) => Math.max(0, Math.min(100, ((v - min) / span) * 100));
  return h('div', { class: 'spread-bar', 'aria-hidden': 'true', title: t('spread.bar_title', { low: range.min, high: range.max, mean: range.mean, min, max }) },
    h('div', { class: 'spread-range', style: `left:${pct(range.min)}%;width:${Math.max(1, pct(range.max) - pct(range.min))}%` }),
    h('div', { class: 'spread-mean', style: `left:${pct(range.mean)}%` }));
}

/** The spread of outcomes across the tables: one row per role (scores), one per track (final values). */
function spreadSection(spread, full) {
  const roles = (spread && spread.roles) || [];
  const tracks = (spread && spread.tracks) || [];
  const trackDef = (id) => ((full && full.tracks) || []).find((tr) => tr.id === id) || {};
  const row = (id, name, range, min, max) => h('tr', { 'data-spread': id },
    h('th', { scope: 'row' }, name || id),
    h('td', { 'data-min': range ? range.min ?? '' : '' }, range && range.min !== null ? num(range.min) : '—'),
    h('td', { 'data-mean': range ? range.mean ?? '' : '' }, range && range.mean !== null ? num(range.mean) : '—'),
    h('td', { 'data-max': range ? range.max ?? '' : '' }, range && range.max !== null ? num(range.max) : '—'),
    h('td', { class: 'spread-col' }, rangeBar(range, min, max)));
  const head = (first) => h('thead', null, h('tr', null, [first, t('spread.lowest'), t('spread.mean'), t('spread.highest'), t('spread.spread')].map((c) => h('th', { scope: 'col' }, c))));
  return h('section', { class: 'card debrief-section', id: 'class-spread', 'aria-labelledby': 'class-spread-title' },
    h('h2', { id: 'class-spread-title' }, t('spread.title')),
    h('p', { class: 'muted small' }, t('spread.intro')),
    roles.length ? scrollBox(h('table', { class: 'debrief-table spread-table', id: 'class-spread-roles' },
      h('caption', null, t('spread.roles_caption')),
      head(t('col.role')),
      h('tbody', null, roles.map((r) => row(r.role, r.name, r.scores, 0, 100))))) : null,
    tracks.length ? scrollBox(h('table', { class: 'debrief-table spread-table', id: 'class-spread-tracks' },
      h('caption', null, t('spread.tracks_caption')),
      head(t('report.track')),
      h('tbody', null, tracks.map((tr) => {
        const def = trackDef(tr.track);
        return row(tr.track, tr.name, tr.final, def.min ?? 0, def.max ?? 10);
      })))) : null,
    !roles.length && !tracks.length ? h('p', { class: 'muted', 'data-empty': '' }, t('spread.none')) : null);
}

export function classDebriefPage(root, key, classId) {
  title(t('cdebrief.title'));
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'class-debrief-error' });
  const status = h('p', { class: 'stored-status', id: 'class-debrief-status', role: 'status' });
  const body = h('div', { class: 'compare-body', id: 'class-debrief-body' }, h('p', { class: 'muted' }, t('cdebrief.loading')));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'class-debrief-print', onclick: () => window.print() }, t('common.print'));
  const tools = h('div', { class: 'no-print debrief-tools' }, printButton);
  const heading = h('h1', { id: 'class-debrief-title' }, t('cdebrief.title'));
  const main = h('main', { class: 'instructor-page compare-page class-debrief-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [
      { href: '#/instructor/games', text: t('nav.stored'), id: 'back-to-games' },
      { href: `#/instructor/class/${encodeURIComponent(classId)}`, text: t('cdebrief.to_console'), id: 'to-class-console' },
    ]),
    h('header', { class: 'page-head debrief-head compare-head' }, heading, tools),
    status, errorBox, body);
  fill(root, main);
  focusHeading(main);

  const render = () => {
    if (!data) return;
    const sc = data.scenario || {};
    const cls = data.class || {};
    const tables = Array.isArray(data.tables) ? data.tables : [];
    const finished = tables.filter((tb) => tb.finished).length;
    title(t('cdebrief.page_title', { code: cls.join_code || '' }));
    fill(heading, t('cdebrief.heading'), sc.title || sc.id || t('cdebrief.a_class'));
    main.dataset.scenario = sc.id || '';
    fill(tools, printButton, ' ', classExportMenu(root, key, { class_id: classId, join_code: cls.join_code || '' }, { status, errorBox }));
    const labels = tables.map((tb, i) => t('table.n', { table: tb.table ?? i + 1 }));
    fill(body,
      h('p', { class: 'muted debrief-meta compare-meta', id: 'class-debrief-meta' },
        h('span', null, t('cdebrief.class')), h('strong', { class: 'code-chip', 'data-join-code': cls.join_code || '' }, cls.join_code || ''),
        ` · ${classStatusWords(cls.status)} · ${plural('class.tables', tables.length)}`,
        finished < tables.length ? t('compare.meta_finished', { n: finished }) : '',
        ` · ${t('common.printed', { date: dateText(Date.now()) })}`),
      tables.length ? [spreadSection(data.spread, full), comparisonSections(data, full, labels)]
        : h('p', { class: 'muted', 'data-empty': '' }, t('cdebrief.nobody')));
  };

  loadPage({
    load: () => api.classDebrief(key, classId),
    show: (answer, scenarioJson) => {
      data = answer;
      full = scenarioJson;
      render();
    },
    failed: (err) => {
      body.replaceChildren(h('p', null, h('a', { href: '#/instructor/games' }, t('cdebrief.back'))));
      showProblem(root, err, errorBox);
    },
    gone: () => gone, errorBox, main,
  });

  return () => { gone = true; };
}
