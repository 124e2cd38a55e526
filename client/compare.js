// Several tables of one class side by side (`#/instructor/compare/ID,ID,…`, from
// `GET /api/compare?sessions=…`), for the debrief: each table's status and rounds played, every
// role's score at every table (the best table for each role marked), a chart per track with one
// line per table (and the start and final values in a table, so that nothing is told by colour
// alone), and which moves each table made in which rounds. Printable like the debrief: the Print
// button calls window.print(), and the print stylesheet hides the navigation and the buttons.

import { h, fill, signed, plural, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { lineChart, paras, seriesSwatch, loadPage } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, STATUS_WORDS, COMPARE_MAX } from './?asset=stored.js';

/** The session ids of the route (`ID,ID,…`), without blanks. */
export function parseIds(text) {
  return String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Column labels: the join code, numbered when two tables share one (codes are reused). */
function tableLabels(tables) {
  const counts = new Map();
  for (const t of tables) counts.set(t.join_code, (counts.get(t.join_code) || 0) + 1);
  const seen = new Map();
  return tables.map((t) => {
    const code = t.join_code || t.session_id;
    if ((counts.get(t.join_code) || 0) < 2) return code;
    const k = (seen.get(t.join_code) || 0) + 1;
    seen.set(t.join_code, k);
    return `${code} (${k})`;
  });
}

/** "R2, R4 ✗": the rounds a table ordered a move in, the failed ones marked in words too. */
function roundsCell(cell) {
  const rounds = (cell && cell.rounds) || [];
  if (rounds.length === 0) {
    return [h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'never ordered')];
  }
  const parts = [];
  rounds.forEach((r, i) => {
    const ok = !cell.succeeded || cell.succeeded[i] !== false;
    if (i > 0) parts.push(', ');
    parts.push(h('span', { class: ok ? 'made ok' : 'made failed', 'data-round': r, 'data-ok': ok ? '1' : '0' },
      `R${r}`,
      ok ? null : [h('span', { 'aria-hidden': 'true' }, ' ✗'), h('span', { class: 'visually-hidden' }, ' (failed)')]));
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
  const bad = tables.map((t, i) => [t, labels[i]]).filter(([t]) => t.ok === false);
  if (bad.length) {
    parts.push(h('div', { class: 'replay-alert', id: 'compare-alert', role: 'alert' },
      h('h2', null, `⚠ ${bad.length === 1 ? 'One table does' : `${bad.length} tables do`} not replay as stored`),
      h('p', null, 'The figures of these tables come from the replay through the current engine and scenario, which does not match what was saved. Open their replay to see the errors.'),
      h('ul', null, bad.map(([t, label]) => h('li', { 'data-table': t.session_id },
        h('strong', null, label), ': ',
        h('a', { href: `#/instructor/replay/${encodeURIComponent(t.session_id)}` }, `replay of ${label}`))))));
  }

  // ---- The tables ----
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-tables-title' },
    h('h2', { id: 'compare-tables-title' }, 'The tables'),
    h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table compare-tables', id: 'compare-tables' },
      h('caption', { class: 'visually-hidden' }, 'Each table compared: status, rounds played, and links to its replay and debrief'),
      h('thead', null, h('tr', null, ['Table', 'Status', 'Rounds played', 'Created'].map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col', class: 'no-print' }, 'Open'))),
      h('tbody', null, tables.map((t, i) => h('tr', { 'data-table': t.session_id },
        h('th', { scope: 'row' }, seriesSwatch(i), ' ', h('strong', { class: 'code-chip', 'data-join-code': t.join_code }, labels[i])),
        h('td', { 'data-label': 'Status' }, STATUS_WORDS[t.status] || t.status || '', t.ok === false ? [' ', h('span', { class: 'badge failed' }, '⚠ does not replay')] : null),
        h('td', { 'data-label': 'Rounds played' }, String(t.rounds_played ?? 0), t.finished ? '' : h('span', { class: 'muted' }, ' (not over)')),
        h('td', { 'data-label': 'Created' }, t.created_at ? h('time', { datetime: new Date(t.created_at).toISOString() }, dateText(t.created_at)) : ''),
        h('td', { class: 'compare-links no-print' },
          h('a', { href: `#/instructor/replay/${encodeURIComponent(t.session_id)}`, 'data-replay': t.session_id, 'aria-label': `Replay of ${labels[i]}` }, 'Replay'),
          ' · ',
          h('a', { href: `#/instructor/debrief/${encodeURIComponent(t.session_id)}`, 'data-debrief': t.session_id, 'aria-label': `Debrief of ${labels[i]}` }, 'Debrief')))))))));

  // ---- Scores: roles × tables, the best table of each role marked ----
  const columnHead = (t, i) => h('th', { scope: 'col', 'data-table': t.session_id },
    h('span', { class: 'code-chip' }, labels[i]),
    h('span', { class: 'col-sub' }, `${STATUS_WORDS[t.status] || t.status || ''} · ${plural(t.rounds_played ?? 0, 'round')}`));
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-scores-title' },
    h('h2', { id: 'compare-scores-title' }, 'Scores'),
    h('p', { class: 'muted small' }, 'Each role\'s score (out of 100) for the state each table reached, final or not. ★ marks the best table for that role.'),
    h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table compare-grid compare-scores', id: 'compare-scores' },
      h('caption', { class: 'visually-hidden' }, 'Scores: one row per role, one column per table'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Role'), tables.map(columnHead))),
      h('tbody', null, roles.map((r) => {
        const scores = tables.map((t) => (t.scores && typeof t.scores[r.id] === 'number' ? t.scores[r.id] : null));
        const known = scores.filter((v) => v !== null);
        const best = known.length ? Math.max(...known) : null;
        // Best only means something when some table did worse.
        const marks = best !== null && known.some((v) => v < best);
        return h('tr', { 'data-role': r.id },
          h('th', { scope: 'row' }, r.name || r.id),
          scores.map((v, i) => {
            const isBest = marks && v === best;
            return h('td', { class: isBest ? 'score-cell best' : 'score-cell', 'data-table': tables[i].session_id, 'data-score': v ?? '', 'data-best': isBest ? '1' : null },
              v === null ? '—' : h('strong', null, String(v)),
              isBest ? [h('span', { class: 'best-mark', 'aria-hidden': 'true' }, ' ★'), h('span', { class: 'visually-hidden' }, ' (best)')] : null);
          }));
      }))))));

  // ---- Tracks: a chart per track, one line per table ----
  const tracks = Array.isArray(sc.tracks) ? sc.tracks : [];
  const played = Math.max(1, ...tables.map((t) => Math.max(0, ...Object.values(t.tracks || {}).map((hist) => (Array.isArray(hist) ? hist.length - 1 : 0)))));
  const rounds = Math.max(played, (full && Array.isArray(full.rounds) && full.rounds.length) || 0);
  parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'compare-tracks-title' },
    h('h2', { id: 'compare-tracks-title' }, 'The tracks, table by table'),
    tracks.length === 0 ? h('p', { class: 'muted' }, 'This scenario has no tracks.') : h('div', { class: 'compare-charts' }, tracks.map((track) => {
      const def = ((full && full.tracks) || []).find((x) => x.id === track.id);
      const histories = tables.map((t) => ((t.tracks || {})[track.id] || []).map((v) => (typeof v === 'number' ? v : null)));
      const values = histories.flat().filter((v) => v !== null);
      const min = track.min ?? Math.min(0, ...values);
      const max = track.max ?? Math.max(10, ...values);
      const name = `${track.name || track.id}${track.private ? ' (private)' : ''}`;
      const chart = lineChart({ name, min, max, rounds, summary: def ? def.summary : '', lines: histories.map((values, i) => ({ label: labels[i], values })) });
      const first = (hist) => hist.find((v) => v !== null) ?? null;
      const last = (hist) => [...hist].reverse().find((v) => v !== null) ?? null;
      return h('div', { class: 'compare-track', 'data-track': track.id },
        chart,
        h('table', { class: 'debrief-table compare-finals' },
          h('caption', null, `${name}: start and last value at each table`),
          h('thead', null, h('tr', null, ['Table', 'Start', 'Last', 'Change'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, histories.map((hist, i) => {
            const a = first(hist);
            const b = last(hist);
            const change = a !== null && b !== null ? b - a : null;
            return h('tr', { 'data-table': tables[i].session_id },
              h('th', { scope: 'row' }, seriesSwatch(i), ' ', labels[i]),
              h('td', null, a === null ? '—' : String(a)),
              h('td', { 'data-last': b ?? '' }, b === null ? '—' : String(b), tables[i].finished ? '' : h('span', { class: 'muted small' }, ` (R${Math.max(0, hist.length - 1)})`)),
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
    h('h2', { id: 'compare-moves-title' }, 'Moves, table by table'),
    h('p', { class: 'muted small', id: 'compare-moves-key' }, 'R2 = ordered in round 2 · ✗ = ordered but failed · — = never ordered at that table. Automatic defaults are left out.'),
    moves.length === 0 ? h('p', { class: 'muted', 'data-empty': '' }, 'No table ordered any move.') : h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table compare-grid compare-moves', id: 'compare-moves', 'aria-describedby': 'compare-moves-key' },
      h('caption', { class: 'visually-hidden' }, 'Moves by role: one row per move, one column per table, the rounds it was ordered in'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Move'), tables.map(columnHead))),
      byRole.map(({ role, moves: list }) => h('tbody', { 'data-role': role.id },
        h('tr', { class: 'role-row' }, h('th', { scope: 'rowgroup', colspan: String(columns), id: `moves-${role.id}` }, role.name || role.id)),
        list.length === 0
          ? h('tr', null, h('td', { colspan: String(columns), class: 'muted' }, 'No table ordered a move of this role.'))
          : list.map((m) => h('tr', { 'data-move': m.move, 'data-role': m.role },
            h('th', { scope: 'row' }, m.move_name || m.move, ' ', paras(scId, m.essay)),
            tables.map((t, i) => {
              const cell = (m.tables || []).find((c) => c.session_id === t.session_id) || (m.tables || [])[i] || { rounds: [], succeeded: [] };
              return h('td', { class: (cell.rounds || []).length ? 'moves-cell' : 'moves-cell none', 'data-table': t.session_id, 'data-rounds': (cell.rounds || []).join(',') }, roundsCell(cell));
            })))))))));
  return parts;
}

export function comparePage(root, key, idsText) {
  title('Compare tables');
  const ids = parseIds(idsText);
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'compare-error' });
  const body = h('div', { class: 'compare-body', id: 'compare-body' }, h('p', { class: 'muted' }, 'Loading the comparison…'));
  // Shown once there is something to print.
  const printButton = h('button', { type: 'button', class: 'primary', id: 'compare-print', hidden: true, onclick: () => window.print() }, 'Print');
  const heading = h('h1', { id: 'compare-title' }, 'Compare tables');
  const main = h('main', { class: 'instructor-page compare-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [{ href: '#/instructor/games', text: '← Stored games', id: 'back-to-games' }]),
    h('header', { class: 'page-head debrief-head compare-head' }, heading, h('div', { class: 'no-print' }, printButton)),
    errorBox, body);
  fill(root, main);
  focusHeading(main);

  const render = () => {
    if (!data) return;
    const sc = data.scenario || {};
    const scId = sc.id;
    const tables = Array.isArray(data.tables) ? data.tables : [];
    title(`Compare tables · ${sc.title || scId || ''}`);
    fill(heading, 'Compare tables: ', sc.title || scId || 'a scenario');
    main.dataset.scenario = scId || '';

    const parts = [];
    const finished = tables.filter((t) => t.finished).length;
    parts.push(h('p', { class: 'muted debrief-meta compare-meta', id: 'compare-meta' },
      `${plural(tables.length, 'table')} of the same scenario`,
      finished < tables.length ? ` (${finished} finished)` : '',
      ` · printed ${dateText(Date.now())}`));

    parts.push(...comparisonSections(data, full, tableLabels(tables)));

    fill(body, parts);
  };

  if (ids.length === 0) {
    main.removeAttribute('aria-busy');
    body.replaceChildren(h('p', null, h('a', { href: '#/instructor/games' }, 'Choose games to compare in the stored-games list.')));
    showProblem(root, { code: 'bad_request', message: 'no game was chosen to compare' }, errorBox);
    return () => { gone = true; };
  }

  const failed = async (err) => {
    showProblem(root, err, errorBox);
    const back = h('p', null, h('a', { href: '#/instructor/games', id: 'compare-choose-again' }, 'Choose other games in the stored-games list.'));
    body.replaceChildren(back);
    if (!err || (err.code !== 'mixed_scenarios' && err.code !== 'bad_request')) return;
    // Which game is of which scenario, so that the instructor sees what to untick.
    const list = await api.listSessions(key).catch(() => null);
    if (gone || !Array.isArray(list)) return;
    const picked = ids.map((id) => list.find((g) => g.session_id === id)).filter(Boolean);
    if (picked.length === 0) return;
    body.replaceChildren(
      h('p', null, `The games chosen${ids.length > COMPARE_MAX ? ` (${ids.length}; ${COMPARE_MAX} at most)` : ''}:`),
      h('ul', { class: 'compare-picked', id: 'compare-picked' }, picked.map((g) => h('li', { 'data-session': g.session_id, 'data-scenario': g.scenario },
        h('strong', { class: 'code-chip' }, g.join_code), ' ', g.title || g.scenario, h('span', { class: 'muted' }, ` · ${STATUS_WORDS[g.status] || g.status}`)))),
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
