// The printable debrief of a stored game (`#/instructor/debrief/ID`, from
// `GET /api/sessions/{id}/debrief`): final scores against the objectives, every track over the whole
// game, the turning points with their what-if (what would have changed without one order), each
// role's decisions with the essay's ¶, and the promises made in chat against what was then done.
// With a lesson: its debrief questions first, and at the end what the students wrote after the
// game (their reflections) and every team's memo and private objective, revealed.
// The Print button calls window.print(); the print stylesheet hides the navigation and buttons.

import { h, fill, signed, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { lineChart, paras, scoreboard, scenarioOf } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, STATUS_WORDS } from './?asset=stored.js';
import { withParas, memoView, privateAimView, reflectionsList } from './?asset=lesson.js';

const ORDER_STATUS = {
  succeeded: 'Succeeded',
  partner_missing: 'Failed: partner missing',
  condition_not_met: 'Failed: condition not met',
  illegal: 'Not carried out',
};

const KIND = { interaction: 'When moves met', move: 'A move', order: 'A move', event: 'An event' };

/** Whether a promise was kept, in words (never by colour alone). */
export function madeText(p) {
  switch (p.made) {
    case 'same_round': return { text: '✓ Made, the same round', cls: 'ok' };
    case 'later': return { text: `✓ Made later${p.made_in_round ? `, in round ${p.made_in_round}` : ''}`, cls: 'ok' };
    case 'never': return { text: '✗ Never made', cls: 'failed' };
    case 'not_yet': return { text: '… Not yet (the game is not over)', cls: 'pending' };
    default: return { text: String(p.made || '—'), cls: 'pending' };
  }
}

