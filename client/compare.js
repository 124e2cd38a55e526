// Several tables of one class side by side (`#/instructor/compare/ID,ID,…`, from
// `GET /api/compare?sessions=…`), for the debrief: each table's status and rounds played, every
// role's score at every table (the best table for each role marked), a chart per track with one
// line per table (and the start and final values in a table, so that nothing is told by colour
// alone), and which moves each table made in which rounds. Printable like the debrief: the Print
// button calls window.print(), and the print stylesheet hides the navigation and the buttons.

import { h, fill, signed, focusHeading, title, scrollBox } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { lineChart, paras, seriesSwatch, loadPage } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, statusWords, COMPARE_MAX } from './?asset=stored.js';
import { t, plural, num } from './?asset=i18n.js';

/** The session ids of the route (`ID,ID,…`), without blanks. */
export function parseIds(text) {
  return String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Column labels: the join code, numbered when two tables share one (codes are reused). */
function tableLabels(tables) {
  const counts = new Map();
  for (const tb of tables) counts.set(tb.join_code, (counts.get(tb.join_code) || 0) + 1);
  const seen = new Map();
  return tables.map((tb) => {
    const code = tb.join_code || tb.session_id;
    if ((counts.get(tb.join_code) || 0) < 2) return code;
    const k = (seen.get(tb.join_code) || 0) + 1;
    seen.set(tb.join_code, k);
    return `${code} (${k})`;
  });
}

/** "R2, R4 ✗": the rounds a table ordered a move in, the failed ones marked in words too. */
function roundsCell(cell) {
  const rounds = (cell && cell.rounds) || [];
  if (rounds.length === 0) {
    return [h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, t('compare.never_ordered'))];
  }
  const parts = [];
  rounds.forEach((r, i) => {
    const ok = !cell.succeeded || cell.succeeded[i] !== false;
    if (i > 0) parts.push(', ');
    parts.push(h('span', { class: ok ? 'made ok' : 'made failed', 'data-round': r, 'data-ok': ok ? '1' : '0' },
      t('round.short', { round: r }),
      ok ? null : [h('span', { 'aria-hidden': 'true' }, ' ✗'), h('span', { class: 'visually-hidden' }, t('compare.failed_mark'))]));
  });
  return parts;
}

/**
 * The comparison's sections (`GET /api/compare`'s answer, or a class's debrief, which has the same
 * shape): a warning for tables that do not replay as stored, the tables, the scores (roles ×
 * tables), the tracks table by table and the moves table by table. `full`: the whole scenario
 * (for track summaries and round counts), or null. `labels`: each table's name in the columns.
 */
