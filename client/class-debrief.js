// The printable debrief of a class (`#/instructor/class-debrief/ID`, from
// `GET /api/classes/{id}/debrief`): the spread of outcomes across its tables (every role's lowest,
// mean and highest score; every track's lowest, mean and highest final value), then the
// comparison of its tables as compare.js draws it (each table's scores, where each table's tracks
// ended, which tables made each move in which round), each table named by its number. The Print
// button calls window.print(); the print stylesheet hides the navigation and the buttons.

import { h, fill, plural, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { loadPage } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, classExportMenu, CLASS_STATUS } from './?asset=stored.js';
import { comparisonSections } from './?asset=compare.js';

/** A range bar: lowest to highest of `range` within `min..max`, the mean marked (the numbers are in the row). */
function rangeBar(range, min, max) {
  if (!range || range.min === null || range.min === undefined) return h('span', { class: 'muted' }, '—');
  const span = Math.max(1, max - min);
  const pct = (v) => Math.max(0, Math.min(100, ((v - min) / span) * 100));
  return h('div', { class: 'spread-bar', 'aria-hidden': 'true', title: `${range.min} to ${range.max}, mean ${range.mean} (of ${min} to ${max})` },
    h('div', { class: 'spread-range', style: `left:${pct(range.min)}%;width:${Math.max(1, pct(range.max) - pct(range.min))}%` }),
    h('div', { class: 'spread-mean', style: `left:${pct(range.mean)}%` }));
}

/** The spread of outcomes across the tables: one row per role (scores), one per track (final values). */
function spreadSection(spread, full) {
  const roles = (spread && spread.roles) || [];
  const tracks = (spread && spread.tracks) || [];
  const trackDef = (id) => ((full && full.tracks) || []).find((t) => t.id === id) || {};
  const row = (id, name, range, min, max) => h('tr', { 'data-spread': id },
    h('th', { scope: 'row' }, name || id),
    h('td', { 'data-min': range ? range.min ?? '' : '' }, range && range.min !== null ? String(range.min) : '—'),
    h('td', { 'data-mean': range ? range.mean ?? '' : '' }, range && range.mean !== null ? String(range.mean) : '—'),
    h('td', { 'data-max': range ? range.max ?? '' : '' }, range && range.max !== null ? String(range.max) : '—'),
    h('td', { class: 'spread-col' }, rangeBar(range, min, max)));
  const head = (first) => h('thead', null, h('tr', null, [first, 'Lowest', 'Mean', 'Highest', 'Spread'].map((c) => h('th', { scope: 'col' }, c))));
  return h('section', { class: 'card debrief-section', id: 'class-spread', 'aria-labelledby': 'class-spread-title' },
    h('h2', { id: 'class-spread-title' }, 'The spread of outcomes'),
    h('p', { class: 'muted small' }, 'How differently the tables ended: the lowest, mean and highest across the tables.'),
    roles.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table spread-table', id: 'class-spread-roles' },
      h('caption', null, 'Scores (out of 100), role by role'),
      head('Role'),
      h('tbody', null, roles.map((r) => row(r.role, r.name, r.scores, 0, 100))))) : null,
    tracks.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table spread-table', id: 'class-spread-tracks' },
      h('caption', null, 'Where the tracks ended, track by track'),
      head('Track'),
      h('tbody', null, tracks.map((t) => {
        const def = trackDef(t.track);
        return row(t.track, t.name, t.final, def.min ?? 0, def.max ?? 10);
      })))) : null,
    !roles.length && !tracks.length ? h('p', { class: 'muted', 'data-empty': '' }, 'No table has been played yet.') : null);
}

export function classDebriefPage(root, key, classId) {
  title('Class debrief');
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'class-debrief-error' });
  const status = h('p', { class: 'stored-status', id: 'class-debrief-status', role: 'status' });
  const body = h('div', { class: 'compare-body', id: 'class-debrief-body' }, h('p', { class: 'muted' }, 'Loading the class debrief…'));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'class-debrief-print', onclick: () => window.print() }, 'Print');
  const tools = h('div', { class: 'no-print debrief-tools' }, printButton);
  const heading = h('h1', { id: 'class-debrief-title' }, 'Class debrief');
  const main = h('main', { class: 'instructor-page compare-page class-debrief-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [
      { href: '#/instructor/games', text: '← Stored games', id: 'back-to-games' },
      { href: `#/instructor/class/${encodeURIComponent(classId)}`, text: 'The class console', id: 'to-class-console' },
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
    const finished = tables.filter((t) => t.finished).length;
    title(`Class debrief · ${cls.join_code || ''}`);
    fill(heading, 'Class debrief: ', sc.title || sc.id || 'a class');
    main.dataset.scenario = sc.id || '';
    fill(tools, printButton, ' ', classExportMenu(root, key, { class_id: classId, join_code: cls.join_code || '' }, { status, errorBox }));
    const labels = tables.map((t, i) => `Table ${t.table ?? i + 1}`);
    fill(body,
      h('p', { class: 'muted debrief-meta compare-meta', id: 'class-debrief-meta' },
        h('span', null, 'Class '), h('strong', { class: 'code-chip', 'data-join-code': cls.join_code || '' }, cls.join_code || ''),
        ` · ${CLASS_STATUS[cls.status] || cls.status || ''} · ${plural(tables.length, 'table')}`,
        finished < tables.length ? ` (${finished} finished)` : '',
        ` · printed ${dateText(Date.now())}`),
      tables.length ? [spreadSection(data.spread, full), comparisonSections(data, full, labels)]
        : h('p', { class: 'muted', 'data-empty': '' }, 'Nobody joined this class: it has no table to debrief.'));
  };

  loadPage({
    load: () => api.classDebrief(key, classId),
    show: (answer, scenarioJson) => {
      data = answer;
      full = scenarioJson;
      render();
    },
    failed: (err) => {
      body.replaceChildren(h('p', null, h('a', { href: '#/instructor/games' }, 'Back to the stored games.')));
      showProblem(root, err, errorBox);
    },
    gone: () => gone, errorBox, main,
  });

  return () => { gone = true; };
}