export function debriefPage(root, key, sessionId) {
  title('Debrief');
  let gone = false;
  let data = null;
  let full = null;
  let joinCode = null;

  const errorBox = h('div', { class: 'inline-error', id: 'debrief-error' });
  const body = h('div', { class: 'debrief-body' }, h('p', { class: 'muted' }, 'Loading the debrief…'));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'debrief-print', onclick: () => window.print() }, 'Print');
  const main = h('main', { class: 'instructor-page debrief-page', id: 'main' },
    instructorNav(root, [
      { href: '#/instructor/games', text: '← Stored games', id: 'back-to-games' },
      { href: `#/instructor/replay/${encodeURIComponent(sessionId)}`, text: 'Replay of this game', id: 'to-replay' },
    ]),
    h('header', { class: 'page-head debrief-head' },
      h('h1', { id: 'debrief-title' }, 'Debrief'),
      h('div', { class: 'no-print' }, printButton)),
    errorBox, body);
  fill(root, main);
  focusHeading(main);

  const render = () => {
    if (!data) return;
    const scId = data.scenario && data.scenario.id;
    const sc = full || { id: scId, roles: [], tracks: [] };
    const roleName = (id) => ((data.scores || []).find((s) => s.role === id) || {}).name
      || ((full && full.roles) || []).find((r) => r.id === id)?.name || id;
    const targetName = (id) => ((full && full.actors) || []).find((a) => a.id === id)?.name || roleName(id);
    title(`Debrief · ${(data.scenario && data.scenario.title) || ''}`);
    fill(main.querySelector('#debrief-title'), 'Debrief: ', (data.scenario && data.scenario.title) || scId || 'a stored game');

    const parts = [];
    parts.push(h('p', { class: 'muted debrief-meta' },
      joinCode ? [h('span', null, 'Join code '), h('strong', { class: 'code-chip' }, joinCode), ' · '] : null,
      `${STATUS_WORDS[data.status] || data.status || ''} · ${data.rounds_played ?? 0} round${data.rounds_played === 1 ? '' : 's'} played · printed ${dateText(Date.now())}`));
    if (data.ok === false) {
      const errors = Array.isArray(data.errors) ? data.errors : [];
      parts.push(h('div', { class: 'replay-alert', id: 'debrief-alert', role: 'alert' },
        h('h2', null, '⚠ The replay of this game does not match what was stored'),
        h('p', null, 'The figures below come from the replay through the current engine and scenario.'),
        errors.length ? h('ul', null, errors.map((e) => h('li', null, h('strong', null, `Round ${e.round ?? '?'}, event ${e.seq ?? '?'}: `), e.message))) : null));
    }

    // ---- Final scores ----
    const roles = (data.scores || []).map((s) => ({ id: s.role, name: s.name, score: s.score, objective: s.objective, essay: s.essay, bot: s.bot, players: s.players }));
    parts.push(h('section', { class: 'card debrief-section debrief-scores', 'aria-labelledby': 'debrief-scores-title' },
      h('h2', { id: 'debrief-scores-title' }, 'Final scores against the objectives'),
      roles.length ? scoreboard({ scores: {}, debrief: { roles } }, sc) : h('p', { class: 'muted' }, 'No scores: the game has not been played.')));

    // ---- The lesson's questions ----
    const questions = data.debrief_questions || [];
    if (questions.length) {
      parts.push(h('section', { class: 'card debrief-section debrief-questions', id: 'debrief-questions', 'aria-labelledby': 'debrief-questions-title' },
        h('h2', { id: 'debrief-questions-title' }, 'Questions for the debrief'),
        h('ol', null, questions.map((q) => h('li', null, withParas(scId, q))))));
    }

    // ---- Tracks over the game ----
    const tracks = data.tracks || [];
    const played = Math.max(data.rounds_played || 0, ...tracks.map((t) => (t.history || []).length - 1), 1);
    const rounds = Math.max(played, (full && full.rounds && full.rounds.length) || 0);
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-tracks-title' },
      h('h2', { id: 'debrief-tracks-title' }, 'The tracks over the whole game'),
      tracks.length ? h('div', { class: 'charts debrief-charts' }, tracks.map((t) => {
        const def = ((full && full.tracks) || []).find((x) => x.id === t.id);
        const history = (t.history && t.history.length ? t.history : [t.start]).map((v) => (v === undefined ? null : v));
        const values = history.filter((v) => typeof v === 'number');
        const min = t.min ?? (def ? def.min : Math.min(0, ...values));
        const max = t.max ?? (def ? def.max : Math.max(10, ...values));
        const box = lineChart({ name: `${t.name}${t.private ? ' (private)' : ''}`, min, max, series: history, rounds, summary: def ? def.summary : '' });
        box.dataset.track = t.id;
        return box;
      })) : h('p', { class: 'muted' }, 'No track history.')));

    // ---- Turning points ----
    const turning = data.turning_points || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-turning-title' },
      h('h2', { id: 'debrief-turning-title' }, 'Turning points'),
      turning.length === 0 ? h('p', { class: 'muted' }, 'No single moment changed the tracks much.') : h('ol', { class: 'plain turning-points' }, turning.map((t, i) => {
        const w = t.what_if;
        return h('li', { class: 'turning-point', 'data-round': t.round, 'data-kind': t.kind },
          h('h3', null, `${i + 1}. Round ${t.round}: ${t.track_name || t.track} ${typeof t.amount === 'number' ? signed(t.amount) : ''}`,
            h('span', { class: 'tag' }, KIND[t.kind] || t.kind)),
          h('p', null, t.narrative, ' ', paras(scId, t.essay)),
          w ? h('div', { class: 'what-if' },
            h('h4', null, 'What if?'),
            h('p', null, w.narrative),
            (w.differences || []).length ? h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table what-if-table' },
              h('caption', null, `The tracks at the end of round ${t.round}, with and without that order`),
              h('thead', null, h('tr', null, ['Track', 'What happened', `Without ${w.move_name || w.move}`, 'Difference'].map((c) => h('th', { scope: 'col' }, c)))),
              h('tbody', null, w.differences.map((d) => h('tr', null,
                h('th', { scope: 'row' }, d.name || d.track),
                h('td', null, String(d.actual)),
                h('td', null, String(d.without)),
                h('td', { class: d.actual > d.without ? 'up' : d.actual < d.without ? 'down' : null }, signed(d.actual - d.without))))))) : h('p', { class: 'muted small' }, 'No track would have ended differently.'))
            : h('p', { class: 'muted what-if-none' }, 'No single order explains this turning point (a scripted event).'));
      }))));

    // ---- Each role's decisions ----
    const decisions = data.decisions || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-decisions-title' },
      h('h2', { id: 'debrief-decisions-title' }, 'Each role\'s decisions'),
      decisions.length === 0 ? h('p', { class: 'muted' }, 'No orders were given.') : h('div', { class: 'debrief-roles' }, decisions.map((d) => {
        const score = (data.scores || []).find((s) => s.role === d.role);
        const who = score ? (score.bot ? 'played by a bot' : (score.players && score.players.length ? score.players.join(', ') : 'nobody')) : '';
        return h('section', { class: 'debrief-role', 'data-role': d.role, 'aria-labelledby': `decisions-${d.role}` },
          h('h3', { id: `decisions-${d.role}` }, d.name || roleName(d.role), who ? h('span', { class: 'muted small' }, ` · ${who}`) : null),
          (d.orders || []).length === 0 ? h('p', { class: 'muted' }, 'No orders: this role held every round.') : h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table decisions-table' },
            h('caption', { class: 'visually-hidden' }, `${d.name || d.role}: every order`),
            h('thead', null, h('tr', null, ['Round', 'Order', 'Result', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, d.orders.map((o) => h('tr', { 'data-move': o.move },
              h('td', null, String(o.round)),
              h('td', null, o.move_name || o.move, o.target ? ` → ${targetName(o.target)}` : ''),
              h('td', null, h('span', { class: `badge ${o.succeeded ? 'ok' : 'failed'}` }, o.succeeded ? '✓ ' : '✗ ', ORDER_STATUS[o.status] || (o.succeeded ? 'Succeeded' : 'Failed'))),
              h('td', null, o.narrative || '', ' ', paras(scId, o.essay))))))));
      }))));

    // ---- Promises and actions ----
    const promises = data.promises || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-promises-title' },
      h('h2', { id: 'debrief-promises-title' }, 'Promises and actions'),
      h('p', { class: 'muted small' }, 'Messages that named one of the sender\'s moves, and whether the move was then ordered.'),
      promises.length === 0 ? h('p', { class: 'muted', 'data-empty': '' }, 'No message named a move.') : h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table promises-table' },
        h('caption', { class: 'visually-hidden' }, 'Promises made in chat and whether they were kept'),
        h('thead', null, h('tr', null, ['Round', 'From', 'To', 'Message', 'Move named', 'Made?'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, promises.map((p) => {
          const made = madeText(p);
          const to = p.to === 'all' || !p.to ? 'everyone' : (Array.isArray(p.to) ? p.to : [p.to]).map(roleName).join(', ');
          return h('tr', { 'data-seq': p.seq, 'data-made': p.made },
            h('td', null, String(p.round ?? '')),
            h('td', null, p.from || '', p.role ? h('span', { class: 'muted' }, ` (${roleName(p.role)})`) : null),
            h('td', null, to),
            h('td', { class: 'promise-text' }, p.text),
            h('td', null, p.move_name || p.move || ''),
            h('td', null, h('span', { class: `badge ${made.cls}` }, made.text)));
        }))))));

    // ---- What the students wrote ----
    const reflections = data.reflections || [];
    const prompt = data.reflection_prompt || (full && full.lesson && full.lesson.reflection);
    if (reflections.length || prompt) {
      parts.push(h('section', { class: 'card debrief-section debrief-reflections', id: 'debrief-reflections', 'aria-labelledby': 'debrief-reflections-title' },
        h('h2', { id: 'debrief-reflections-title' }, 'The students\' reflections'),
        prompt ? h('p', { class: 'reflection-prompt' }, h('strong', null, 'The prompt: '), prompt) : null,
        reflectionsList(reflections, roleName)));
    }

    // ---- The teams' memos, revealed ----
    const memos = data.memos || [];
    if (memos.length) {
      parts.push(h('section', { class: 'card debrief-section debrief-memos', id: 'debrief-memos', 'aria-labelledby': 'debrief-memos-title' },
        h('h2', { id: 'debrief-memos-title' }, 'Every team\'s memo, revealed'),
        h('p', { class: 'muted small' }, 'During the game each team read only its own.'),
        h('div', { class: 'debrief-memo-list' }, memos.map((m) => h('article', { class: 'debrief-memo', 'data-role': m.role, 'aria-labelledby': `memo-${m.role}` },
          h('h3', { id: `memo-${m.role}` }, m.name || roleName(m.role)),
          m.private_objective ? h('p', { class: 'private-aim' }, h('strong', null, 'Private objective: '), privateAimView(scId, m.private_objective)) : null,
          m.memo ? memoView(scId, m.memo) : h('p', { class: 'muted' }, 'No memo.'))))));
    }

    fill(body, parts);
  };

  Promise.all([
    api.debrief(key, sessionId),
    api.listSessions(key).catch(() => []),
  ]).then(async ([answer, list]) => {
    if (gone) return;
    data = answer;
    const row = (Array.isArray(list) ? list : []).find((s) => s.session_id === sessionId);
    joinCode = row ? row.join_code : null;
    full = await scenarioOf(data, () => gone, render);
    if (gone) return;
    errorBox.replaceChildren();
    render();
  }, (err) => {
    if (gone) return;
    body.replaceChildren();
    showProblem(root, err, errorBox);
  });

  return () => { gone = true; };
}
