// The printable debrief of a stored game (`#/instructor/debrief/ID`, from
// `GET /api/sessions/{id}/debrief`): final scores against the objectives, every track over the whole
// game, the turning points with their what-if (what would have changed without one order), each
// role's decisions with the essay's ¶, and the promises made in chat against what was then done.
// With a lesson: its debrief questions first, and at the end what the students wrote after the
// game (their reflections) and every team's memo and private objective, revealed.
// The Print button calls window.print(); the print stylesheet hides the navigation and buttons.

import { h, fill, signed, focusHeading, title, scrollBox } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { lineChart, paras, scoreboard, scenarioOf } from './?asset=widgets.js';
import { instructorNav, showProblem, dateText, statusWords } from './?asset=stored.js';
import { withParas, memoView, privateAimView, reflectionsList } from './?asset=lesson.js';
import { outcomeText } from './?asset=report.js';
import { t, plural, num, names } from './?asset=i18n.js';

/** A turning point's kind in words. */
function kindWords(kind) {
  if (kind === 'interaction') return t('report.interactions');
  if (kind === 'move' || kind === 'order') return t('debrief.a_move');
  if (kind === 'event') return t('debrief.an_event');
  return String(kind || '');
}

/** Whether a promise was kept, in words (never by colour alone). */
export function madeText(p) {
  switch (p.made) {
    case 'same_round': return { text: t('promise.same_round'), cls: 'ok' };
    case 'later': return { text: p.made_in_round ? t('promise.later_in', { round: p.made_in_round }) : t('promise.later'), cls: 'ok' };
    case 'never': return { text: t('promise.never'), cls: 'failed' };
    case 'not_yet': return { text: t('promise.not_yet'), cls: 'pending' };
    default: return { text: String(p.made || '—'), cls: 'pending' };
  }
}

