// The instructor console: sign in with the key; load a scenario's source text; create a session
// (scenario, round length, bots) or a class (one code for the room, students placed at tables:
// class-console.js runs it); list sessions and classes; and the live table of one session: players and
// roles, every role's draft and ready state, every message, and the controls (start, pause,
// resume, force resolve, deadline, inject event, assign, kick, add bot, end). The lesson: each
// round's discussion prompt with its report, the students' reflections once the game is over,
// and links to the scenario's teacher's guide (guide.js).
//
// The key stays in sessionStorage. It is sent as `Authorization: Bearer` to the HTTP API and only
// in the first WebSocket frame (`instructor {session_id, key}`), never in a URL.

import { h, fill, region, announce, showError, clearErrors, focusHeading, title } from './?asset=dom.js';
import { Connection } from './?asset=net.js';
import * as api from './?asset=api.js';
import { readyLights, startTicker, scoreboard, setStatus, secondsLeft, withSource, charts, studentsUnreachable } from './?asset=widgets.js';
import { applyFrame, keepReport, VIEW_FRAMES } from './?asset=live.js';
import { Chat } from './?asset=chat.js';
import { reportView, reportAnnouncement } from './?asset=report.js';
import { discussionBox, reflectionsList } from './?asset=lesson.js';
import { t, tParts, plural, num, dateTime, languagePicker } from './?asset=i18n.js';
import { statusWords } from './?asset=stored.js';

export function instructorPage(root, { sessionId, screen } = {}) {
  const key = api.instructorKey();
  if (!key) return signIn(root, sessionId, undefined, Boolean(screen));
  // The stored-games screens (stored.js, replay.js, debrief.js): `screen(root, key)`.
  if (screen) return screen(root, key);
  if (sessionId) {
    const consoleView = new Console(root, key, sessionId);
    consoleView.start();
    const leave = () => consoleView.stop();
    leave.relang = () => consoleView.relang();
    return leave;
  }
  return dashboard(root, key);
}

// ---- Sign in -----------------------------------------------------------------------------------------

// `reroute`: after signing in, run the router again (the stored-games screens come back with
// their own clean-up), instead of showing the dashboard or the console.
function signIn(root, sessionId, error, reroute = false) {
  title(t('signin.title'));
  const errorBox = h('div', { class: 'inline-error', id: 'signin-error' });
  const form = h('form', { class: 'card join', id: 'signin-form', onsubmit: async (e) => {
    e.preventDefault();
    const key = form.querySelector('input').value.trim();
    if (!key) return;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await api.listSessions(key);
      api.setInstructorKey(key);
      if (reroute) window.dispatchEvent(new HashChangeEvent('hashchange'));
      else instructorPage(root, { sessionId });
    } catch (err) {
      showError(err, errorBox);
      button.disabled = false;
    }
  } },
  h('h1', null, t('signin.title')),
  h('p', { class: 'muted' }, tParts('signin.intro', { code: h('code', null, 'third-neighbor instructor add NAME') })),
  h('label', { for: 'instructor-key' }, t('signin.key')),
  h('input', { id: 'instructor-key', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'signin-error' }),
  errorBox,
  h('button', { type: 'submit', class: 'primary big' }, t('signin.submit')));
  fill(root, h('main', { class: 'join-page', id: 'main' },
    h('div', { class: 'join-lang' }, languagePicker({ id: 'signin-lang' })),
    form,
    h('p', { class: 'footer-links muted small' }, h('a', { href: '#/' }, t('signin.student_page')), ' · ', h('a', { href: '#/projector' }, t('join.projector_link')))));
  if (error) showError(error, errorBox);
  form.querySelector('input').focus();
  return () => {};
}

/** A refused key (`unauthorized`) on a stored-games screen: sign in again, then come back. */
export function signInAgain(root, err) {
  if (!err || err.code !== 'unauthorized') return false;
  api.setInstructorKey(null);
  signIn(root, null, err, true);
  return true;
}

export function signOutButton(root) {
  return h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: () => { api.setInstructorKey(null); location.hash = '#/instructor'; signIn(root); } }, t('signin.sign_out'));
}

/** The instructor pages' tools: the language picker (small) and Sign out. */
export function instructorTools(root) {
  return h('span', { class: 'instructor-tools' }, languagePicker({ compact: true, id: 'instructor-lang' }), ' ', signOutButton(root));
}


function authFailed(root, err, sessionId) {
  if (err && err.code === 'unauthorized') {
    api.setInstructorKey(null);
    signIn(root, sessionId, err);
    return true;
  }
  return false;
}

// ---- Dashboard ---------------------------------------------------------------------------------------

