// The teacher's guide of a scenario (`#/instructor/guide/ID`, from the instructor-only
// `GET /api/scenarios/{id}/guide`): the lesson's objectives and caveats, the timing plan, the key
// terms, every team's briefing, objectives, private objective and memo, each round's briefing and
// discussion prompt, the debrief questions and the reflection prompt, and the ¶ map: what each
// paragraph of the essay drives. Printable: the Print button calls window.print(); the print stylesheet hides
// the navigation and the buttons, starts the teams, the rounds and the ¶ map on new pages, and
// fits the ¶ map on one page.

import { h, fill, focusHeading, title, scrollBox } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { paras, paraRef, withSource, stripRound, scoredText } from './?asset=widgets.js';
import { withParas, memoView, privateAimView, glossaryList } from './?asset=lesson.js';
import { instructorNav, showProblem } from './?asset=stored.js';
import { t, plural, num } from './?asset=i18n.js';

/** The sections of the guide, in order: (id, heading key), for the page's own table of contents. */
const SECTIONS = [
  ['guide-lesson', 'guide.lesson'],
  ['guide-timing', 'guide.timing'],
  ['guide-terms', 'lesson.key_terms'],
  ['guide-roles', 'guide.roles'],
  ['guide-rounds', 'guide.rounds'],
  ['guide-debrief', 'guide.debrief'],
  ['guide-map', 'guide.map'],
];

