// The client's entry point: a hash router over the three kinds of screen.
//   #/                      student: join (code, then nickname) or resume the seat kept in the browser
//   #/join/CODE             student, with the code already typed
//   #/projector[/CODE]      the projector (watch: public information only)
//   #/instructor            instructor sign-in, sessions, source text, new session
//   #/instructor/session/ID the live console of one session
//   #/instructor/games      stored games: filters, replay, debrief, exports, fork, delete
//   #/instructor/replay/ID  the replay viewer of one stored game
//   #/instructor/debrief/ID the printable debrief of one stored game
//   #/instructor/compare/ID,ID,…  several tables of one scenario side by side (printable)
//   #/instructor/class/ID   the console of a class (every table at once)
//   #/instructor/class-debrief/ID  the printable debrief of a class
//   #/instructor/guide/SCENARIO  the printable teacher's guide of a scenario

import { h, showError } from './?asset=dom.js';
import { init as loadWords, onLangChange, t } from './?asset=i18n.js';
import { loadAddress, syncClock } from './?asset=api.js';

const root = document.getElementById('app');
let leave = null;
// Counts the routes opened, so that a screen whose module arrives after another route was
// opened is not drawn.
let opened = 0;

/** The modules this page has loaded through `load`. */
const loaded = new Set();

/** Each screen's module is fetched the first time its route opens: a student's phone loads the
 * student's screens only, not the instructor's and the projector's. A module this page has not
 * loaded yet, asked for after its first screen, is fetched only once the server is known to serve
 * the page's own version of the client. */
async function load(file) {
  if (!loaded.has(file) && opened > 1) await reloadIfUpgraded();
  const module = await import(`./?asset=${file}`);
  loaded.add(file);
  return module;
}

/**
 * Reloads the page when the server now serves another version of the client than the one this
 * page was loaded from (the server was upgraded while the page stayed open): a new screen's
 * module beside the old page's modules and catalogue could fail to load or show words the page
 * does not have. The page names its version in `<meta name="client-version">`, the server in
 * `X-Client-Version`. A page reloads once per server version (a copy of an old `index.html` kept
 * by some proxy would otherwise reload for ever); when the server cannot be asked, the import
 * that follows says so.
 */
async function reloadIfUpgraded() {
  const mine = document.querySelector('meta[name="client-version"]')?.content;
  let served = null;
  try {
    const response = await fetch('./?asset=main.js', { method: 'HEAD', cache: 'no-store' });
    served = response.headers.get('X-Client-Version');
  } catch {
    return;
  }
  if (!mine || !served || mine === served) return;
  try {
    if (sessionStorage.getItem('reloaded-for-version') === served) return;
    sessionStorage.setItem('reloaded-for-version', served);
  } catch {
    return; // no storage to remember the reload by: carry on rather than risk a loop
  }
  location.reload();
  await new Promise(() => {}); // the old page draws nothing more
}

/** The instructor's screens at `#/instructor/<name>/<id>`: their module, how to open one, and
 * whether it needs the id. */
const INSTRUCTOR_SCREENS = new Map([
  ['games', { file: 'stored.js', open: (m, r, key) => m.storedPage(r, key) }],
  ['replay', { file: 'replay.js', open: (m, r, key, id) => m.replayPage(r, key, id), id: true }],
  ['debrief', { file: 'debrief.js', open: (m, r, key, id) => m.debriefPage(r, key, id), id: true }],
  ['compare', { file: 'compare.js', open: (m, r, key, id) => m.comparePage(r, key, id || '') }],
  ['class', { file: 'class-console.js', open: (m, r, key, id) => m.classConsolePage(r, key, id), id: true }],
  ['class-debrief', { file: 'class-debrief.js', open: (m, r, key, id) => m.classDebriefPage(r, key, id), id: true }],
  ['guide', { file: 'guide.js', open: (m, r, key, id) => m.guidePage(r, key, id), id: true }],
]);

/** The screen the address names, as a function that draws it (its module fetched first). */
async function screenAt([first, second, third]) {
  if (first === 'projector') {
    const { projectorPage } = await load('projector.js');
    return (el) => projectorPage(el, { code: second || '' });
  }
  if (first === 'instructor') {
    const { instructorPage } = await load('instructor.js');
    const inner = INSTRUCTOR_SCREENS.get(second);
    if (inner && (third || !inner.id)) {
      const m = await load(inner.file);
      return (el) => instructorPage(el, { screen: (r, key) => inner.open(m, r, key, third) });
    }
    return (el) => instructorPage(el, { sessionId: second === 'session' ? third : null });
  }
  const { studentPage } = await load('student.js');
  return (el) => studentPage(el, first === 'join' ? { code: second || '' } : {});
}

async function route() {
  if (leave) {
    try { leave(); } catch (err) { showError({ code: 'error', message: String(err && err.message) }); }
    leave = null;
  }
  document.body.classList.remove('on-projector');
  document.documentElement.classList.remove('on-projector');
  const parts = location.hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  const mine = ++opened;
  let draw;
  try {
    draw = await screenAt(parts);
  } catch {
    // A module that did not arrive (the network dropped mid-load).
    if (mine === opened) showError({ code: 'error', message: t('app.incomplete') });
    return;
  }
  if (mine !== opened) return;
  const cleanup = draw(root);
  leave = typeof cleanup === 'function' ? cleanup : null;
}

/** The words of the page outside the screens (the skip link, the title): in the language in use. */
function frameWords() {
  const skip = document.querySelector('.skip-link');
  if (skip) skip.textContent = t('app.skip');
  document.title = t('app.name');
}

// A new language draws the current screen anew, without a reload: a screen that keeps a live
// connection (a game, a console) redraws itself and tells the server (`relang` on its cleanup
// function); any other is opened again, which asks the server for its texts in the new language.
// (After a server upgrade the new catalogue is of another version than the page: the page
// reloads, in the language chosen.)
onLangChange(async () => {
  await reloadIfUpgraded();
  frameWords();
  if (leave && typeof leave.relang === 'function') {
    // A screen that has gone on to another (a game left for the join form) answers false.
    let done = true;
    try { done = leave.relang() !== false; } catch (err) { showError({ code: 'error', message: String(err && err.message) }); }
    if (!done) route();
  } else {
    route();
  }
});

window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (event) => {
  // A promise nobody waited for: still tell the user, in words.
  const reason = event.reason || {};
  showError({ code: reason.code || 'error', message: reason.message || String(reason) });
});

// The skip link must not change the hash (the router uses it): it moves focus instead.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  const main = document.getElementById('main');
  if (main) {
    main.setAttribute('tabindex', '-1');
    main.focus();
  }
});

syncClock();
// Where students reach the server: only the projector and the consoles show it, so only their
// first screen waits for it (a student's phone does not).
const addressLoaded = loadAddress();
// The catalogue is loaded before the first screen is drawn (a failed load leaves English).
await loadWords();
if (/^#\/?(projector|instructor)/.test(location.hash)) await addressLoaded;
frameWords();
if (!root) {
  document.body.appendChild(h('p', null, t('app.incomplete')));
} else {
  route();
}