export function debriefPage(root, key, sessionId) {
  title(t('debrief.title'));
  let gone = false;
  let data = null;
  let full = null;
  let joinCode = null;

  const errorBox = h('div', { class: 'inline-error', id: 'debrief-error' });
  const body = h('div', { class: 'debrief-body' }, h('p', { class: 'muted' }, t('debrief.loading')));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'debrief-print', onclick: () => window.print() }, t('common.print'));
  const main = h('main', { class: 'instructor-page debrief-page', id: 'main' },
    instructorNav(root, [
      { href: '#/instructor/games', text: t('nav.stored'), id: 'back-to-games' },
      { href: `#/instructor/replay/${encodeURIComponent(sessionId)}`, text: t('debrief.to_replay'), id: 'to-replay' },
    ]),
    h('header', { class: 'page-head debrief-head' },
      h('h1', { id: 'debrief-title' }, t('debrief.title')),
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
    title(t('debrief.page_title', { title: (data.scenario && data.scenario.title) || '' }));
    fill(main.querySelector('#debrief-title'), t('debrief.heading'), (data.scenario && data.scenario.title) || scId || t('replay.a_stored_game'));

    const parts = [];
    parts.push(h('p', { class: 'muted debrief-meta' },
      joinCode ? [h('span', null, t('console.join_code')), h('strong', { class: 'code-chip' }, joinCode), ' · '] : null,
      `${statusWords(data.status)} · ${plural('debrief.rounds_played', data.rounds_played ?? 0)} · ${t('common.printed', { date: dateText(Date.now()) })}`));
    if (data.ok === false) {
      const errors = Array.isArray(data.errors) ? data.errors : [];
      parts.push(h('div', { class: 'replay-alert', id: 'debrief-alert', role: 'alert' },
        h('h2', null, t('debrief.mismatch')),
        h('p', null, t('debrief.mismatch_text')),
        errors.length ? h('ul', null, errors.map((e) => h('li', null, h('strong', null, t('replay.error_at', { round: e.round ?? '?', seq: e.seq ?? '?' })), e.message))) : null));
    }

    // ---- Final scores ----
    const roles = (data.scores || []).map((s) => ({ id: s.role, name: s.name, score: s.score, objective: s.objective, essay: s.essay, bot: s.bot, players: s.players }));
    parts.push(h('section', { class: 'card debrief-section debrief-scores', 'aria-labelledby': 'debrief-scores-title' },
      h('h2', { id: 'debrief-scores-title' }, t('debrief.scores')),
      roles.length ? scoreboard({ scores: {}, debrief: { roles } }, sc) : h('p', { class: 'muted' }, t('debrief.no_scores'))));

    // ---- The lesson's questions ----
    const questions = data.debrief_questions || [];
    if (questions.length) {
      parts.push(h('section', { class: 'card debrief-section debrief-questions', id: 'debrief-questions', 'aria-labelledby': 'debrief-questions-title' },
        h('h2', { id: 'debrief-questions-title' }, t('debrief.questions')),
        h('ol', null, questions.map((q) => h('li', null, withParas(scId, q))))));
    }
    // What the scenario takes from elsewhere or stretches: for framing the discussion.
    const caveats = data.caveats || [];
    if (caveats.length) {
      parts.push(h('section', { class: 'card debrief-section debrief-caveats', id: 'debrief-caveats', 'aria-labelledby': 'debrief-caveats-title' },
        h('h2', { id: 'debrief-caveats-title' }, t('guide.caveats')),
        h('ul', null, caveats.map((c) => h('li', null, withParas(scId, c))))));
    }

    // ---- Tracks over the game ----
    const tracks = data.tracks || [];
    const played = Math.max(data.rounds_played || 0, ...tracks.map((tr) => (tr.history || []).length - 1), 1);
    const rounds = Math.max(played, (full && full.rounds && full.rounds.length) || 0);
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-tracks-title' },
      h('h2', { id: 'debrief-tracks-title' }, t('debrief.tracks')),
      tracks.length ? h('div', { class: 'charts debrief-charts' }, tracks.map((tr) => {
        const def = ((full && full.tracks) || []).find((x) => x.id === tr.id);
        const history = (tr.history && tr.history.length ? tr.history : [tr.start]).map((v) => (v === undefined ? null : v));
        const values = history.filter((v) => typeof v === 'number');
        const min = tr.min ?? (def ? def.min : Math.min(0, ...values));
        const max = tr.max ?? (def ? def.max : Math.max(10, ...values));
        const box = lineChart({ name: tr.private ? t('track.private_name', { name: tr.name }) : tr.name, min, max, series: history, rounds, summary: def ? def.summary : '' });
        box.dataset.track = tr.id;
        return box;
      })) : h('p', { class: 'muted' }, t('debrief.no_history'))));

    // ---- Turning points ----
    const turning = data.turning_points || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-turning-title' },
      h('h2', { id: 'debrief-turning-title' }, t('debrief.turning')),
      turning.length === 0 ? h('p', { class: 'muted' }, t('debrief.no_turning')) : h('ol', { class: 'plain turning-points' }, turning.map((tp, i) => {
        const w = tp.what_if;
        return h('li', { class: 'turning-point', 'data-round': tp.round, 'data-kind': tp.kind },
          h('h3', null, t('debrief.turning_head', { n: i + 1, round: tp.round, track: tp.track_name || tp.track, amount: typeof tp.amount === 'number' ? signed(tp.amount) : '' }),
            h('span', { class: 'tag' }, kindWords(tp.kind))),
          h('p', null, tp.narrative, ' ', paras(scId, tp.essay)),
          w ? h('div', { class: 'what-if' },
            h('h4', null, t('debrief.what_if')),
            h('p', null, w.narrative),
            (w.differences || []).length ? scrollBox(h('table', { class: 'debrief-table what-if-table' },
              h('caption', null, t('debrief.what_if_caption', { round: tp.round })),
              h('thead', null, h('tr', null, [t('report.track'), t('debrief.what_happened'), t('debrief.without', { move: w.move_name || w.move }), t('debrief.difference')].map((c) => h('th', { scope: 'col' }, c)))),
              h('tbody', null, w.differences.map((d) => h('tr', null,
                h('th', { scope: 'row' }, d.name || d.track),
                h('td', null, num(d.actual)),
                h('td', null, num(d.without)),
                h('td', { class: d.actual > d.without ? 'up' : d.actual < d.without ? 'down' : null }, signed(d.actual - d.without))))))) : h('p', { class: 'muted small' }, t('debrief.no_difference')))
            : h('p', { class: 'muted what-if-none' }, t('debrief.scripted')));
      }))));

    // ---- Each role's decisions ----
    const decisions = data.decisions || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-decisions-title' },
      h('h2', { id: 'debrief-decisions-title' }, t('debrief.decisions')),
      decisions.length === 0 ? h('p', { class: 'muted' }, t('debrief.no_orders')) : h('div', { class: 'debrief-roles' }, decisions.map((d) => {
        const score = (data.scores || []).find((s) => s.role === d.role);
        const who = score ? (score.bot ? t('score.bot') : (score.players && score.players.length ? names(score.players) : t('score.nobody'))) : '';
        return h('section', { class: 'debrief-role', 'data-role': d.role, 'aria-labelledby': `decisions-${d.role}` },
          h('h3', { id: `decisions-${d.role}` }, d.name || roleName(d.role), who ? h('span', { class: 'muted small' }, ` · ${who}`) : null),
          (d.orders || []).length === 0 ? h('p', { class: 'muted' }, t('debrief.held_every')) : scrollBox(h('table', { class: 'debrief-table decisions-table' },
            h('caption', { class: 'visually-hidden' }, t('debrief.every_order', { role: d.name || d.role })),
            h('thead', null, h('tr', null, [t('col.round'), t('col.order'), t('col.result'), t('report.why')].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, d.orders.map((o) => h('tr', { 'data-move': o.move },
              h('td', null, num(o.round)),
              h('td', null, o.move_name || o.move, o.target ? ` → ${targetName(o.target)}` : ''),
              h('td', null, h('span', { class: `badge ${o.succeeded ? 'ok' : 'failed'}` }, o.succeeded ? '✓ ' : '✗ ', outcomeText(o.status, o.succeeded))),
              h('td', null, o.narrative || '', ' ', paras(scId, o.essay))))))));
      }))));

    // ---- Promises and actions ----
    const promises = data.promises || [];
    parts.push(h('section', { class: 'card debrief-section', 'aria-labelledby': 'debrief-promises-title' },
      h('h2', { id: 'debrief-promises-title' }, t('debrief.promises')),
      h('p', { class: 'muted small' }, t('debrief.promises_intro')),
      promises.length === 0 ? h('p', { class: 'muted', 'data-empty': '' }, t('debrief.no_promises')) : scrollBox(h('table', { class: 'debrief-table promises-table' },
        h('caption', { class: 'visually-hidden' }, t('debrief.promises_caption')),
        h('thead', null, h('tr', null, [t('col.round'), t('col.from'), t('col.to'), t('col.message'), t('col.move_named'), t('col.made')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, promises.map((p) => {
          const made = madeText(p);
          const to = p.to === 'all' || !p.to ? t('chat.to_everyone') : names((Array.isArray(p.to) ? p.to : [p.to]).map(roleName));
          return h('tr', { 'data-seq': p.seq, 'data-made': p.made },
            h('td', null, p.round === undefined || p.round === null ? '' : num(p.round)),
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
        h('h2', { id: 'debrief-reflections-title' }, t('debrief.reflections')),
        prompt ? h('p', { class: 'reflection-prompt' }, h('strong', null, t('lesson.the_prompt')), prompt) : null,
        reflectionsList(reflections, roleName)));
    }

    // ---- The teams' memos, revealed ----
    const memos = data.memos || [];
    if (memos.length) {
      parts.push(h('section', { class: 'card debrief-section debrief-memos', id: 'debrief-memos', 'aria-labelledby': 'debrief-memos-title' },
        h('h2', { id: 'debrief-memos-title' }, t('debrief.memos')),
        h('p', { class: 'muted small' }, t('debrief.memos_intro')),
        h('div', { class: 'debrief-memo-list' }, memos.map((m) => h('article', { class: 'debrief-memo', 'data-role': m.role, 'aria-labelledby': `memo-${m.role}` },
          h('h3', { id: `memo-${m.role}` }, m.name || roleName(m.role)),
          m.private_objective ? h('p', { class: 'private-aim' }, h('strong', null, t('memo.private_objective')), privateAimView(scId, m.private_objective)) : null,
          m.memo ? memoView(scId, m.memo) : h('p', { class: 'muted' }, t('memo.none')))))));
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