function section(id, heading, ...children) {
  return h('section', { class: 'card guide-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, heading), children);
}

/** A cell of the ¶ map: one entry per line (or a dash); `item(x)` draws an entry. */
function namesCell(list, label, item = (x) => x.name || x.id) {
  const items = Array.isArray(list) ? list : [];
  return h('td', { 'data-label': label, class: items.length ? null : 'none' },
    items.length ? h('ul', { class: 'plain map-items' }, items.map((x) => h('li', null, item(x)))) : '—');
}

const SHOUTED = new Set(['icc', 'sco', 'un', 'us', 'eu', 'uk']);

/** An id as words: `icc_finding` → "ICC finding"; `names` spells out ids (a role's name). */
function idWords(id, names = new Map()) {
  const words = String(id || '').split(/[_\-.]+/).filter(Boolean)
    .map((w) => names.get(w) || (SHOUTED.has(w.toLowerCase()) ? w.toUpperCase() : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function guidePage(root, key, scenarioId) {
  title(t('guide.short'));
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'guide-error' });
  const body = h('div', { class: 'guide-body' }, h('p', { class: 'muted' }, t('guide.loading')));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'guide-print', onclick: () => window.print() }, t('common.print'));
  const main = h('main', { class: 'instructor-page guide-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [
      { href: '#/instructor', text: t('nav.home'), id: 'back-to-dashboard' },
      { href: '#/instructor/games', text: t('stored.title'), id: 'to-games' },
    ]),
    h('header', { class: 'page-head guide-head' },
      h('h1', { id: 'guide-title' }, t('guide.short')),
      h('div', { class: 'no-print' }, printButton)),
    errorBox, body);
  fill(root, main);
  focusHeading(main);

  const render = () => {
    if (!data || gone) return;
    const sc = data.scenario || {};
    const scId = sc.id || scenarioId;
    const lesson = data.lesson || null;
    const roles = data.roles || [];
    const rounds = data.rounds || [];
    title(t('guide.page_title', { title: sc.title || scId }));
    fill(main.querySelector('#guide-title'), t('guide.heading'), sc.title || scId);

    // Track names: the public ones from the scenario, the private ones from each role's aim.
    const trackNames = new Map(((full && full.tracks) || []).map((tr) => [tr.id, tr.name]));
    for (const r of roles) for (const tr of (r.private_objective && r.private_objective.tracks) || []) trackNames.set(tr.id, tr.name);
    const scored = (score) => scoredText(score, trackNames);

    const parts = [];
    const source = sc.source || {};
    parts.push(h('div', { class: 'guide-intro' },
      sc.summary ? h('p', { class: 'guide-summary' }, sc.summary) : null,
      h('p', { class: 'muted' },
        source.title ? `${source.paragraphs ? t('guide.source_paras', { title: source.title, paragraphs: plural('guide.paragraphs', source.paragraphs) }) : t('guide.source', { title: source.title })} ` : '',
        lesson && lesson.minutes
          ? t('guide.shape_minutes', { teams: plural('guide.teams', roles.length), rounds: plural('dash.rounds', rounds.length), minutes: plural('guide.minutes', lesson.minutes) })
          : t('guide.shape', { teams: plural('guide.teams', roles.length), rounds: plural('dash.rounds', rounds.length) })),
      h('p', { class: 'muted small no-print' }, t('guide.confidential')),
      h('nav', { class: 'guide-toc no-print', 'aria-label': t('guide.toc') },
        h('ul', { class: 'plain' }, SECTIONS.filter(([id]) => lesson || !['guide-lesson', 'guide-timing', 'guide-terms', 'guide-debrief'].includes(id))
          .map(([id, text]) => h('li', null, h('button', {
            type: 'button', class: 'link', 'data-goto': id,
            onclick: () => {
              const target = document.getElementById(`${id}-title`);
              if (!target) return;
              target.setAttribute('tabindex', '-1');
              target.focus({ preventScroll: true });
              target.scrollIntoView({ block: 'start' });
            },
          }, t(text))))))));

    if (!lesson) {
      parts.push(h('p', { class: 'notice', id: 'guide-no-lesson' }, t('guide.no_lesson')));
    } else {
      // ---- The lesson ----
      parts.push(section('guide-lesson', t('guide.lesson'),
        h('h3', null, t('guide.by_the_end')),
        h('ol', { class: 'guide-objectives' }, (lesson.objectives || []).map((o) => h('li', null, withParas(scId, o)))),
        // Where the scenario rests on a contested claim, goes beyond its source or takes facts
        // from elsewhere: for the teacher to say in class.
        (lesson.caveats || []).length
          ? [h('h3', { id: 'guide-caveats-title' }, t('guide.caveats')),
            h('ul', { class: 'guide-caveats', id: 'guide-caveats', 'aria-labelledby': 'guide-caveats-title' },
              lesson.caveats.map((c) => h('li', null, withParas(scId, c))))]
          : null));

      // ---- Timing ----
      let clock = 0;
      const steps = (lesson.timing || []).map((step, i) => {
        const from = clock;
        clock += step.minutes || 0;
        return h('tr', { 'data-step': i + 1 },
          h('td', { class: 'num' }, num(i + 1)),
          h('th', { scope: 'row' }, step.step),
          h('td', { class: 'num' }, num(step.minutes)),
          h('td', { class: 'num muted' }, `${num(from)}–${num(clock)}`));
      });
      parts.push(section('guide-timing', t('guide.timing'),
        scrollBox(h('table', { class: 'debrief-table timing-table' },
          h('caption', null, plural('guide.timing_caption', lesson.minutes)),
          h('thead', null, h('tr', null, ['#', t('guide.step'), t('guide.minutes_col'), t('guide.minute_to_minute')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, steps),
          h('tfoot', null, h('tr', null, h('td', null, ''), h('th', { scope: 'row' }, t('guide.total')),
            h('td', { class: 'num' }, h('strong', null, num(clock))), h('td', null, '')))))));

      // ---- Key terms ----
      parts.push(section('guide-terms', t('lesson.key_terms'),
        h('p', { class: 'muted small' }, t('guide.terms_intro')),
        (lesson.terms || []).length ? glossaryList(lesson.terms) : h('p', { class: 'muted' }, t('guide.no_terms'))));
    }

    // ---- The teams ----
    parts.push(section('guide-roles', t('guide.roles'),
      h('p', { class: 'muted small' }, t('guide.roles_intro')),
      roles.map((r) => {
        const aim = r.private_objective;
        const privateTracks = (aim && aim.tracks) || [];
        return h('article', { class: 'guide-role', 'data-role': r.id, 'aria-labelledby': `guide-role-${r.id}` },
          h('h3', { id: `guide-role-${r.id}` }, r.name),
          r.briefing ? h('p', { class: 'guide-briefing' }, h('strong', null, t('guide.briefing_all')), withParas(scId, r.briefing)) : null,
          r.objective ? h('p', null, h('strong', null, t('score.objective')), withParas(scId, r.objective.summary), ' ', paras(scId, r.objective.essay),
            (r.objective.score || []).length ? h('span', { class: 'muted small' }, ` ${t('guide.scored_on', { parts: scored(r.objective.score) })}`) : null) : null,
          aim ? h('div', { class: 'private-aim' },
            h('p', null, h('strong', null, t('memo.private_objective')), privateAimView(scId, aim)),
            privateTracks.length ? h('p', { class: 'muted small' }, plural('guide.private_tracks', privateTracks.length),
              privateTracks.map((tr) => tr.name).join(t('common.list_sep')), privateTracks.some((tr) => tr.summary) ? ` (${privateTracks.map((tr) => tr.summary).filter(Boolean).join(' ')})` : '') : null) : null,
          r.memo ? h('div', { class: 'guide-memo' }, h('h4', null, t('guide.team_memo')), memoView(scId, r.memo))
            : h('p', { class: 'muted' }, t('guide.no_memo')));
      })));

    // ---- The rounds ----
    parts.push(section('guide-rounds', t('guide.rounds'),
      h('ol', { class: 'plain guide-rounds' }, rounds.map((r) => h('li', { class: 'guide-round', 'data-round': r.number },
        h('h3', null, r.name && stripRound(r.name) !== r.name ? r.name
          : r.name ? t('projector.round_named_short', { round: r.number, name: r.name }) : t('round.n', { round: r.number })),
        r.briefing ? h('p', null, withParas(scId, r.briefing)) : null,
        (r.events || []).length ? h('p', { class: 'small' }, h('strong', null, t('guide.events_in_play')), r.events.map((e) => e.name || e.id).join(t('common.list_sep'))) : null,
        r.discussion
          ? h('div', { class: 'discussion' }, h('p', { class: 'discussion-label' }, t('guide.discuss_after')), h('p', { class: 'discussion-text' }, withParas(scId, r.discussion)))
          : h('p', { class: 'muted small' }, t('guide.no_discussion')))))));

    // ---- Debrief and reflection ----
    if (lesson) {
      parts.push(section('guide-debrief', t('guide.debrief'),
        h('h3', null, t('guide.questions')),
        (lesson.debrief_questions || []).length
          ? h('ol', { class: 'guide-questions' }, lesson.debrief_questions.map((q) => h('li', null, withParas(scId, q))))
          : h('p', { class: 'muted' }, t('guide.no_questions')),
        h('h3', null, t('guide.exit_ticket')),
        lesson.reflection
          ? h('p', { class: 'reflection-prompt', id: 'guide-reflection' }, withParas(scId, lesson.reflection))
          : h('p', { class: 'muted' }, t('guide.no_reflection')),
        h('p', { class: 'muted small' }, t('guide.reflection_where'))));
    }

    // ---- The ¶ map ----
    const map = data.paragraphs || [];
    const roleNames = new Map(roles.map((r) => [r.id, r.name]));
    // A paragraph's moves, role by role (`role.move` ids), in the order they come.
    const movesByRole = (moves) => {
      const groups = [];
      for (const m of moves || []) {
        const id = String(m.id || '').split('.')[0];
        let group = groups.find((g) => g.id === id);
        if (!group) groups.push(group = { id, role: roleNames.get(id) || id, names: [] });
        group.names.push(m.name || m.id);
      }
      return groups;
    };
    parts.push(section('guide-map', t('guide.map'),
      h('p', { class: 'muted small' }, t('guide.map_intro')),
      scrollBox(h('table', { class: 'debrief-table paragraph-map' },
        h('caption', { class: 'visually-hidden' }, t('guide.map_caption')),
        h('colgroup', null, ['para', 'moves', 'events', 'interactions', 'objectives'].map((c) => h('col', { class: `map-col-${c}` }))),
        h('thead', null, h('tr', null, ['¶', t('guide.col_moves'), t('report.events'), t('guide.col_interactions'), t('guide.col_objectives')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, map.map((p) => {
          const drives = (p.moves || []).length + (p.events || []).length + (p.interactions || []).length + (p.objectives || []).length;
          return h('tr', { 'data-paragraph': p.paragraph, class: drives ? null : 'unused' },
            h('th', { scope: 'row' }, paraRef(scId, p.paragraph)),
            // The moves role by role; an interaction by its name, and its text on screen (not on
            // paper, where the map keeps to one page).
            namesCell(movesByRole(p.moves), t('guide.col_moves'), (g) => [h('span', { class: 'map-role' }, t('common.label', { label: g.role })), g.names.join('; ')]),
            namesCell(p.events, t('report.events')),
            namesCell(p.interactions, t('guide.col_interactions'), (x) => [h('strong', { class: 'map-name' }, idWords(x.id, roleNames)),
              x.name && x.name !== x.id ? h('span', { class: 'map-text' }, `: ${x.name}`) : null]),
            namesCell(p.objectives, t('guide.col_objectives'), (o) => String(o.name || o.id).replace(/ \(private objective\)$/, t('guide.private_suffix'))));
        }))))));

    fill(body, parts);
  };

  Promise.all([api.guide(key, scenarioId), api.scenario(scenarioId).catch(() => null)]).then(([answer, scenario]) => {
    if (gone) return;
    data = answer || {};
    full = scenario;
    errorBox.replaceChildren();
    render();
    main.removeAttribute('aria-busy');
    withSource(scenarioId, () => { if (!gone) render(); });
  }, (err) => {
    if (gone) return;
    main.removeAttribute('aria-busy');
    body.replaceChildren();
    showProblem(root, err, errorBox);
  });

  return () => { gone = true; };
}