function dashboard(root, key) {
  title(t('dash.title'));
  const createError = h('div', { class: 'inline-error', id: 'create-error' });
  const sourceError = h('div', { class: 'inline-error', id: 'source-error' });
  const sessionsBox = h('div', { class: 'sessions-box' }, h('p', { class: 'muted' }, t('common.loading')));
  const classesBox = h('div', { class: 'classes-box', id: 'classes-box' }, h('p', { class: 'muted' }, t('common.loading')));
  const sourceStatus = h('p', { class: 'source-status', id: 'source-status', role: 'status' });
  // How the first and the last paragraph begin, so that the teacher can see at a glance that the
  // text was split where the essay's paragraphs are (¶1 and ¶N as the scenario counts them).
  const sourcePreview = h('p', { class: 'muted small', id: 'source-preview' });
  const opening = (text) => {
    const words = text.trim();
    return words.length > 48 ? `${words.slice(0, 48).replace(/\s+\S*$/, '')}…` : words;
  };
  const scenarioSelect = h('select', { id: 'new-scenario', required: true });
  const sourceSelect = h('select', { id: 'source-scenario' });
  const botsBox = h('fieldset', { class: 'bots' }, h('legend', null, t('dash.bots_legend_short')));
  let scenarios = [];

  const rolesOf = (sc) => (sc.roles || []).map((r) => (typeof r === 'string' ? { id: r, name: r } : r));

  const renderBots = () => {
    const sc = scenarios.find((s) => s.id === scenarioSelect.value);
    fill(botsBox, h('legend', null, t('dash.bots_legend')),
      sc ? rolesOf(sc).map((r) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'bot', value: r.id, 'data-bot': r.id }), ` ${r.name}`)) : null);
  };

  const refreshSource = async () => {
    const id = sourceSelect.value;
    if (!id) return;
    sourceStatus.textContent = t('source.checking');
    try {
      const paragraphs = await api.source(id, { fresh: true });
      sourceStatus.textContent = paragraphs
        ? plural('source.loaded', paragraphs.length)
        : t('source.not_loaded');
      sourceStatus.dataset.loaded = paragraphs ? String(paragraphs.length) : '0';
      sourcePreview.textContent = paragraphs && paragraphs.length
        ? t('source.preview', { first: opening(paragraphs[0]), n: paragraphs.length, last: opening(paragraphs[paragraphs.length - 1]) })
        : '';
    } catch (err) {
      sourceStatus.textContent = '';
      sourcePreview.textContent = '';
      showError(err, sourceError);
    }
  };

  const loadSessions = async () => {
    try {
      const [all, classes] = await Promise.all([api.listSessions(key), api.listClasses(key)]);
      // A class's tables are reached through the class.
      const list = all.filter((s) => !s.class_id);
      fill(classesBox, classes.length === 0 ? h('p', { class: 'muted' }, t('dash.no_classes')) : h('ul', { class: 'plain class-list' }, classes.map((c) => h('li', { 'data-class': c.class_id },
        h('strong', { class: 'code-chip' }, c.join_code), ' ', c.title, h('span', { class: 'muted' }, ` · ${plural('class.tables', c.tables)} · ${c.status === 'open' ? t('class.status_open') : t('class.status_finished')}`), ' ',
        h('span', { class: 'row-actions' },
          c.status === 'open' ? h('a', { href: `#/instructor/class/${encodeURIComponent(c.class_id)}`, class: 'button primary', 'aria-label': t('dash.open_class_label', { code: c.join_code }) }, t('dash.open')) : null,
          c.status === 'open' ? h('a', { href: `#/projector/${encodeURIComponent(c.join_code)}`, target: '_blank', rel: 'noopener', class: 'button secondary', 'aria-label': t('dash.projector_class_label', { code: c.join_code }) }, t('dash.projector')) : null,
          h('a', { href: `#/instructor/class-debrief/${encodeURIComponent(c.class_id)}`, class: 'button secondary', 'aria-label': t('dash.debrief_class_label', { code: c.join_code }) }, t('dash.debrief')))))));
      fill(sessionsBox, list.length === 0 ? h('p', { class: 'muted' }, t('dash.no_sessions')) : h('table', { class: 'sessions' },
        h('caption', { class: 'visually-hidden' }, t('dash.sessions_caption')),
        h('thead', null, h('tr', null, [t('col.code'), t('col.scenario'), t('col.status'), t('col.round'), t('col.created'), h('span', { class: 'visually-hidden' }, t('col.actions'))].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, list.map((s) => h('tr', { 'data-session': s.session_id },
          h('td', null, h('strong', { class: 'code-chip' }, s.join_code)),
          h('td', null, s.title || s.scenario),
          h('td', null, statusWords(s.status)),
          h('td', null, num(s.round)),
          h('td', null, dateTime(s.created_at)),
          h('td', { class: 'row-actions' },
            h('a', { href: `#/instructor/session/${encodeURIComponent(s.session_id)}`, class: 'button primary', 'aria-label': t('dash.open_session_label', { code: s.join_code }) }, t('dash.open')),
            s.status !== 'finished' ? h('a', { href: `#/projector/${encodeURIComponent(s.join_code)}`, target: '_blank', rel: 'noopener', class: 'button secondary', 'aria-label': t('dash.projector_session_label', { code: s.join_code }) }, t('dash.projector')) : null,
            h('button', { type: 'button', class: 'secondary', onclick: () => download(key, s, 'html') }, t('dash.replay_html')),
            h('button', { type: 'button', class: 'secondary', onclick: () => download(key, s, 'csv') }, t('dash.orders_csv'))))))));
    } catch (err) {
      if (!authFailed(root, err)) showError(err, sessionsBox);
    }
  };

  const createForm = h('form', { class: 'card', id: 'create-form', onsubmit: async (e) => {
    e.preventDefault();
    const button = createForm.querySelector('button[type=submit]');
    const minutes = Number(createForm.querySelector('#new-minutes').value);
    const seedText = createForm.querySelector('#new-seed').value.trim();
    const body = {
      scenario: scenarioSelect.value,
      deadline_secs: Math.max(1, Math.round(minutes * 60)),
      bots: [...botsBox.querySelectorAll('input:checked')].map((i) => i.value),
    };
    if (seedText) body.seed = Number(seedText);
    await createAndOpen(root, button, createError, () => api.request('POST', '/api/sessions', { key, body }),
      (created) => `#/instructor/session/${encodeURIComponent(created.session_id)}`);
  } },
  h('h2', null, t('dash.new_session')),
  h('label', { for: 'new-scenario' }, t('col.scenario')), scenarioSelect,
  guideLinkFor(scenarioSelect, 'new-guide-link'),
  h('label', { for: 'new-minutes' }, t('dash.round_minutes')),
  h('input', { id: 'new-minutes', type: 'number', min: '0.5', max: '10080', step: '0.5', value: '5', required: true }),
  botsBox,
  h('details', null, h('summary', null, t('dash.advanced')),
    h('label', { for: 'new-seed' }, t('dash.seed')),
    h('input', { id: 'new-seed', type: 'number', min: '0', step: '1' })),
  createError,
  h('button', { type: 'submit', class: 'primary big' }, t('dash.create_session')));

  const classForm = newClassForm(root, key);
  const scenariosBox = h('div', { class: 'scenarios-box' }, h('p', { class: 'muted' }, t('common.loading')));
  const scenariosCard = h('section', { class: 'card', id: 'scenarios-card', 'aria-labelledby': 'scenarios-title' },
    h('h2', { id: 'scenarios-title' }, t('dash.scenarios')),
    h('p', { class: 'muted small' }, t('dash.scenarios_intro')),
    scenariosBox);

  const sourceForm = h('form', { class: 'card', id: 'source-form', onsubmit: async (e) => {
    e.preventDefault();
    const text = sourceForm.querySelector('#source-text').value;
    const file = sourceForm.querySelector('#source-file').files[0];
    const body = file ? await file.text() : text;
    if (!body.trim()) {
      showError({ code: 'need_source' }, sourceError);
      return;
    }
    // A PDF or Word file, or text in a legacy encoding (Windows-1251 for Cyrillic, say), reads
    // as UTF-8 with replacement characters: refuse it in words rather than store it.
    if (file && /[\uFFFD\u0000]/.test(body)) {
      showError({ code: 'source_not_text' }, sourceError);
      return;
    }
    const button = sourceForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const answer = await api.request('PUT', `/api/scenarios/${encodeURIComponent(sourceSelect.value)}/source`, { key, body });
      clearErrors(sourceError);
      const note = (answer.joined_lines ? ` ${t('source.joined')}` : '')
        + (answer.expected_paragraphs && answer.paragraphs !== answer.expected_paragraphs
          ? ` ${plural('source.expected', answer.expected_paragraphs)}` : '');
      announce(plural('source.announce', answer.paragraphs));
      await refreshSource();
      if (note) sourceStatus.textContent += note;
    } catch (err) {
      if (!authFailed(root, err)) showError(err, sourceError);
    } finally {
      button.disabled = false;
    }
  } },
  h('h2', null, t('source.title')),
  h('p', { class: 'muted' }, t('source.intro')),
  h('label', { for: 'source-scenario' }, t('col.scenario')), sourceSelect,
  sourceStatus,
  sourcePreview,
  h('label', { for: 'source-text' }, t('source.paste')),
  h('textarea', { id: 'source-text', rows: '6' }),
  h('label', { for: 'source-file' }, t('source.file')),
  h('input', { id: 'source-file', type: 'file', accept: '.txt,text/plain' }),
  sourceError,
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('source.load'))));

  scenarioSelect.addEventListener('change', renderBots);
  sourceSelect.addEventListener('change', refreshSource);

  fill(root, h('main', { class: 'instructor-page', id: 'main' },
    h('header', { class: 'page-head' }, h('h1', null, t('dash.title')), instructorTools(root)),
    h('div', { class: 'dash-grid' },
      h('div', { class: 'dash-forms' }, classForm.el, createForm, scenariosCard),
      h('section', { class: 'card', 'aria-labelledby': 'sessions-title' },
        h('div', { class: 'row-between' }, h('h2', { id: 'sessions-title' }, t('dash.your_sessions')),
          h('button', { type: 'button', class: 'secondary', onclick: loadSessions }, t('dash.refresh'))),
        h('p', null, h('a', { href: '#/instructor/games', id: 'stored-games-link' }, t('dash.stored_link'))),
        h('h3', { id: 'classes-title' }, t('dash.classes')),
        classesBox,
        h('h3', { id: 'single-sessions-title' }, t('dash.single_sessions')),
        sessionsBox),
      sourceForm)));
  focusHeading(root);

  api.scenarioList().then((list) => {
    scenarios = list;
    const options = () => list.map((s) => h('option', { value: s.id }, plural('dash.scenario_option', s.rounds, { title: s.title })));
    fill(scenarioSelect, options());
    scenarioSelect.dispatchEvent(new Event('change'));
    fill(sourceSelect, options());
    classForm.setScenarios(list);
    fill(scenariosBox, h('ul', { class: 'plain scenario-list' }, list.map((sc) => h('li', { 'data-scenario': sc.id },
      h('span', null, h('strong', null, sc.title), h('span', { class: 'muted small' }, ` · ${plural('dash.rounds', sc.rounds)}, ${plural('dash.roles', (sc.roles || []).length)}`)),
      h('a', { href: guideHref(sc.id), class: 'button secondary', 'data-guide': sc.id, 'aria-label': t('dash.guide_label', { title: sc.title }) }, t('guide.short'))))));
    renderBots();
    refreshSource();
  }, (err) => showError(err, createError));
  loadSessions();
  return () => {};
}

