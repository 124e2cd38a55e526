// The instructor's stored games (`#/instructor/games`): every session, newest first, filtered by
// status and scenario (the query parameters of `GET /api/sessions`), with, for each: the replay
// viewer, the debrief, the exports (downloaded with the key in the header, then saved through a
// Blob), a fork from a chosen round, and deletion after a confirmation dialog. A checkbox per
// game and "Compare selected" open the side-by-side comparison of tables (compare.js). A class
// (`GET /api/classes`) is one entry that opens to its tables (the sessions whose `class_id` is
// its id), with its own debrief, exports and deletion.
//
// Also the pieces the replay, debrief and compare screens share: the navigation and errors in
// words for the codes of these routes.

import { h, fill, announce, errorText, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { signInAgain, instructorTools } from './?asset=instructor.js';
import { t, plural, num, dateTime, names } from './?asset=i18n.js';

// ---- Shared with replay.js, debrief.js and compare.js --------------------------------------------------------

/**
 * The error in words: the stored-games routes' own sentence for a code (`problem.<code>`: a fork's
 * `bad_round`, a game `not_instructor`'s…), else the general one (`error.<code>`, dom.js).
 */
export function problemText(err) {
  return errorText(err, { prefix: 'problem' });
}

/** Shows an error in words inside `where` (role="alert"); a refused key asks to sign in again. */
export function showProblem(root, err, where) {
  if (signInAgain(root, err)) return;
  const item = h('div', { class: 'error', role: 'alert', 'data-code': err && err.code ? err.code : 'error' },
    h('span', { class: 'error-text' }, problemText(err)));
  where.replaceChildren(item);
}

/** The instructor's navigation above a stored-games screen (hidden when printing). */
export function instructorNav(root, links) {
  return h('nav', { class: 'crumbs no-print', 'aria-label': t('nav.label') },
    h('span', { class: 'crumb-links' }, links.map((l) => h('a', { href: l.href, id: l.id || null }, l.text))),
    instructorTools(root));
}

/** Tables compared at most (the server's limit). */
export const COMPARE_MAX = 12;

/** A stored game's status in words (`lobby`, `running`, `paused`, `finished`). */
export function statusWords(status) {
  return ['lobby', 'running', 'paused', 'finished'].includes(status) ? t(`status.${status}`) : String(status || '');
}

/** The statuses a stored game can have, for the filter. */
const STATUSES = ['lobby', 'running', 'paused', 'finished'];

/** A stored class's status (`GET /api/classes`) in words. */
export function classStatusWords(status) {
  return status === 'open' || status === 'finished' ? t(`class_status.${status}`) : String(status || '');
}

/** "12 Mar 2025, 10:42" from unix milliseconds, in the page's language. */
export function dateText(ms) {
  if (!ms) return '';
  return dateTime(ms);
}

const EXPORTS = [
  { kind: 'json', label: 'export.json', ext: 'json' },
  { kind: 'csv', label: 'export.csv', ext: 'csv' },
  { kind: 'messages', label: 'export.messages', ext: 'csv' },
  { kind: 'reflections', label: 'export.reflections', ext: 'csv' },
  { kind: 'html', label: 'export.html', ext: 'html' },
];

/** Downloads one export of a game and says so in `status` (errors in words in `errorBox`). */
export function downloadExport(root, key, game, kind, { status, errorBox, lens } = {}) {
  const spec = EXPORTS.find((e) => e.kind === kind) || EXPORTS[0];
  const fallbackName = `${game.scenario || 'game'}-${game.join_code || game.session_id}${kind === 'messages' || kind === 'reflections' ? `-${kind}` : ''}.${spec.ext}`;
  return downloadFile(root, key, api.exportPath(game.session_id, kind, lens), { label: t(spec.label), fallbackName, status, errorBox });
}

/** Downloads a file of the API with the key (`api.download`) and says so in `status`. */
export async function downloadFile(root, key, path, { label, fallbackName, status, errorBox } = {}) {
  if (status) status.textContent = t('export.preparing', { what: label });
  try {
    const saved = await api.download(path, { key, fallbackName });
    const size = saved.size >= 1024 ? t('export.kb', { size: num(saved.size / 1024, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }) : plural('export.bytes', saved.size);
    const text = t('export.downloaded', { file: saved.filename, size });
    if (status) {
      status.textContent = text;
      status.dataset.downloaded = saved.filename;
    }
    if (errorBox) errorBox.replaceChildren();
    announce(text);
  } catch (err) {
    if (status) status.textContent = '';
    if (errorBox) showProblem(root, err, errorBox);
  }
}

/** The export buttons of one game, in a disclosure (keyboard: Enter or Space opens it). */
export function exportMenu(root, key, game, opts) {
  return h('details', { class: 'export-menu', 'data-exports': game.session_id },
    h('summary', { class: 'button secondary', 'aria-label': t('export.game_label', { code: game.join_code }) }, t('export.export')),
    h('div', { class: 'export-list' }, EXPORTS.map((e) => h('button', {
      type: 'button', class: 'secondary', 'data-export': e.kind,
      onclick: () => downloadExport(root, key, game, e.kind, opts),
    }, t(e.label)))));
}

const CLASS_EXPORTS = [
  { kind: 'json', label: 'export.class_json' },
  { kind: 'csv', label: 'export.class_csv' },
];

/** A class's export buttons (every table in one file), in a disclosure. */
export function classExportMenu(root, key, cls, opts = {}) {
  return h('details', { class: 'export-menu', 'data-class-exports': cls.class_id },
    h('summary', { class: 'button secondary', 'aria-label': t('export.class_label', { code: cls.join_code }) }, t('export.class')),
    h('div', { class: 'export-list' }, CLASS_EXPORTS.map((e) => h('button', {
      type: 'button', class: 'secondary', 'data-class-export': e.kind,
      onclick: () => downloadFile(root, key, api.classExportPath(cls.class_id, e.kind), {
        ...opts, label: t(e.label), fallbackName: `class-${cls.join_code}.${e.kind === 'csv' ? 'orders.csv' : 'json'}`,
      }),
    }, t(e.label)))));
}

// ---- The stored-games page -------------------------------------------------------------------------

export function storedPage(root, key) {
  title(t('stored.title'));
  const filters = { status: '', scenario: '' };
  let games = [];
  let classes = [];
  // The classes opened to show their tables.
  const expanded = new Set();
  let scenarios = [];
  let gone = false;
  // The games ticked for comparison, in the order they were ticked (the columns' order).
  const selected = new Set();

  const listError = h('div', { class: 'inline-error', id: 'stored-error' });
  const status = h('p', { class: 'stored-status', id: 'stored-status', role: 'status' });
  const listBox = h('div', { class: 'stored-list', id: 'stored-list', 'aria-live': 'off' }, h('p', { class: 'muted' }, t('common.loading')));
  const statusSelect = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, t('stored.every_status')),
    STATUSES.map((v) => h('option', { value: v }, statusWords(v))));
  const scenarioSelect = h('select', { id: 'filter-scenario', name: 'scenario' }, h('option', { value: '' }, t('stored.every_scenario')));

  const scenarioTitle = (g) => g.title || (scenarios.find((s) => s.id === g.scenario) || {}).title || g.scenario;

  const load = async () => {
    listBox.setAttribute('aria-busy', 'true');
    try {
      const [list, classList] = await Promise.all([api.listSessions(key, filters), api.listClasses(key)]);
      if (gone) return;
      games = Array.isArray(list) ? list : [];
      classes = Array.isArray(classList) ? classList : [];
      // What is compared is what is ticked on screen: a game no longer listed leaves the selection.
      for (const id of [...selected]) if (!games.some((g) => g.session_id === id)) selected.delete(id);
      listError.replaceChildren();
      render();
    } catch (err) {
      if (gone) return;
      showProblem(root, err, listError);
    } finally {
      listBox.removeAttribute('aria-busy');
    }
  };

  // A class's table is named by its number as well as its code (every table of a class has the class's).
  const gameName = (g) => (g.class_id ? t('stored.game_of_table', { code: g.join_code, table: g.class_table }) : g.join_code);

  const roundText = (g) => {
    if (g.status === 'lobby') return t('table.not_started');
    const rounds = g.rounds || g.round;
    const r = Math.max(1, Math.min(g.round || 1, rounds || 1));
    return t('stored.round_of', { round: r, rounds });
  };

  // ---- Compare: tick games, then open the comparison ----
  const compareStatus = h('p', { class: 'muted small compare-status', id: 'compare-status', 'aria-live': 'polite' });
  const compareButton = h('button', {
    type: 'button', class: 'primary', id: 'compare-selected', disabled: true, 'aria-describedby': 'compare-status',
    onclick: () => {
      const ids = [...selected];
      if (ids.length < 1 || ids.length > COMPARE_MAX) return;
      location.hash = `#/instructor/compare/${ids.map(encodeURIComponent).join(',')}`;
    },
  }, t('compare.selected'));
  const clearButton = h('button', {
    type: 'button', class: 'link', id: 'compare-clear', hidden: true,
    onclick: () => {
      selected.clear();
      for (const box of listBox.querySelectorAll('input[data-compare]')) box.checked = false;
      updateCompare();
      compareButton.focus();
    },
  }, t('compare.clear'));
  const compareBar = h('div', { class: 'compare-bar', id: 'compare-bar', role: 'group', 'aria-label': t('compare.bar') },
    h('div', { class: 'compare-buttons' }, compareButton, clearButton), compareStatus);

  const updateCompare = () => {
    const picked = [...selected].map((id) => games.find((g) => g.session_id === id)).filter(Boolean);
    const n = picked.length;
    compareButton.disabled = n < 1 || n > COMPARE_MAX;
    compareButton.textContent = n ? t('compare.selected_n', { n }) : t('compare.selected');
    clearButton.hidden = n === 0;
    const codes = names(picked.map((g) => g.join_code));
    const kinds = new Set(picked.map((g) => g.scenario));
    let text;
    if (n === 0) text = t('compare.tick', { max: COMPARE_MAX });
    else if (n === 1) text = t('compare.one_selected', { codes });
    else if (n > COMPARE_MAX) text = t('compare.too_many', { n, max: COMPARE_MAX });
    else text = plural('compare.n_selected', n, { codes });
    if (n > 1 && kinds.size > 1) text += ` ${t('compare.different')}`;
    compareStatus.textContent = text;
    compareBar.dataset.selected = String(n);
  };

  /** One game's row: a game of its own, or (`cls`) a table of a class, hidden until the class opens. */
  const gameRow = (g, cls) => h('tr', {
    'data-session': g.session_id, 'data-status': g.status, 'data-class': cls ? cls.class_id : null,
    class: cls ? 'class-table-row' : null, id: cls ? `class-table-${g.session_id}` : null, hidden: cls ? !expanded.has(cls.class_id) : false,
  },
  h('td', { class: 'select-cell', 'data-label': t('col.compare') }, h('input', {
    type: 'checkbox', id: `compare-${g.session_id}`, 'data-compare': g.session_id, checked: selected.has(g.session_id),
    'aria-label': t('stored.select_label', { game: gameName(g) }), 'aria-controls': 'compare-bar',
    onchange: (e) => {
      if (e.currentTarget.checked) selected.add(g.session_id);
      else selected.delete(g.session_id);
      updateCompare();
    },
  })),
  h('th', { scope: 'row', 'data-label': t('col.code') }, cls ? h('span', { class: 'table-tag' }, t('table.n', { table: g.class_table })) : null,
    h('strong', { class: 'code-chip' }, g.join_code)),
  h('td', { 'data-label': t('col.scenario') }, scenarioTitle(g)),
  h('td', { 'data-label': t('col.status') }, h('span', { class: `status-tag ${g.status}` }, statusWords(g.status))),
  h('td', { 'data-label': t('col.round') }, roundText(g)),
  h('td', { 'data-label': t('col.created') }, g.created_at ? h('time', { datetime: new Date(g.created_at).toISOString() }, dateText(g.created_at)) : ''),
  h('td', { class: 'row-actions', 'data-label': t('col.actions') },
    h('a', { href: `#/instructor/replay/${encodeURIComponent(g.session_id)}`, class: 'button primary', 'data-replay': g.session_id, 'aria-label': t('stored.replay_label', { game: gameName(g) }) }, t('stored.replay')),
    h('a', { href: `#/instructor/debrief/${encodeURIComponent(g.session_id)}`, class: 'button secondary', 'data-debrief': g.session_id, 'aria-label': t('stored.debrief_label', { game: gameName(g) }) }, t('dash.debrief')),
    exportMenu(root, key, g, { status, errorBox: listError }),
    h('button', { type: 'button', class: 'secondary', 'data-fork': g.session_id, 'aria-haspopup': 'dialog', 'aria-label': t('stored.fork_label', { game: gameName(g) }), onclick: (e) => openFork(g, e.currentTarget) }, t('stored.fork')),
    h('button', { type: 'button', class: 'link danger-link', 'data-delete': g.session_id, 'aria-haspopup': 'dialog', 'aria-label': t('stored.delete_label', { game: gameName(g) }), onclick: (e) => openDelete(g, e.currentTarget) }, t('stored.delete'))));

  /** A class's row: opens to its tables; its debrief, console, exports and deletion. */
  const classRow = (c, tables) => {
    const open = expanded.has(c.class_id);
    const toggle = h('button', {
      type: 'button', class: 'secondary', 'data-class-toggle': c.class_id, 'aria-expanded': open ? 'true' : 'false',
      'aria-controls': tables.map((g) => `class-table-${g.session_id}`).join(' ') || null, disabled: tables.length === 0,
      onclick: (e) => {
        if (expanded.has(c.class_id)) expanded.delete(c.class_id); else expanded.add(c.class_id);
        const now = expanded.has(c.class_id);
        e.currentTarget.setAttribute('aria-expanded', now ? 'true' : 'false');
        e.currentTarget.textContent = now ? t('stored.hide_tables') : t('stored.show_tables', { n: tables.length });
        for (const row of listBox.querySelectorAll(`tr.class-table-row[data-class="${CSS.escape(c.class_id)}"]`)) row.hidden = !now;
      },
    }, open ? t('stored.hide_tables') : t('stored.show_tables', { n: tables.length }));
    return h('tr', { class: 'class-row', 'data-class-row': c.class_id, 'data-status': c.status },
      h('td', { class: 'select-cell', 'data-label': t('col.compare') }, h('span', { class: 'muted small' }, t('stored.class_lower'))),
      h('th', { scope: 'row', 'data-label': t('col.code') }, h('span', { class: 'table-tag' }, t('stored.class_tag')), h('strong', { class: 'code-chip' }, c.join_code)),
      h('td', { 'data-label': t('col.scenario') }, c.title || scenarioTitle(c)),
      h('td', { 'data-label': t('col.status') }, h('span', { class: `status-tag ${c.status === 'open' ? 'running' : c.status}` }, classStatusWords(c.status))),
      h('td', { 'data-label': t('newclass.tables') }, plural('class.tables', c.tables)),
      h('td', { 'data-label': t('col.created') }, c.created_at ? h('time', { datetime: new Date(c.created_at).toISOString() }, dateText(c.created_at)) : ''),
      h('td', { class: 'row-actions', 'data-label': t('col.actions') },
        toggle,
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(c.class_id)}`, class: 'button primary', 'data-class-debrief': c.class_id, 'aria-label': t('stored.class_debrief_label', { code: c.join_code }) }, t('stored.class_debrief')),
        c.status === 'open' ? h('a', { href: `#/instructor/class/${encodeURIComponent(c.class_id)}`, class: 'button secondary', 'data-class-console': c.class_id, 'aria-label': t('stored.class_console_label', { code: c.join_code }) }, t('stored.console')) : null,
        classExportMenu(root, key, c, { status, errorBox: listError }),
        h('button', { type: 'button', class: 'link danger-link', 'data-class-delete': c.class_id, 'aria-haspopup': 'dialog', 'aria-label': t('stored.delete_class_label', { code: c.join_code }), onclick: (e) => openDeleteClass(c, tables, e.currentTarget) }, t('stored.delete'))));
  };

  const render = () => {
    const filtered = filters.status || filters.scenario;
    updateCompare();
    // A class is one entry: its tables (as filtered) under it; without filters, also a class
    // nobody joined yet.
    const entries = [];
    for (const c of classes) {
      const tables = games.filter((g) => g.class_id === c.class_id).sort((a, b) => (a.class_table || 0) - (b.class_table || 0));
      if (tables.length || (!filtered && !c.tables)) entries.push({ at: c.created_at || 0, cls: c, tables });
    }
    for (const g of games) if (!g.class_id || !classes.some((c) => c.class_id === g.class_id)) entries.push({ at: g.created_at || 0, game: g });
    entries.sort((a, b) => b.at - a.at);
    if (entries.length === 0) {
      fill(listBox, h('p', { class: 'muted', 'data-empty': '' }, filtered ? t('stored.none_match') : t('stored.none')));
      return;
    }
    const standalone = entries.filter((e) => e.game).length;
    const classCount = entries.length - standalone;
    fill(listBox,
      h('p', { class: 'muted small', id: 'stored-count' },
        standalone && classCount
          ? t('stored.count_both', { games: plural('stored.games', standalone), classes: plural('stored.classes', classCount) })
          : t('stored.count', { what: standalone ? plural('stored.games', standalone) : plural('stored.classes', classCount) })),
      h('table', { class: 'stored-table' },
        h('caption', { class: 'visually-hidden' }, t('stored.caption')),
        h('thead', null, h('tr', null, [t('col.compare'), t('col.code'), t('col.scenario'), t('col.status'), t('col.round'), t('col.created'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, entries.map((e) => (e.game ? gameRow(e.game) : [classRow(e.cls, e.tables), e.tables.map((g) => gameRow(g, e.cls))])))));
  };

  // ---- Fork: which round, then the new join code ----
  const forkDialog = h('dialog', { id: 'fork-dialog', class: 'stored-dialog', 'aria-labelledby': 'fork-title' });
  const openFork = (g, opener) => {
    const rounds = g.rounds || 1;
    const played = g.status === 'finished' ? rounds : g.status === 'lobby' ? 1 : Math.min(g.round || 1, rounds);
    const errorBox = h('div', { class: 'inline-error', id: 'fork-error' });
    const input = h('input', { id: 'fork-round', type: 'number', min: '1', max: String(rounds), step: '1', value: String(played), required: true, 'aria-describedby': 'fork-hint fork-error' });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'fork-submit' }, t('fork.create'));
    // No native validation bubble: the server knows which rounds the stored game reached, and
    // its answer is shown in words below the field.
    const form = h('form', { id: 'fork-form', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const round = Number(input.value);
      if (!Number.isInteger(round) || round < 1) {
        showProblem(root, { code: 'need_round' }, errorBox);
        input.focus();
        return;
      }
      submit.disabled = true;
      try {
        const made = await api.forkSession(key, g.session_id, round);
        showForkResult(g, made);
        load();
      } catch (err) {
        submit.disabled = false;
        showProblem(root, err, errorBox);
        input.focus();
      }
    } },
    h('h2', { id: 'fork-title' }, t('fork.title', { game: gameName(g) })),
    h('p', null, t('fork.intro')),
    h('label', { for: 'fork-round' }, t('fork.round')),
    input,
    h('p', { class: 'muted small', id: 'fork-hint' }, plural('fork.hint', rounds)),
    errorBox,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => forkDialog.close() }, t('common.cancel')),
      submit));
    forkDialog.replaceChildren(form);
    forkDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
    if (!forkDialog.open) forkDialog.showModal();
    input.focus();
    input.select();
  };
  const showForkResult = (g, made) => {
    const consoleHref = `#/instructor/session/${encodeURIComponent(made.session_id)}`;
    const close = h('button', { type: 'button', class: 'secondary', id: 'fork-close', onclick: () => forkDialog.close() }, t('common.close'));
    const heading = h('h2', { id: 'fork-title', tabindex: '-1' }, t('fork.created'));
    forkDialog.replaceChildren(h('div', { id: 'fork-result', 'data-session': made.session_id },
      heading,
      h('p', null, t('fork.result', { game: gameName(g), round: made.round })),
      h('p', { class: 'fork-code' }, h('strong', { class: 'code-chip big', 'data-join-code': made.join_code }, made.join_code)),
      h('div', { class: 'actions' },
        close,
        h('a', { href: consoleHref, class: 'button primary', id: 'fork-console-link', onclick: () => { forkDialog.onclose = null; forkDialog.close(); } }, t('fork.open_console')))));
    status.textContent = t('fork.status', { code: made.join_code, game: gameName(g), round: made.round });
    announce(t('fork.announce', { code: made.join_code.split('').join(' ') }));
    heading.focus();
  };

  // ---- Delete, after a confirmation ----
  const deleteDialog = h('dialog', { id: 'delete-dialog', class: 'stored-dialog', role: 'alertdialog', 'aria-labelledby': 'delete-title', 'aria-describedby': 'delete-text' });
  // `what`: {heading, text, notice, remove: () => promise, done: text, after: () => void}.
  const askDelete = (what, opener) => {
    const errorBox = h('div', { class: 'inline-error', id: 'delete-error' });
    const cancel = h('button', { type: 'button', class: 'secondary', id: 'delete-cancel', onclick: () => deleteDialog.close() }, t('common.cancel'));
    const confirm = h('button', { type: 'button', class: 'danger', id: 'delete-confirm', onclick: async () => {
      confirm.disabled = true;
      try {
        await what.remove();
        deleteDialog.onclose = null;
        deleteDialog.close();
        status.textContent = what.done;
        announce(what.done);
        what.after();
        render();
        focusHeading(listSection);
        load();
      } catch (err) {
        confirm.disabled = false;
        showProblem(root, err, errorBox);
      }
    } }, t('delete.confirm'));
    deleteDialog.replaceChildren(
      h('h2', { id: 'delete-title' }, what.heading),
      h('p', { id: 'delete-text' }, what.text),
      what.notice ? h('p', { class: 'notice' }, what.notice) : null,
      errorBox,
      h('div', { class: 'actions' }, cancel, confirm));
    deleteDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
    if (!deleteDialog.open) deleteDialog.showModal();
    cancel.focus();
  };
  const openDelete = (g, opener) => askDelete({
    heading: t('delete.game_heading', { game: gameName(g) }),
    text: t('delete.game_text', { scenario: scenarioTitle(g), date: dateText(g.created_at) }),
    notice: g.status !== 'finished' ? t('delete.game_live') : null,
    remove: () => api.deleteSession(key, g.session_id),
    done: t('delete.game_done', { game: gameName(g) }),
    after: () => {
      games = games.filter((x) => x.session_id !== g.session_id);
      selected.delete(g.session_id);
    },
  }, opener);
  const openDeleteClass = (c, tables, opener) => askDelete({
    heading: t('delete.class_heading', { code: c.join_code, tables: plural('class.tables', c.tables) }),
    text: t('delete.class_text', { scenario: c.title || scenarioTitle(c), date: dateText(c.created_at) }),
    notice: c.status !== 'finished' ? t('delete.class_live') : null,
    remove: () => api.deleteClass(key, c.class_id),
    done: t('delete.class_done', { code: c.join_code }),
    after: () => {
      classes = classes.filter((x) => x.class_id !== c.class_id);
      games = games.filter((x) => x.class_id !== c.class_id);
      for (const g of tables) selected.delete(g.session_id);
    },
  }, opener);

  statusSelect.addEventListener('change', () => { filters.status = statusSelect.value; load(); });
  scenarioSelect.addEventListener('change', () => { filters.scenario = scenarioSelect.value; load(); });

  const listSection = h('section', { class: 'card', 'aria-labelledby': 'stored-list-title' },
    h('div', { class: 'row-between' },
      h('h2', { id: 'stored-list-title' }, t('stored.games_title')),
      h('button', { type: 'button', class: 'secondary', id: 'stored-refresh', onclick: load }, t('dash.refresh'))),
    status, listError, compareBar, listBox);

  fill(root, h('main', { class: 'instructor-page stored-page', id: 'main' },
    instructorNav(root, [{ href: '#/instructor', text: t('nav.home') }]),
    h('header', { class: 'page-head' }, h('h1', null, t('stored.title'))),
    h('p', { class: 'muted' }, t('stored.intro')),
    h('form', { class: 'card filters', id: 'stored-filters', role: 'search', 'aria-label': t('stored.filter_label'), onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'filter' }, h('label', { for: 'filter-status' }, t('col.status')), statusSelect),
      h('div', { class: 'filter' }, h('label', { for: 'filter-scenario' }, t('col.scenario')), scenarioSelect)),
    listSection,
    forkDialog, deleteDialog));
  focusHeading(root);

  api.scenarioList().then((list) => {
    if (gone) return;
    scenarios = Array.isArray(list) ? list : [];
    fill(scenarioSelect, h('option', { value: '' }, t('stored.every_scenario')),
      scenarios.map((s) => h('option', { value: s.id, selected: s.id === filters.scenario }, s.title)));
    if (games.length) render();
  }, (err) => { if (!gone) showProblem(root, err, listError); });
  load();

  return () => {
    gone = true;
    if (forkDialog.open) forkDialog.close();
    if (deleteDialog.open) deleteDialog.close();
  };
}