export function comparisonSections(data, full, labels) {
  const sc = data.scenario || {};
  const scId = sc.id;
  const tables = Array.isArray(data.tables) ? data.tables : [];
  const roles = Array.isArray(sc.roles) ? sc.roles : [];
  const fullRoles = (full && full.roles) || [];
  const roleName = (id) => (roles.find((r) => r.id === id) || fullRoles.find((r) => r.id === id) || {}).name || id;
  const parts = [];
  // ---- A table that does not replay exactly ----
  const bad = tables.map((tb, i) => [tb, labels[i]]).filter(([tb]) => tb.ok === false);
  if (bad.length) {
    parts.push(h('div', { class: 'replay-alert', id: 'compare-alert', role: 'alert' },
      h('h2', null, plural('compare.not_replaying', bad.length)),
      h('p', null, t('compare.not_replaying_text')),
      h('ul', null, bad.map(([tb, label]) => h('li', { 'data-table': tb.session_id },
        h('strong', null, label), ': ',
        h('a', { href: `#/instructor/replay/${encodeURIComponent(tb.session_id)}` }, t('compare.replay_of', { label })))))));
  }

  // ---- The tables ----
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-tables-title' },
    h('h2', { id: 'compare-tables-title' }, t('compare.tables')),
    scrollBox(h('table', { class: 'debrief-table compare-tables', id: 'compare-tables' },
      h('caption', { class: 'visually-hidden' }, t('compare.tables_caption')),
      h('thead', null, h('tr', null, [t('col.table'), t('col.status'), t('col.rounds_played'), t('col.created')].map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col', class: 'no-print' }, t('dash.open')))),
      h('tbody', null, tables.map((tb, i) => h('tr', { 'data-table': tb.session_id },
        h('th', { scope: 'row' }, seriesSwatch(i), ' ', h('strong', { class: 'code-chip', 'data-join-code': tb.join_code }, labels[i])),
        h('td', { 'data-label': t('col.status') }, statusWords(tb.status), tb.ok === false ? [' ', h('span', { class: 'badge failed' }, t('compare.does_not_replay'))] : null),
        h('td', { 'data-label': t('col.rounds_played') }, num(tb.rounds_played ?? 0), tb.finished ? '' : h('span', { class: 'muted' }, t('compare.not_over'))),
        h('td', { 'data-label': t('col.created') }, tb.created_at ? h('time', { datetime: new Date(tb.created_at).toISOString() }, dateText(tb.created_at)) : ''),
        h('td', { class: 'compare-links no-print' },
          h('a', { href: `#/instructor/replay/${encodeURIComponent(tb.session_id)}`, 'data-replay': tb.session_id, 'aria-label': t('compare.replay_label', { label: labels[i] }) }, t('stored.replay')),
          ' · ',
          h('a', { href: `#/instructor/debrief/${encodeURIComponent(tb.session_id)}`, 'data-debrief': tb.session_id, 'aria-label': t('compare.debrief_label', { label: labels[i] }) }, t('dash.debrief'))))))))));

  // ---- Scores: roles × tables, the best table of each role marked ----
  const columnHead = (tb, i) => h('th', { scope: 'col', 'data-table': tb.session_id },
    h('span', { class: 'code-chip' }, labels[i]),
    h('span', { class: 'col-sub' }, `${statusWords(tb.status)} · ${plural('dash.rounds', tb.rounds_played ?? 0)}`));
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-scores-title' },
    h('h2', { id: 'compare-scores-title' }, t('compare.scores')),
    h('p', { class: 'muted small' }, t('compare.scores_intro')),
    scrollBox(h('table', { class: 'debrief-table compare-grid compare-scores', id: 'compare-scores' },
      h('caption', { class: 'visually-hidden' }, t('compare.scores_caption')),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('col.role')), tables.map(columnHead))),
      h('tbody', null, roles.map((r) => {
        const scores = tables.map((tb) => (tb.scores && typeof tb.scores[r.id] === 'number' ? tb.scores[r.id] : null));
        const known = scores.filter((v) => v !== null);
        const best = known.length ? Math.max(...known) : null;
        // Best only means something when some table did worse.
        const marks = best !== null && known.some((v) => v < best);
        return h('tr', { 'data-role': r.id },
          h('th', { scope: 'row' }, r.name || r.id),
          scores.map((v, i) => {
            const isBest = marks && v === best;
            return h('td', { class: isBest ? 'score-cell best' : 'score-cell', 'data-table': tables[i].session_id, 'data-score': v ?? '', 'data-best': isBest ? '1' : null },
              v === null ? '—' : h('strong', null, num(v)),
              isBest ? [h('span', { class: 'best-mark', 'aria-hidden': 'true' }, ' ★'), h('span', { class: 'visually-hidden' }, t('compare.best'))] : null);
          }));
      }))))));

  // ---- Tracks: a chart per track, one line per table ----
  const tracks = Array.isArray(sc.tracks) ? sc.tracks : [];
  const played = Math.max(1, ...tables.map((tb) => Math.max(0, ...Object.values(tb.tracks || {}).map((hist) => (Array.isArray(hist) ? hist.length - 1 : 0)))));
  const rounds = Math.max(played, (full && Array.isArray(full.rounds) && full.rounds.length) || 0);
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-tracks-title' },
    h('h2', { id: 'compare-tracks-title' }, t('compare.tracks')),
    tracks.length === 0 ? h('p', { class: 'muted' }, t('compare.no_tracks')) : h('div', { class: 'compare-charts' }, tracks.map((track) => {
      const def = ((full && full.tracks) || []).find((x) => x.id === track.id);
      const histories = tables.map((tb) => ((tb.tracks || {})[track.id] || []).map((v) => (typeof v === 'number' ? v : null)));
      const values = histories.flat().filter((v) => v !== null);
      const min = track.min ?? Math.min(0, ...values);
      const max = track.max ?? Math.max(10, ...values);
      const name = track.private ? t('track.private_name', { name: track.name || track.id }) : (track.name || track.id);
      const chart = lineChart({ name, min, max, rounds, summary: def ? def.summary : '', lines: histories.map((values, i) => ({ label: labels[i], values })) });
      const first = (hist) => hist.find((v) => v !== null) ?? null;
      const last = (hist) => [...hist].reverse().find((v) => v !== null) ?? null;
      return h('div', { class: 'compare-track', 'data-track': track.id },
        chart,
        h('table', { class: 'debrief-table compare-finals' },
          h('caption', null, t('compare.finals_caption', { name })),
          h('thead', null, h('tr', null, [t('col.table'), t('col.start'), t('col.last'), t('report.change')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, histories.map((hist, i) => {
            const a = first(hist);
            const b = last(hist);
            const change = a !== null && b !== null ? b - a : null;
            return h('tr', { 'data-table': tables[i].session_id },
              h('th', { scope: 'row' }, seriesSwatch(i), ' ', labels[i]),
              h('td', null, a === null ? '—' : num(a)),
              h('td', { 'data-last': b ?? '' }, b === null ? '—' : num(b), tables[i].finished ? '' : h('span', { class: 'muted small' }, ` (${t('round.short', { round: Math.max(0, hist.length - 1) })})`)),
              h('td', { class: change > 0 ? 'up' : change < 0 ? 'down' : null }, change === null ? '—' : signed(change)));
          }))));
    }))));

  // ---- Moves: which table made which move, and when ----
  const moves = Array.isArray(data.moves) ? data.moves : [];
  const byRole = roles.map((r) => ({ role: r, moves: moves.filter((m) => m.role === r.id) }));
  // A move of a role the first table's scenario does not list (should not happen): still shown.
  for (const m of moves) {
    if (!roles.some((r) => r.id === m.role) && !byRole.some((g) => g.role.id === m.role)) {
      byRole.push({ role: { id: m.role, name: roleName(m.role) }, moves: moves.filter((x) => x.role === m.role) });
    }
  }
  const columns = tables.length + 1;
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-moves-title' },
    h('h2', { id: 'compare-moves-title' }, t('compare.moves')),
    h('p', { class: 'muted small', id: 'compare-moves-key' }, t('compare.moves_key', { r2: t('round.short', { round: 2 }) })),
    moves.length === 0 ? h('p', { class: 'muted', 'data-empty': '' }, t('compare.no_moves')) : scrollBox(h('table', { class: 'debrief-table compare-grid compare-moves', id: 'compare-moves', 'aria-describedby': 'compare-moves-key' },
      h('caption', { class: 'visually-hidden' }, t('compare.moves_caption')),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('col.move')), tables.map(columnHead))),
      byRole.map(({ role, moves: list }) => h('tbody', { 'data-role': role.id },
        h('tr', { class: 'role-row' }, h('th', { scope: 'rowgroup', colspan: String(columns), id: `moves-${role.id}` }, role.name || role.id)),
        list.length === 0
          ? h('tr', null, h('td', { colspan: String(columns), class: 'muted' }, t('compare.no_role_moves')))
          : list.map((m) => h('tr', { 'data-move': m.move, 'data-role': m.role },
            h('th', { scope: 'row' }, m.move_name || m.move, ' ', paras(scId, m.essay)),
            tables.map((tb, i) => {
              const cell = (m.tables || []).find((c) => c.session_id === tb.session_id) || (m.tables || [])[i] || { rounds: [], succeeded: [] };
              return h('td', { class: (cell.rounds || []).length ? 'moves-cell' : 'moves-cell none', 'data-table': tb.session_id, 'data-rounds': (cell.rounds || []).join(',') }, roundsCell(cell));
            })))))))));
  return parts;
}