/** A link to the teacher's guide of the scenario chosen in `select`, kept in step with it. */
function guideLinkFor(select, id) {
  const link = h('a', { id, href: '#/instructor', hidden: true }, t('guide.for_scenario'));
  const update = () => {
    link.href = guideHref(select.value);
    link.hidden = !select.value;
  };
  select.addEventListener('change', update);
  return h('p', { class: 'guide-link small' }, link);
}

/** Submits a "new …" form: `make()` creates it, then the page opens `place(created)`; errors in words. */
async function createAndOpen(root, button, errorBox, make, place) {
  button.disabled = true;
  try {
    const created = await make();
    clearErrors(errorBox);
    location.hash = place(created);
  } catch (err) {
    if (!authFailed(root, err)) showError(err, errorBox);
    button.disabled = false;
  }
}

// ---- A new class ----------------------------------------------------------------------------------

/**
 * The form that creates a class: its scenario, the class's size (the number of students gives the
 * number of tables: ceil(students / (roles × seats per role)), which the tables field shows and
 * may override), the seats per role, the round length and bots. On success: the class console.
 */
function newClassForm(root, key) {
  const errorBox = h('div', { class: 'inline-error', id: 'class-create-error' });
  const scenarioSelect = h('select', { id: 'class-scenario', required: true });
  const students = h('input', { id: 'class-students', type: 'number', min: '1', max: '600', step: '1', value: '', 'aria-describedby': 'class-size-hint' });
  const tables = h('input', { id: 'class-tables', type: 'number', min: '1', max: '60', step: '1', value: '', 'data-auto': '1', 'aria-describedby': 'class-size-hint' });
  const seats = h('input', { id: 'class-seats', type: 'number', min: '1', max: '10', step: '1', value: '1', required: true });
  const minutes = h('input', { id: 'class-minutes-new', type: 'number', min: '0.5', max: '10080', step: '0.5', value: '5', required: true });
  const bots = h('input', { id: 'class-bots', type: 'checkbox', checked: true });
  const seed = h('input', { id: 'class-seed', type: 'number', min: '0', step: '1' });
  const hint = h('p', { class: 'muted small', id: 'class-size-hint', 'aria-live': 'polite' });
  let list = [];

  const roleCount = () => {
    const sc = list.find((x) => x.id === scenarioSelect.value);
    return sc ? (sc.roles || []).length || 1 : 1;
  };
  /** The tables the class's size asks for (when the tables field was not set by hand). */
  const compute = () => {
    const n = Number(students.value);
    const perTable = roleCount() * Math.max(1, Number(seats.value) || 1);
    if (tables.dataset.auto === '1') tables.value = n > 0 ? String(Math.min(60, Math.ceil(n / perTable))) : '';
    const count = Number(tables.value);
    const shape = { tables: plural('class.tables', count), roles: plural('dash.roles', roleCount()) };
    hint.textContent = count > 0
      ? (n > 0 ? plural('newclass.spread_for', n, shape) : t('newclass.spread', shape))
      : plural('newclass.open_as_arrive', roleCount());
  };
  students.addEventListener('input', compute);
  seats.addEventListener('input', compute);
  scenarioSelect.addEventListener('change', compute);
  tables.addEventListener('input', () => {
    tables.dataset.auto = tables.value.trim() ? '0' : '1';
    compute();
  });

  const form = h('form', { class: 'card', id: 'class-form', onsubmit: async (e) => {
    e.preventDefault();
    const button = form.querySelector('button[type=submit]');
    const body = {
      scenario: scenarioSelect.value,
      seats_per_role: Math.max(1, Math.round(Number(seats.value) || 1)),
      deadline_secs: Math.max(1, Math.round(Number(minutes.value) * 60)),
      bots: bots.checked,
    };
    if (Number(tables.value) > 0) body.tables = Math.round(Number(tables.value));
    if (seed.value.trim()) body.seed = Number(seed.value);
    await createAndOpen(root, button, errorBox, () => api.createClass(key, body),
      (created) => `#/instructor/class/${encodeURIComponent(created.class_id)}`);
  } },
  h('h2', null, t('newclass.title')),
  h('p', { class: 'muted small' }, t('newclass.intro')),
  h('label', { for: 'class-scenario' }, t('col.scenario')), scenarioSelect,
  guideLinkFor(scenarioSelect, 'class-guide-link'),
  h('div', { class: 'form-pair' },
    h('div', null, h('label', { for: 'class-students' }, t('newclass.students')), students),
    h('div', null, h('label', { for: 'class-tables' }, t('newclass.tables')), tables)),
  hint,
  h('div', { class: 'form-pair' },
    h('div', null, h('label', { for: 'class-seats' }, t('newclass.seats')), seats),
    h('div', null, h('label', { for: 'class-minutes-new' }, t('dash.round_minutes')), minutes)),
  h('label', { class: 'check' }, bots, ` ${t('newclass.bots')}`),
  h('details', null, h('summary', null, t('dash.advanced')),
    h('label', { for: 'class-seed' }, t('newclass.seed')), seed),
  errorBox,
  h('button', { type: 'submit', class: 'primary big' }, t('newclass.create')));

  return {
    el: form,
    setScenarios(scenarios) {
      list = scenarios;
      fill(scenarioSelect, scenarios.map((x) => h('option', { value: x.id }, t('newclass.scenario_option', { title: x.title, rounds: plural('dash.rounds', x.rounds), roles: plural('dash.roles', (x.roles || []).length) }))));
      scenarioSelect.dispatchEvent(new Event('change'));
      compute();
    },
  };
}

