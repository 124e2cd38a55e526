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

import { h, fill, announce, errorText, plural, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { signOutButton, signInAgain } from './?asset=instructor.js';

// ---- Shared with replay.js, debrief.js and compare.js --------------------------------------------------------

/** Words for the codes of the stored-games routes (dom.js knows the others). */
const MORE_WORDS = {
  bad_round: 'That round cannot be chosen for a fork.',
  bad_lens: 'There is no such view of this game.',
  session_deleted: 'This game was deleted.',
  not_instructor: 'This game belongs to another instructor.',
  unknown_session: 'This game no longer exists (it may have been deleted).',
  mixed_scenarios: 'These games cannot be compared side by side',
  unknown_class: 'This class no longer exists (it may have been deleted).',
};

/** The error in words: a plain sentence, then the server's own message. */
export function problemText(err) {
  const code = err && err.code ? err.code : 'error';
  const words = MORE_WORDS[code];
  if (!words) return errorText(err);
  const message = err && err.message ? String(err.message) : '';
  return message && message.toLowerCase() !== words.toLowerCase() ? `${words} (${message})` : words;
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
  return h('nav', { class: 'crumbs no-print', 'aria-label': 'Instructor pages' },
    h('span', { class: 'crumb-links' }, links.map((l) => h('a', { href: l.href, id: l.id || null }, l.text))),
    signOutButton(root));
}

/** Tables compared at most (the server's limit). */
export const COMPARE_MAX = 12;

export const STATUS_WORDS = { lobby: 'In the lobby', running: 'Running', paused: 'Paused', finished: 'Finished' };

/** A stored class's status (`GET /api/classes`). */
export const CLASS_STATUS = { open: 'Open', finished: 'Finished' };

/** "12 Mar 2025, 10:42" from unix milliseconds. */
export function dateText(ms) {
  if (!ms) return '';
  try {
    return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return new Date(ms).toLocaleString();
  }
}

const EXPORTS = [
  { kind: 'json', label: 'JSON: the whole log', ext: 'json' },
  { kind: 'csv', label: 'CSV: every order', ext: 'csv' },
  { kind: 'messages', label: 'CSV: every message', ext: 'csv' },
  { kind: 'reflections', label: 'CSV: the reflections', ext: 'csv' },
  { kind: 'html', label: 'HTML: a replay page', ext: 'html' },
];

/** Downloads one export of a game and says so in `status` (errors in words in `errorBox`). */
export function downloadExport(root, key, game, kind, { status, errorBox, lens } = {}) {
  const spec = EXPORTS.find((e) => e.kind === kind) || EXPORTS[0];
  const fallbackName = `${game.scenario || 'game'}-${game.join_code || game.session_id}${kind === 'messages' || kind === 'reflections' ? `-${kind}` : ''}.${spec.ext}`;
  return downloadFile(root, key, api.exportPath(game.session_id, kind, lens), { label: spec.label, fallbackName, status, errorBox });
}

/** Downloads a file of the API with the key (`api.download`) and says so in `status`. */
export async function downloadFile(root, key, path, { label, fallbackName, status, errorBox } = {}) {
  if (status) status.textContent = `Preparing ${label}…`;
  try {
    const saved = await api.download(path, { key, fallbackName });
    const size = saved.size >= 1024 ? `${(saved.size / 1024).toFixed(1)} kB` : `${saved.size} bytes`;
    const text = `Downloaded ${saved.filename} (${size}).`;
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
    h('summary', { class: 'button secondary', 'aria-label': `Export the game ${game.join_code}` }, 'Export'),
    h('div', { class: 'export-list' }, EXPORTS.map((e) => h('button', {
      type: 'button', class: 'secondary', 'data-export': e.kind,
      onclick: () => downloadExport(root, key, game, e.kind, opts),
    }, e.label))));
}

const CLASS_EXPORTS = [
  { kind: 'json', label: 'JSON: every table\'s log' },
  { kind: 'csv', label: 'CSV: every table\'s orders' },
];

/** A class's export buttons (every table in one file), in a disclosure. */
export function classExportMenu(root, key, cls, opts = {}) {
  return h('details', { class: 'export-menu', 'data-class-exports': cls.class_id },
    h('summary', { class: 'button secondary', 'aria-label': `Export the class ${cls.join_code}` }, 'Export the class'),
    h('div', { class: 'export-list' }, CLASS_EXPORTS.map((e) => h('button', {
      type: 'button', class: 'secondary', 'data-class-export': e.kind,
      onclick: () => downloadFile(root, key, api.classExportPath(cls.class_id, e.kind), {
        ...opts, label: e.label, fallbackName: `class-${cls.join_code}.${e.kind === 'csv' ? 'orders.csv' : 'json'}`,
      }),
    }, e.label))));
}

// ---- The stored-games page -------------------------------------------------------------------------

export function storedPage(root, key) {
  title('Stored games');
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
  const listBox = h('div', { class: 'stored-list', id: 'stored-list', 'aria-live': 'off' }, h('p', { class: 'muted' }, 'Loading…'));
  const statusSelect = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Every status'),
    Object.entries(STATUS_WORDS).map(([v, label]) => h('option', { value: v }, label)));
  const scenarioSelect = h('select', { id: 'filter-scenario', name: 'scenario' }, h('option', { value: '' }, 'Every scenario'));

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
  const gameName = (g) => (g.class_id ? `${g.join_code} (table ${g.class_table})` : g.join_code);

  const roundText = (g) => {
    if (g.status === 'lobby') return 'Not started';
    const rounds = g.rounds || g.round;
    const r = Math.max(1, Math.min(g.round || 1, rounds || 1));
    return `${r} of ${rounds}`;
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
  }, 'Compare selected');
  const clearButton = h('button', {
    type: 'button', class: 'link', id: 'compare-clear', hidden: true,
    onclick: () => {
      selected.clear();
      for (const box of listBox.querySelectorAll('input[data-compare]')) box.checked = false;
      updateCompare();
      compareButton.focus();
    },
  }, 'Clear the selection');
  const compareBar = h('div', { class: 'compare-bar', id: 'compare-bar', role: 'group', 'aria-label': 'Compare tables' },
    h('div', { class: 'compare-buttons' }, compareButton, clearButton), compareStatus);

  const updateCompare = () => {
    const picked = [...selected].map((id) => games.find((g) => g.session_id === id)).filter(Boolean);
    const n = picked.length;
    compareButton.disabled = n < 1 || n > COMPARE_MAX;
    compareButton.textContent = n ? `Compare selected (${n})` : 'Compare selected';
    clearButton.hidden = n === 0;
    const codes = picked.map((g) => g.join_code).join(', ');
    const kinds = new Set(picked.map((g) => g.scenario));
    let text;
    if (n === 0) text = `Tick two or more games of the same scenario (up to ${COMPARE_MAX}) to compare their tables side by side.`;
    else if (n === 1) text = `1 game selected (${codes}): tick at least one more of the same scenario to compare them.`;
    else if (n > COMPARE_MAX) text = `${n} games selected: ${COMPARE_MAX} at most can be compared.`;
    else text = `${n} games selected: ${codes}.`;
    if (n > 1 && kinds.size > 1) text += ' They are of different scenarios: only games of one scenario can be compared.';
    compareStatus.textContent = text;
    compareBar.dataset.selected = String(n);
  };

  /** One game's row: a game of its own, or (`cls`) a table of a class, hidden until the class opens. */
  const gameRow = (g, cls) => h('tr', {
    'data-session': g.session_id, 'data-status': g.status, 'data-class': cls ? cls.class_id : null,
    class: cls ? 'class-table-row' : null, id: cls ? `class-table-${g.session_id}` : null, hidden: cls ? !expanded.has(cls.class_id) : false,
  },
  h('td', { class: 'select-cell', 'data-label': 'Compare' }, h('input', {
    type: 'checkbox', id: `compare-${g.session_id}`, 'data-compare': g.session_id, checked: selected.has(g.session_id),
    'aria-label': `Select the game ${gameName(g)} to compare`, 'aria-controls': 'compare-bar',
    onchange: (e) => {
      if (e.currentTarget.checked) selected.add(g.session_id);
      else selected.delete(g.session_id);
      updateCompare();
    },
  })),
  h('th', { scope: 'row', 'data-label': 'Code' }, cls ? h('span', { class: 'table-tag' }, `Table ${g.class_table}`) : null,
    h('strong', { class: 'code-chip' }, g.join_code)),
  h('td', { 'data-label': 'Scenario' }, scenarioTitle(g)),
  h('td', { 'data-label': 'Status' }, h('span', { class: `status-tag ${g.status}` }, STATUS_WORDS[g.status] || g.status)),
  h('td', { 'data-label': 'Round' }, roundText(g)),
  h('td', { 'data-label': 'Created' }, g.created_at ? h('time', { datetime: new Date(g.created_at).toISOString() }, dateText(g.created_at)) : ''),
  h('td', { class: 'row-actions', 'data-label': 'Actions' },
    h('a', { href: `#/instructor/replay/${encodeURIComponent(g.session_id)}`, class: 'button primary', 'data-replay': g.session_id, 'aria-label': `Replay the game ${gameName(g)}` }, 'Replay'),
    h('a', { href: `#/instructor/debrief/${encodeURIComponent(g.session_id)}`, class: 'button secondary', 'data-debrief': g.session_id, 'aria-label': `Debrief of the game ${gameName(g)}` }, 'Debrief'),
    exportMenu(root, key, g, { status, errorBox: listError }),
    h('button', { type: 'button', class: 'secondary', 'data-fork': g.session_id, 'aria-haspopup': 'dialog', 'aria-label': `Fork the game ${gameName(g)} from a round`, onclick: (e) => openFork(g, e.currentTarget) }, 'Fork…'),
    h('button', { type: 'button', class: 'link danger-link', 'data-delete': g.session_id, 'aria-haspopup': 'dialog', 'aria-label': `Delete the game ${gameName(g)}`, onclick: (e) => openDelete(g, e.currentTarget) }, 'Delete…')));

  /** A class's row: opens to its tables; its debrief, console, exports and deletion. */
  const classRow = (c, tables) => {
    const open = expanded.has(c.class_id);
    const toggle = h('button', {
      type: 'button', class: 'secondary', 'data-class-toggle': c.class_id, 'aria-expanded': open ? 'true' : 'false',
      'aria-controls': tables.map((t) => `class-table-${t.session_id}`).join(' ') || null, disabled: tables.length === 0,
      onclick: (e) => {
        if (expanded.has(c.class_id)) expanded.delete(c.class_id); else expanded.add(c.class_id);
        const now = expanded.has(c.class_id);
        e.currentTarget.setAttribute('aria-expanded', now ? 'true' : 'false');
        e.currentTarget.textContent = now ? 'Hide its tables' : `Show its tables (${tables.length})`;
        for (const row of listBox.querySelectorAll(`tr.class-table-row[data-class="${CSS.escape(c.class_id)}"]`)) row.hidden = !now;
      },
    }, open ? 'Hide its tables' : `Show its tables (${tables.length})`);
    return h('tr', { class: 'class-row', 'data-class-row': c.class_id, 'data-status': c.status },
      h('td', { class: 'select-cell', 'data-label': 'Compare' }, h('span', { class: 'muted small' }, 'class')),
      h('th', { scope: 'row', 'data-label': 'Code' }, h('span', { class: 'table-tag' }, 'Class'), h('strong', { class: 'code-chip' }, c.join_code)),
      h('td', { 'data-label': 'Scenario' }, c.title || scenarioTitle(c)),
      h('td', { 'data-label': 'Status' }, h('span', { class: `status-tag ${c.status === 'open' ? 'running' : c.status}` }, CLASS_STATUS[c.status] || c.status)),
      h('td', { 'data-label': 'Tables' }, plural(c.tables, 'table')),
      h('td', { 'data-label': 'Created' }, c.created_at ? h('time', { datetime: new Date(c.created_at).toISOString() }, dateText(c.created_at)) : ''),
      h('td', { class: 'row-actions', 'data-label': 'Actions' },
        toggle,
        h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(c.class_id)}`, class: 'button primary', 'data-class-debrief': c.class_id, 'aria-label': `Debrief of the class ${c.join_code}` }, 'Class debrief'),
        c.status === 'open' ? h('a', { href: `#/instructor/class/${encodeURIComponent(c.class_id)}`, class: 'button secondary', 'data-class-console': c.class_id, 'aria-label': `Console of the class ${c.join_code}` }, 'Console') : null,
        classExportMenu(root, key, c, { status, errorBox: listError }),
        h('button', { type: 'button', class: 'link danger-link', 'data-class-delete': c.class_id, 'aria-haspopup': 'dialog', 'aria-label': `Delete the class ${c.join_code} and its tables`, onclick: (e) => openDeleteClass(c, tables, e.currentTarget) }, 'Delete…')));
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
      fill(listBox, h('p', { class: 'muted', 'data-empty': '' }, filtered ? 'No stored game matches these filters.' : 'No games yet: create one on the instructor page.'));
      return;
    }
    const standalone = entries.filter((e) => e.game).length;
    const classCount = entries.length - standalone;
    fill(listBox,
      h('p', { class: 'muted small', id: 'stored-count' },
        `${[standalone ? plural(standalone, 'game') : '', classCount ? plural(classCount, 'class', 'classes') : ''].filter(Boolean).join(' and ')}, newest first`),
      h('table', { class: 'stored-table' },
        h('caption', { class: 'visually-hidden' }, 'Stored games and classes, newest first'),
        h('thead', null, h('tr', null, ['Compare', 'Code', 'Scenario', 'Status', 'Round', 'Created', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, entries.map((e) => (e.game ? gameRow(e.game) : [classRow(e.cls, e.tables), e.tables.map((t) => gameRow(t, e.cls))])))));
  };

  // ---- Fork: which round, then the new join code ----
  const forkDialog = h('dialog', { id: 'fork-dialog', class: 'stored-dialog', 'aria-labelledby': 'fork-title' });
  const openFork = (g, opener) => {
    const rounds = g.rounds || 1;
    const played = g.status === 'finished' ? rounds : g.status === 'lobby' ? 1 : Math.min(g.round || 1, rounds);
    const errorBox = h('div', { class: 'inline-error', id: 'fork-error' });
    const input = h('input', { id: 'fork-round', type: 'number', min: '1', max: String(rounds), step: '1', value: String(played), required: true, 'aria-describedby': 'fork-hint fork-error' });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'fork-submit' }, 'Create the new game');
    // No native validation bubble: the server knows which rounds the stored game reached, and
    // its answer is shown in words below the field.
    const form = h('form', { id: 'fork-form', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const round = Number(input.value);
      if (!Number.isInteger(round) || round < 1) {
        showProblem(root, { code: 'bad_round', message: 'give a whole round number, 1 or more' }, errorBox);
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
    h('h2', { id: 'fork-title' }, `Fork the game ${gameName(g)}`),
    h('p', null, 'A new game in the lobby, with the same scenario and seed, that starts at the round you choose: the rounds before it are copied as they were played. Bots sit again; students join with the new code.'),
    h('label', { for: 'fork-round' }, 'Start the new game at round'),
    input,
    h('p', { class: 'muted small', id: 'fork-hint' }, `From 1 to the round after the last one resolved (this scenario has ${rounds} round${rounds === 1 ? '' : 's'}).`),
    errorBox,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => forkDialog.close() }, 'Cancel'),
      submit));
    forkDialog.replaceChildren(form);
    forkDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
    if (!forkDialog.open) forkDialog.showModal();
    input.focus();
    input.select();
  };
  const showForkResult = (g, made) => {
    const consoleHref = `#/instructor/session/${encodeURIComponent(made.session_id)}`;
    const close = h('button', { type: 'button', class: 'secondary', id: 'fork-close', onclick: () => forkDialog.close() }, 'Close');
    const heading = h('h2', { id: 'fork-title', tabindex: '-1' }, 'New game created');
    forkDialog.replaceChildren(h('div', { id: 'fork-result', 'data-session': made.session_id },
      heading,
      h('p', null, `A fork of ${gameName(g)}, starting at round ${made.round}. Students join with this code:`),
      h('p', { class: 'fork-code' }, h('strong', { class: 'code-chip big', 'data-join-code': made.join_code }, made.join_code)),
      h('div', { class: 'actions' },
        close,
        h('a', { href: consoleHref, class: 'button primary', id: 'fork-console-link', onclick: () => { forkDialog.onclose = null; forkDialog.close(); } }, 'Open its live console'))));
    status.textContent = `New game ${made.join_code} created from ${gameName(g)} (round ${made.round}).`;
    announce(`New game created. Join code ${made.join_code.split('').join(' ')}.`);
    heading.focus();
  };

  // ---- Delete, after a confirmation ----
  const deleteDialog = h('dialog', { id: 'delete-dialog', class: 'stored-dialog', role: 'alertdialog', 'aria-labelledby': 'delete-title', 'aria-describedby': 'delete-text' });
  // `what`: {heading, text, notice, remove: () => promise, done: text, after: () => void}.
  const askDelete = (what, opener) => {
    const errorBox = h('div', { class: 'inline-error', id: 'delete-error' });
    const cancel = h('button', { type: 'button', class: 'secondary', id: 'delete-cancel', onclick: () => deleteDialog.close() }, 'Cancel');
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
    } }, 'Delete for good');
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
    heading: `Delete the game ${gameName(g)}?`,
    text: `${scenarioTitle(g)}, created ${dateText(g.created_at)}. This removes the game, its players, its messages and its whole log. It cannot be undone: export it first to keep a copy.`,
    notice: g.status !== 'finished' ? 'This game is not over: everyone still connected to it is disconnected.' : null,
    remove: () => api.deleteSession(key, g.session_id),
    done: `The game ${gameName(g)} was deleted.`,
    after: () => {
      games = games.filter((x) => x.session_id !== g.session_id);
      selected.delete(g.session_id);
    },
  }, opener);
  const openDeleteClass = (c, tables, opener) => askDelete({
    heading: `Delete the class ${c.join_code} and its ${plural(c.tables, 'table')}?`,
    text: `${c.title || scenarioTitle(c)}, created ${dateText(c.created_at)}. This removes the class and every one of its tables, with their players, messages and logs. It cannot be undone: export the class first to keep a copy.`,
    notice: c.status !== 'finished' ? 'This class is not over: every student and screen still connected to it is disconnected.' : null,
    remove: () => api.deleteClass(key, c.class_id),
    done: `The class ${c.join_code} was deleted.`,
    after: () => {
      classes = classes.filter((x) => x.class_id !== c.class_id);
      games = games.filter((x) => x.class_id !== c.class_id);
      for (const t of tables) selected.delete(t.session_id);
    },
  }, opener);

  statusSelect.addEventListener('change', () => { filters.status = statusSelect.value; load(); });
  scenarioSelect.addEventListener('change', () => { filters.scenario = scenarioSelect.value; load(); });

  const listSection = h('section', { class: 'card', 'aria-labelledby': 'stored-list-title' },
    h('div', { class: 'row-between' },
      h('h2', { id: 'stored-list-title' }, 'Games'),
      h('button', { type: 'button', class: 'secondary', id: 'stored-refresh', onclick: load }, 'Refresh')),
    status, listError, compareBar, listBox);

  fill(root, h('main', { class: 'instructor-page stored-page', id: 'main' },
    instructorNav(root, [{ href: '#/instructor', text: '← Instructor home' }]),
    h('header', { class: 'page-head' }, h('h1', null, 'Stored games')),
    h('p', { class: 'muted' }, 'Every game you created, newest first. Replay one step by step, print its debrief, download it, start a new game from one of its rounds, or delete it. Tick several games of one scenario to compare the tables side by side. A class is one entry: open it to see its tables.'),
    h('form', { class: 'card filters', id: 'stored-filters', role: 'search', 'aria-label': 'Filter the games', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'filter' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
      h('div', { class: 'filter' }, h('label', { for: 'filter-scenario' }, 'Scenario'), scenarioSelect)),
    listSection,
    forkDialog, deleteDialog));
  focusHeading(root);

  api.request('GET', '/api/scenarios').then((list) => {
    if (gone) return;
    scenarios = Array.isArray(list) ? list : [];
    fill(scenarioSelect, h('option', { value: '' }, 'Every scenario'),
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
