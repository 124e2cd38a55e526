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
import { studentPage } from './?asset=student.js';
import { projectorPage } from './?asset=projector.js';
import { instructorPage } from './?asset=instructor.js';
import { storedPage } from './?asset=stored.js';
import { replayPage } from './?asset=replay.js';
import { debriefPage } from './?asset=debrief.js';
import { comparePage } from './?asset=compare.js';
import { classConsolePage } from './?asset=class-console.js';
import { classDebriefPage } from './?asset=class-debrief.js';
import { guidePage } from './?asset=guide.js';

const root = document.getElementById('app');
let leave = null;

function route() {
  if (leave) {
    try { leave(); } catch (err) { showError({ code: 'error', message: String(err && err.message) }); }
    leave = null;
  }
  document.body.classList.remove('on-projector');
  document.documentElement.classList.remove('on-projector');
  const parts = location.hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  const [first, second, third] = parts;
  let cleanup;
  if (first === 'projector') cleanup = projectorPage(root, { code: second || '' });
  else if (first === 'instructor' && second === 'games') cleanup = instructorPage(root, { screen: (r, key) => storedPage(r, key) });
  else if (first === 'instructor' && second === 'replay' && third) cleanup = instructorPage(root, { screen: (r, key) => replayPage(r, key, third) });
  else if (first === 'instructor' && second === 'debrief' && third) cleanup = instructorPage(root, { screen: (r, key) => debriefPage(r, key, third) });
  else if (first === 'instructor' && second === 'compare') cleanup = instructorPage(root, { screen: (r, key) => comparePage(r, key, third || '') });
  else if (first === 'instructor' && second === 'class' && third) cleanup = instructorPage(root, { screen: (r, key) => classConsolePage(r, key, third) });
  else if (first === 'instructor' && second === 'class-debrief' && third) cleanup = instructorPage(root, { screen: (r, key) => classDebriefPage(r, key, third) });
  else if (first === 'instructor' && second === 'guide' && third) cleanup = instructorPage(root, { screen: (r, key) => guidePage(r, key, third) });
  else if (first === 'instructor') cleanup = instructorPage(root, { sessionId: second === 'session' ? third : null });
  else if (first === 'join') cleanup = studentPage(root, { code: second || '' });
  else cleanup = studentPage(root, {});
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
onLangChange(() => {
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