/**
 * Downloads an export with the key in the header (a plain link could not send it). `what`: which
 * CSV (`reflections`; the orders when absent).
 */
async function download(key, session, kind, what = null) {
  try {
    const plain = `/api/sessions/${encodeURIComponent(session.session_id)}/export.${kind}${what ? `?what=${encodeURIComponent(what)}` : ''}`;
    // The HTML replay is a page for people: in the language of this one.
    const path = kind === 'html' ? api.withLang(plain) : plain;
    const text = await api.request('GET', path, { key, text: true });
    const blob = new Blob([text], { type: kind === 'html' ? 'text/html' : 'text/csv' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `third-neighbor-${session.join_code}${what ? `.${what}` : ''}.${kind}` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    showError(err);
  }
}

// ---- The live console --------------------------------------------------------------------------------

class Console {
  constructor(root, key, sessionId) {
    this.root = root;
    this.key = key;
    this.sessionId = sessionId;
    this.state = null;
    this.scenario = null;
    this.reports = [];
    this.gameOver = null;
    this.history = null;
    this.confirmEnd = false;
    this.busy = false;
    this.conn = new Connection({
      hello: () => ({ type: 'instructor', session_id: this.sessionId, key: this.key }),
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (s) => {
        setStatus(s);
        this.chat.setLive(s === 'open');
      },
      onAuthError: (err) => {
        if (err.code === 'not_instructor' || err.code === 'unknown_session') {
          this.stop();
          if (err.code === 'not_instructor') { api.setInstructorKey(null); signIn(this.root, this.sessionId, err); } else { dashboard(this.root, this.key); showError(err); }
          return false;
        }
        showError(err);
        return true;
      },
    });
    this.chat = new Chat({ mode: 'instructor', send: (to, text) => this.conn.send('say', { to, text }) });
    this.build();
    this.stopTicker = startTicker(() => this.state);
  }

  start() {
    this.conn.start();
  }

  stop() {
    this.conn.stop();
    this.stopTicker();
    setStatus('open');
  }

  /** The page changed language: tell the server, fetch the scenario in it, build and draw anew. */
  relang() {
    this.conn.setLang();
    this.chat.relang();
    this.build();
    this.render();
    const id = this.state && this.state.session && this.state.session.scenario;
    if (id) {
      api.scenario(id).then((sc) => {
        this.scenario = sc;
        for (const r of Object.values(this.regions)) r.reset();
        this.render();
      }, () => {});
    }
  }

  build() {
    this.controlsError = h('div', { class: 'inline-error', id: 'controls-error' });
    this.regions = {
      head: region(h('header', { class: 'console-head' })),
      controls: region(h('div', { class: 'controls-body' })),
      table: region(h('div', { class: 'table-body' })),
      report: region(h('div', { class: 'console-report' })),
      reflections: region(h('section', { class: 'card console-reflections', id: 'console-reflections', 'aria-labelledby': 'console-reflections-title', hidden: true })),
    };
    this.mainEl = h('main', { class: 'console-page', id: 'main' },
      h('nav', { class: 'crumbs', 'aria-label': t('nav.label') }, h('a', { href: '#/instructor' }, t('console.all_sessions')), ' ', instructorTools(this.root)),
      this.regions.head.el,
      h('section', { class: 'card controls', 'aria-labelledby': 'controls-title' },
        h('h2', { id: 'controls-title' }, t('console.controls')), this.controlsError, this.regions.controls.el),
      this.regions.reflections.el,
      h('div', { class: 'console-grid' },
        h('section', { class: 'card', 'aria-labelledby': 'table-title' },
          h('h2', { id: 'table-title' }, t('console.table_title')), this.regions.table.el),
        h('div', { class: 'card console-chat' }, this.chat.el)),
      h('section', { class: 'card', 'aria-labelledby': 'console-report-title' },
        h('h2', { id: 'console-report-title' }, t('console.reports')), this.regions.report.el));
    fill(this.root, this.mainEl);
  }

  onMessage(msg) {
    if (VIEW_FRAMES.has(msg.type)) {
      const next = applyFrame(this.state, msg);
      if (next !== this.state) this.onState(next);
      return;
    }
    switch (msg.type) {
      case 'round_resolved': {
        keepReport(this.reports, this.history, msg);
        if (!msg.replay) announce(reportAnnouncement(msg, this.scenario));
        this.render();
        break;
      }
      case 'message': this.chat.add(msg); break;
      case 'game_over':
        this.gameOver = msg;
        if (this.history) this.history.fromDebrief(msg.debrief || {});
        announce(t('projector.game_over_announce'));
        this.render();
        break;
      case 'error': showError(msg); break;
      default: break;
    }
  }

  async onState(state) {
    const first = !this.state;
    this.state = state;
    if (!this.history) this.history = new api.History(state.session.id);
    this.history.fromState(state);
    this.chat.setState(state);
    if (!this.scenario) {
      try {
        this.scenario = await api.scenario(state.session.scenario);
      } catch (err) {
        showError(err);
      }
      withSource(state.session.scenario, () => { this.regions.report.reset(); this.render(); });
    }
    this.render();
    if (first) focusHeading(this.mainEl);
  }

  async act(type, fields = {}) {
    this.busy = true;
    this.render();
    try {
      await this.conn.send(type, fields);
      clearErrors(this.controlsError);
    } catch (err) {
      showError(err, this.controlsError);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render() {
    const s = this.state;
    if (!s) return;
    title(t('console.page_title', { code: s.session.join_code }));
    this.renderHead();
    this.renderControls();
    this.renderTable();
    this.renderReport();
    this.renderReflections();
  }

  renderHead() {
    const s = this.state;
    const rounds = s.session.rounds;
    this.regions.head.update([s.session, s.phase, s.round, s.round_name], () => [
      h('div', null,
        h('h1', null, s.session.title),
        h('p', { class: 'muted' },
          s.phase === 'lobby' ? t('console.lobby')
            : s.phase === 'finished' ? t('phase.finished')
              : s.phase === 'waiting' ? t('console.waiting', { round: Math.min(s.round - 1, rounds), rounds })
                : t(s.phase === 'paused' ? 'console.paused_round' : 'console.running_round', { round: Math.min(s.round, rounds), rounds })
                  + (s.round_name ? ` (${s.round_name})` : '')),
        s.session.class_id ? h('p', { class: 'class-of' }, t('console.table_of_class', { table: s.session.table }),
          h('a', { href: `#/instructor/class/${encodeURIComponent(s.session.class_id)}`, id: 'to-class-console' }, t('console.class_console'))) : null,
        h('p', { class: 'guide-link' }, h('a', { href: guideHref(s.session.scenario), id: 'to-guide' }, t('guide.for_scenario')),
          h('span', { class: 'muted small' }, t('guide.contents_hint')))),
      h('div', { class: 'console-code' },
        h('span', { class: 'muted' }, t('console.join_code')), h('strong', { class: 'code-chip big', 'data-join-code': s.session.join_code }, s.session.join_code),
        ' ', h('a', { href: `#/projector/${encodeURIComponent(s.session.join_code)}`, target: '_blank', rel: 'noopener', class: 'button secondary' }, t('console.open_projector'))),
      s.phase === 'lobby' ? h('p', { class: 'console-go-to' }, tParts('projector.go_to', { host: h('strong', { class: 'students-host' }, api.studentsHost().host) })) : null,
      s.phase === 'lobby' ? studentsUnreachable() : null,
      h('p', { class: 'countdown', 'data-countdown': '', role: 'timer', 'aria-live': 'off' }),
    ]);
  }

  renderControls() {
    const s = this.state;
    const sc = this.scenario;
    const b = this.busy;
    const events = (sc && sc.events) || [];
    const inPlay = new Set((s.events || []).map((e) => e.id));
    const phase = s.phase;
    this.regions.controls.update([phase, b, this.confirmEnd, events.map((e) => e.id), [...inPlay], s.session.round_secs], () => {
      if (phase === 'finished') {
        const session = { session_id: s.session.id, join_code: s.session.join_code };
        return [
          h('p', null, t('console.over')),
          h('div', { class: 'control-row' },
            h('a', { href: `#/instructor/debrief/${encodeURIComponent(s.session.id)}`, class: 'button primary', id: 'open-debrief' }, t('console.open_debrief')),
            h('a', { href: `#/instructor/replay/${encodeURIComponent(s.session.id)}`, class: 'button secondary', id: 'open-replay' }, t('console.open_replay'))),
          h('div', { class: 'control-row' },
            h('button', { type: 'button', class: 'secondary', onclick: () => download(this.key, session, 'html') }, t('console.download_replay')),
            h('button', { type: 'button', class: 'secondary', onclick: () => download(this.key, session, 'csv') }, t('console.download_orders'))),
        ];
      }
      const button = (id, label, type, enabled, fields, cls = 'secondary') => h('button', {
        type: 'button', class: cls, id, 'data-key': id, disabled: b || !enabled,
        onclick: () => this.act(type, fields),
      }, label);
      const minutes = h('input', { id: 'deadline-minutes', 'data-key': 'deadline-minutes', type: 'number', min: '0.25', step: '0.25', value: String((s.session.round_secs || 300) / 60) });
      const extend = (secs) => {
        const left = secondsLeft(this.state);
        this.act('set_deadline', { secs: Math.max(1, Math.round((left || 0) + secs)) });
      };
      return [
        h('div', { class: 'control-row' },
          button('ctl-start', t('ctl.start'), 'start', phase === 'lobby', {}, 'primary'),
          button('ctl-pause', t('ctl.pause'), 'pause', phase === 'running'),
          button('ctl-resume', t('ctl.resume'), 'resume_game', phase === 'paused', {}, 'primary'),
          button('ctl-force', t('ctl.force'), 'force_resolve', phase === 'running'),
          this.confirmEnd
            ? h('span', { class: 'confirm' }, t('ctl.end_confirm'),
              h('button', { type: 'button', class: 'danger', id: 'ctl-end-yes', 'data-key': 'ctl-end-yes', disabled: b, onclick: () => { this.confirmEnd = false; this.act('end'); } }, t('ctl.end_yes')),
              ' ', h('button', { type: 'button', class: 'secondary', 'data-key': 'ctl-end-no', onclick: () => { this.confirmEnd = false; this.render(); } }, t('common.cancel')))
            : h('button', { type: 'button', class: 'danger', id: 'ctl-end', 'data-key': 'ctl-end', disabled: b || phase === 'finished', onclick: () => { this.confirmEnd = true; this.render(); } }, t('ctl.end'))),
        h('div', { class: 'control-row' },
          h('label', { for: 'deadline-minutes' }, phase === 'running' ? t('ctl.ends_in') : t('dash.round_minutes')),
          minutes,
          h('button', { type: 'button', class: 'secondary', id: 'ctl-deadline', 'data-key': 'ctl-deadline', disabled: b || phase === 'finished', onclick: () => {
            const value = Number(this.mainEl.querySelector('#deadline-minutes').value);
            this.act('set_deadline', { secs: Math.max(1, Math.round(value * 60)) });
          } }, t('ctl.set')),
          h('button', { type: 'button', class: 'secondary', id: 'ctl-extend', 'data-key': 'ctl-extend', disabled: b || phase !== 'running', onclick: () => extend(60) }, plural('ctl.plus_minutes', 1)),
          h('button', { type: 'button', class: 'secondary', 'data-key': 'ctl-extend5', disabled: b || phase !== 'running', onclick: () => extend(300) }, plural('ctl.plus_minutes', 5))),
        h('div', { class: 'control-row' },
          h('label', { for: 'inject-event' }, t('ctl.event')),
          events.length
            ? h('select', { id: 'inject-event', 'data-key': 'inject-event' }, events.map((e) => h('option', { value: e.id, disabled: inPlay.has(e.id) }, inPlay.has(e.id) ? t('ctl.in_play', { name: e.name }) : e.name)))
            : h('span', { class: 'muted' }, t('ctl.no_events')),
          h('button', { type: 'button', class: 'secondary', id: 'ctl-inject', 'data-key': 'ctl-inject', disabled: b || !events.length || phase === 'finished', onclick: () => {
            const select = this.mainEl.querySelector('#inject-event');
            if (select) this.act('inject_event', { event: select.value });
          } }, t('ctl.inject'))),
      ];
    });
  }

  renderTable() {
    const s = this.state;
    const sc = this.scenario;
    const moveName = (role, id) => {
      const m = sc ? sc.moves.find((x) => x.role === role && x.id === id) : null;
      return m ? m.name : id;
    };
    const targetName = (id) => {
      const found = sc ? [...(sc.actors || []), ...(sc.roles || [])].find((x) => x.id === id) : null;
      return found ? found.name : id;
    };
    const playersById = new Map((s.players || []).map((p) => [p.player_id, p]));
    const unassigned = (s.players || []).filter((p) => !p.bot && !p.role);
    const finished = s.phase === 'finished';
    this.regions.table.update([s.roles, s.players, s.orders, s.requests, s.phase, this.busy, Boolean(sc)], () => {
      const roleSelect = (p) => h('select', {
        'aria-label': t('table.role_of', { name: p.name }), 'data-key': `assign-${p.player_id}`, 'data-assign': p.player_id, disabled: this.busy || finished,
        onchange: (e) => this.act('assign_role', { player_id: p.player_id, role: e.target.value || null }),
      }, h('option', { value: '', selected: !p.role }, t('table.no_role')),
      (s.roles || []).filter((r) => !r.bot).map((r) => h('option', { value: r.id, selected: p.role === r.id }, r.name)));
      const playerLine = (p) => h('li', { class: 'player', 'data-player': p.player_id },
        h('span', { class: `online ${p.connected ? 'on' : 'off'}`, 'aria-label': p.connected ? t('table.online') : t('table.offline'), role: 'img' }),
        h('span', { class: 'player-name' }, p.name),
        p.bot ? null : roleSelect(p),
        h('button', { type: 'button', class: 'link danger-link', 'data-key': `kick-${p.player_id}`, 'data-kick': p.player_id, disabled: this.busy || finished,
          'aria-label': t(p.bot ? 'table.remove_bot_label' : 'table.kick_label', { name: p.name }), onclick: () => this.act('kick', { player_id: p.player_id }) }, p.bot ? t('table.remove_bot') : t('table.kick')),
        p.bot ? null : h('button', { type: 'button', class: 'link danger-link', 'data-key': `ban-${p.player_id}`, 'data-ban': p.player_id, disabled: this.busy || finished,
          'aria-label': t('table.ban_label', { name: p.name }), onclick: () => this.act('kick', { player_id: p.player_id, ban: true }) }, t('table.ban')));
      const requests = (s.requests || []).map((q) => {
        const role = (s.roles || []).find((r) => r.id === q.role);
        return h('li', { class: 'request', 'data-request': q.player_id },
          h('span', null, h('strong', null, q.name), t('table.asks_to_play', { role: role ? role.name : q.role })),
          h('button', { type: 'button', class: 'primary small-button', 'data-key': `approve-${q.player_id}`, 'data-approve': q.player_id, disabled: this.busy,
            onclick: () => this.act('answer_request', { player_id: q.player_id, approve: true }) }, t('table.approve')), ' ',
          h('button', { type: 'button', class: 'secondary small-button', 'data-key': `deny-${q.player_id}`, 'data-deny': q.player_id, disabled: this.busy,
            onclick: () => this.act('answer_request', { player_id: q.player_id, approve: false }) }, t('table.deny')));
      });
      return [
        requests.length ? h('section', { class: 'notice requests', 'aria-label': t('table.requests_label') },
          h('p', null, t('table.requests_text')),
          h('ul', { class: 'plain' }, requests)) : null,
        readyLights(s, { names: true }),
        h('table', { class: 'live-table' },
          h('caption', { class: 'visually-hidden' }, t('table.caption')),
          h('thead', null, h('tr', null, [t('col.role'), t('col.players'), t('col.draft'), t('col.ready')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, (s.roles || []).map((r) => {
            const people = (r.players || []).map((id) => playersById.get(id)).filter(Boolean);
            const draft = (s.orders && s.orders[r.id]) || [];
            return h('tr', { 'data-role': r.id },
              h('th', { scope: 'row' }, r.name, h('div', { class: 'muted small' }, t('move.ap', { cost: r.action_points }))),
              h('td', { 'data-label': t('col.players') }, people.length ? h('ul', { class: 'plain' }, people.map(playerLine)) : h('span', { class: 'muted' }, t('score.nobody')),
                !r.bot && !people.length && !finished
                  ? h('button', { type: 'button', class: 'secondary small-button', 'data-key': `bot-${r.id}`, 'data-add-bot': r.id, disabled: this.busy, onclick: () => this.act('add_bot', { role: r.id }) }, t('table.add_bot'))
                  : null),
              h('td', { class: 'draft-cell', 'data-draft': r.id, 'data-label': t('col.draft_short') }, r.bot ? h('span', { class: 'muted' }, t('table.bot_chooses'))
                : draft.length ? h('ul', { class: 'plain' }, draft.map((o) => h('li', null, moveName(r.id, o.move), o.target ? ` → ${targetName(o.target)}` : '')))
                  : h('span', { class: 'muted' }, t('table.no_orders'))),
              h('td', { 'data-label': t('col.ready') }, r.bot ? t('ready.bot') : r.ready ? h('strong', { class: 'ok-text' }, t('table.ready_mark')) : t('table.not_yet')));
          }))),
        unassigned.length ? h('div', { class: 'unassigned' }, h('h3', null, t('table.without_role')), h('ul', { class: 'plain' }, unassigned.map(playerLine))) : null,
      ];
    });
  }

  renderReport() {
    const s = this.state;
    const sc = this.scenario;
    const last = this.reports[this.reports.length - 1];
    this.regions.report.update([this.reports.map((r) => r.round), last, Boolean(sc), this.gameOver, api.sourceNow(sc && sc.id) ? 1 : 0, s.round], () => {
      const parts = [];
      // The prompt for the class comes first: it is what the teacher asks next.
      if (last && last.discussion) parts.push(discussionBox(sc && sc.id, last, { big: true }));
      if (this.gameOver) {
        parts.push(h('h3', null, t('scores.final')), scoreboard(this.gameOver, sc));
        const d = this.gameOver.debrief || {};
        const tracks = (d.tracks || []).map((tr) => {
          const def = sc ? sc.tracks.find((x) => x.id === tr.id) : null;
          return { ...tr, min: def ? def.min : 0, max: def ? def.max : 10, summary: def ? def.summary : '' };
        });
        if (this.history) parts.push(h('h3', null, t('console.every_track')), charts(tracks, this.history, s.session.rounds));
      }
      if (!last) parts.push(h('p', { class: 'muted' }, t('console.reports_later')));
      else parts.push(reportView(last, sc, { state: s, discussion: false }));
      if (this.reports.length > 1) {
        parts.push(h('details', null, h('summary', null, t('console.earlier')),
          this.reports.slice(0, -1).reverse().map((r) => reportView(r, sc, { state: s }))));
      }
      return parts;
    });
  }

  /** Once the game is over: what the students wrote (`state.reflections`), as they send it. */
  renderReflections() {
    const s = this.state;
    const sc = this.scenario;
    const el = this.regions.reflections.el;
    const over = s.phase === 'finished';
    el.hidden = !over;
    const students = (s.players || []).filter((p) => !p.bot).length;
    const lesson = sc && sc.lesson;
    this.regions.reflections.update([over, s.reflections, students, Boolean(sc)], () => {
      if (!over) return null;
      const list = s.reflections || [];
      const roleName = (id) => ((s.roles || []).find((r) => r.id === id) || {}).name || id;
      const session = { session_id: s.session.id, join_code: s.session.join_code };
      return [
        h('div', { class: 'row-between' },
          h('h2', { id: 'console-reflections-title' }, t('console.reflections')),
          list.length ? h('button', { type: 'button', class: 'secondary', id: 'download-reflections', onclick: () => download(this.key, session, 'csv', 'reflections') }, t('console.download_csv')) : null),
        lesson && lesson.reflection ? h('p', { class: 'reflection-prompt' }, h('strong', null, t('lesson.the_prompt')), lesson.reflection) : null,
        h('p', { class: 'muted', id: 'reflections-count', 'data-count': list.length },
          plural('console.reflections_count', students, { count: list.length })),
        reflectionsList(list, roleName),
      ];
    });
  }
}

/** The teacher's guide of a scenario. */
export function guideHref(scenarioId) {
  return `#/instructor/guide/${encodeURIComponent(scenarioId)}`;
}