export function comparePage(root, key, idsText) {
  title(t('compare.title'));
  const ids = parseIds(idsText);
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'compare-error' });
  const body = h('div', { class: 'compare-body', id: 'compare-body' }, h('p', { class: 'muted' }, t('compare.loading')));
  // Shown once there is something to print.
  const printButton = h('button', { type: 'button', class: 'primary', id: 'compare-print', hidden: true, onclick: () => window.print() }, t('common.print'));
  const heading = h('h1', { id: 'compare-title' }, t('compare.title'));
  const main = h('main', { class: 'instructor-page compare-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [{ href: '#/instructor/games', text: t('nav.stored'), id: 'back-to-games' }]),
    h('header', { class: 'page-head debrief-head compare-head' }, heading, h('div', { class: 'no-print' }, printButton)),
    errorBox, body);
  fill(root, main);
  focusHeading(main);

  const render = () => {
    if (!data) return;
    const sc = data.scenario || {};
    const scId = sc.id;
    const tables = Array.isArray(data.tables) ? data.tables : [];
    title(t('compare.page_title', { title: sc.title || scId || '' }));
    fill(heading, t('compare.heading'), sc.title || scId || t('compare.a_scenario'));
    main.dataset.scenario = scId || '';

    const parts = [];
    const finished = tables.filter((tb) => tb.finished).length;
    parts.push(h('p', { class: 'muted debrief-meta compare-meta', id: 'compare-meta' },
      plural('compare.meta', tables.length),
      finished < tables.length ? t('compare.meta_finished', { n: finished }) : '',
      ` · ${t('common.printed', { date: dateText(Date.now()) })}`));

    parts.push(...comparisonSections(data, full, tableLabels(tables)));

    fill(body, parts);
  };

  if (ids.length === 0) {
    main.removeAttribute('aria-busy');
    body.replaceChildren(h('p', null, h('a', { href: '#/instructor/games' }, t('compare.choose'))));
    showProblem(root, { code: 'need_games' }, errorBox);
    return () => { gone = true; };
  }

  const failed = async (err) => {
    showProblem(root, err, errorBox);
    const back = h('p', null, h('a', { href: '#/instructor/games', id: 'compare-choose-again' }, t('compare.choose_other')));
    body.replaceChildren(back);
    if (!err || (err.code !== 'mixed_scenarios' && err.code !== 'bad_request')) return;
    // Which game is of which scenario, so that the instructor sees what to untick.
    const list = await api.listSessions(key).catch(() => null);
    if (gone || !Array.isArray(list)) return;
    const picked = ids.map((id) => list.find((g) => g.session_id === id)).filter(Boolean);
    if (picked.length === 0) return;
    body.replaceChildren(
      h('p', null, ids.length > COMPARE_MAX ? t('compare.chosen_too_many', { n: ids.length, max: COMPARE_MAX }) : t('compare.chosen')),
      h('ul', { class: 'compare-picked', id: 'compare-picked' }, picked.map((g) => h('li', { 'data-session': g.session_id, 'data-scenario': g.scenario },
        h('strong', { class: 'code-chip' }, g.join_code), ' ', g.title || g.scenario, h('span', { class: 'muted' }, ` · ${statusWords(g.status)}`)))),
      back);
  };
  loadPage({
    load: () => api.compare(key, ids),
    show: (answer, scenarioJson) => {
      data = answer;
      full = scenarioJson;
      render();
      printButton.hidden = false;
    },
    failed, gone: () => gone, errorBox, main,
  });

  return () => { gone = true; };
}
