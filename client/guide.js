// The teacher's guide of a scenario (`#/instructor/guide/ID`, from the instructor-only
// `GET /api/scenarios/{id}/guide`): the lesson's objectives, the timing plan, the key terms, every
// team's briefing, objectives, private objective and memo, each round's briefing and discussion
// prompt, the debrief questions and the reflection prompt, and the ¶ map: what each paragraph of
// the essay drives. Printable: the Print button calls window.print(); the print stylesheet hides
// the navigation and the buttons, starts the teams, the rounds and the ¶ map on new pages, and
// fits the ¶ map on one page.

import { h, fill, focusHeading, title, plural } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { paras, paraRef, withSource } from './?asset=widgets.js';
import { withParas, memoView, privateAimView, glossaryList } from './?asset=lesson.js';
import { instructorNav, showProblem } from './?asset=stored.js';

/** The sections of the guide, in order: (id, heading), for the page's own table of contents. */
const SECTIONS = [
  ['guide-lesson', 'The lesson'],
  ['guide-timing', 'Timing plan'],
  ['guide-terms', 'Key terms'],
  ['guide-roles', 'The teams: memos and private objectives'],
  ['guide-rounds', 'The rounds and their discussion prompts'],
  ['guide-debrief', 'Debrief and reflection'],
  ['guide-map', 'The ¶ map'],
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
  title('Teacher\'s guide');
  let gone = false;
  let data = null;
  let full = null;

  const errorBox = h('div', { class: 'inline-error', id: 'guide-error' });
  const body = h('div', { class: 'guide-body' }, h('p', { class: 'muted' }, 'Loading the guide…'));
  const printButton = h('button', { type: 'button', class: 'primary', id: 'guide-print', onclick: () => window.print() }, 'Print');
  const main = h('main', { class: 'instructor-page guide-page', id: 'main', 'aria-busy': 'true' },
    instructorNav(root, [
      { href: '#/instructor', text: '← Instructor home', id: 'back-to-dashboard' },
      { href: '#/instructor/games', text: 'Stored games', id: 'to-games' },
    ]),
    h('header', { class: 'page-head guide-head' },
      h('h1', { id: 'guide-title' }, 'Teacher\'s guide'),
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
    title(`Teacher's guide · ${sc.title || scId}`);
    fill(main.querySelector('#guide-title'), 'Teacher\'s guide: ', sc.title || scId);

    // Track names: the public ones from the scenario, the private ones from each role's aim.
    const trackNames = new Map(((full && full.tracks) || []).map((t) => [t.id, t.name]));
    for (const r of roles) for (const t of (r.private_objective && r.private_objective.tracks) || []) trackNames.set(t.id, t.name);
    const scored = (score) => (score || []).map((t) => {
      const label = t.label && !trackNames.has(t.label) ? t.label : (t.tracks || []).map((id) => trackNames.get(id) || id).join(' / ');
      return `${t.invert ? 'low ' : ''}${label} ×${t.weight}`;
    }).join(', ');

    const parts = [];
    const source = sc.source || {};
    parts.push(h('div', { class: 'guide-intro' },
      sc.summary ? h('p', { class: 'guide-summary' }, sc.summary) : null,
      h('p', { class: 'muted' },
        source.title ? `Source: ${source.title}${source.paragraphs ? ` (${plural(source.paragraphs, 'paragraph')}; ¶N is its Nth paragraph)` : ''}. ` : '',
        `${plural(roles.length, 'team')}, ${plural(rounds.length, 'round')}`,
        lesson && lesson.minutes ? `, a lesson of ${lesson.minutes} minutes.` : '.'),
      h('p', { class: 'muted small no-print' }, 'Confidential: the memos and private objectives below are each team\'s secret. Do not project this page.'),
      h('nav', { class: 'guide-toc no-print', 'aria-label': 'Sections of the guide' },
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
          }, text)))))));

    if (!lesson) {
      parts.push(h('p', { class: 'notice', id: 'guide-no-lesson' }, 'This scenario has no lesson kit (objectives, timing, terms, questions). Its teams, rounds and ¶ map are below.'));
    } else {
      // ---- The lesson ----
      parts.push(section('guide-lesson', 'The lesson',
        h('h3', null, 'By the end, students can…'),
        h('ol', { class: 'guide-objectives' }, (lesson.objectives || []).map((o) => h('li', null, withParas(scId, o))))));

      // ---- Timing ----
      let clock = 0;
      const steps = (lesson.timing || []).map((t, i) => {
        const from = clock;
        clock += t.minutes || 0;
        return h('tr', { 'data-step': i + 1 },
          h('td', { class: 'num' }, String(i + 1)),
          h('th', { scope: 'row' }, t.step),
          h('td', { class: 'num' }, String(t.minutes)),
          h('td', { class: 'num muted' }, `${from}–${clock}`));
      });
      parts.push(section('guide-timing', 'Timing plan',
        h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table timing-table' },
          h('caption', null, `The lesson in ${lesson.minutes} minutes`),
          h('thead', null, h('tr', null, ['#', 'Step', 'Minutes', 'Minute to minute'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, steps),
          h('tfoot', null, h('tr', null, h('td', null, ''), h('th', { scope: 'row' }, 'Total'),
            h('td', { class: 'num' }, h('strong', null, String(clock))), h('td', null, '')))))));

      // ---- Key terms ----
      parts.push(section('guide-terms', 'Key terms',
        h('p', { class: 'muted small' }, 'Students open these from the Key terms button on their screen.'),
        (lesson.terms || []).length ? glossaryList(lesson.terms) : h('p', { class: 'muted' }, 'No key terms.')));
    }

    // ---- The teams ----
    parts.push(section('guide-roles', 'The teams: memos and private objectives',
      h('p', { class: 'muted small' }, 'Each team reads its own memo and private objective on its screens, from the waiting room on; no other team and not the projector ever sees them. The debrief reveals them all.'),
      roles.map((r) => {
        const aim = r.private_objective;
        const privateTracks = (aim && aim.tracks) || [];
        return h('article', { class: 'guide-role', 'data-role': r.id, 'aria-labelledby': `guide-role-${r.id}` },
          h('h3', { id: `guide-role-${r.id}` }, r.name),
          r.briefing ? h('p', { class: 'guide-briefing' }, h('strong', null, 'Briefing (everyone reads it): '), withParas(scId, r.briefing)) : null,
          r.objective ? h('p', null, h('strong', null, 'Objective: '), withParas(scId, r.objective.summary), ' ', paras(scId, r.objective.essay),
            (r.objective.score || []).length ? h('span', { class: 'muted small' }, ` Scored on: ${scored(r.objective.score)}.`) : null) : null,
          aim ? h('div', { class: 'private-aim' },
            h('p', null, h('strong', null, 'Private objective: '), privateAimView(scId, aim)),
            privateTracks.length ? h('p', { class: 'muted small' }, `Private track${privateTracks.length === 1 ? '' : 's'}: `,
              privateTracks.map((t) => t.name).join(', '), privateTracks.some((t) => t.summary) ? ` (${privateTracks.map((t) => t.summary).filter(Boolean).join(' ')})` : '') : null) : null,
          r.memo ? h('div', { class: 'guide-memo' }, h('h4', null, 'The team\'s memo'), memoView(scId, r.memo))
            : h('p', { class: 'muted' }, 'No memo for this team.'));
      })));

    // ---- The rounds ----
    parts.push(section('guide-rounds', 'The rounds and their discussion prompts',
      h('ol', { class: 'plain guide-rounds' }, rounds.map((r) => h('li', { class: 'guide-round', 'data-round': r.number },
        h('h3', null, r.name && /^round\s+\d+/i.test(r.name) ? r.name : `Round ${r.number}${r.name ? ` · ${r.name}` : ''}`),
        r.briefing ? h('p', null, withParas(scId, r.briefing)) : null,
        (r.events || []).length ? h('p', { class: 'small' }, h('strong', null, 'Events in play: '), r.events.map((e) => e.name || e.id).join(', ')) : null,
        r.discussion
          ? h('div', { class: 'discussion' }, h('p', { class: 'discussion-label' }, 'Discuss after its report'), h('p', { class: 'discussion-text' }, withParas(scId, r.discussion)))
          : h('p', { class: 'muted small' }, 'No discussion prompt for this round.'))))));

    // ---- Debrief and reflection ----
    if (lesson) {
      parts.push(section('guide-debrief', 'Debrief and reflection',
        h('h3', null, 'Debrief questions'),
        (lesson.debrief_questions || []).length
          ? h('ol', { class: 'guide-questions' }, lesson.debrief_questions.map((q) => h('li', null, withParas(scId, q))))
          : h('p', { class: 'muted' }, 'No debrief questions.'),
        h('h3', null, 'Written reflection (exit ticket)'),
        lesson.reflection
          ? h('p', { class: 'reflection-prompt', id: 'guide-reflection' }, withParas(scId, lesson.reflection))
          : h('p', { class: 'muted' }, 'No reflection prompt.'),
        h('p', { class: 'muted small' }, 'Students write it on their screens once the game is over; the session\'s console and its debrief list what they wrote.')));
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
    parts.push(section('guide-map', 'The ¶ map',
      h('p', { class: 'muted small' }, 'What each paragraph of the essay drives in the game: the moves, events and interactions whose rules cite it, and the objectives it grounds (a team\'s public objective, or its private one).'),
      h('div', { class: 'table-scroll' }, h('table', { class: 'debrief-table paragraph-map' },
        h('caption', { class: 'visually-hidden' }, 'Each paragraph of the essay and what it drives'),
        h('colgroup', null, ['para', 'moves', 'events', 'interactions', 'objectives'].map((c) => h('col', { class: `map-col-${c}` }))),
        h('thead', null, h('tr', null, ['¶', 'Moves', 'Events', 'Interactions', 'Objectives'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, map.map((p) => {
          const drives = (p.moves || []).length + (p.events || []).length + (p.interactions || []).length + (p.objectives || []).length;
          return h('tr', { 'data-paragraph': p.paragraph, class: drives ? null : 'unused' },
            h('th', { scope: 'row' }, paraRef(scId, p.paragraph)),
            // The moves role by role; an interaction by its name, and its text on screen (not on
            // paper, where the map keeps to one page).
            namesCell(movesByRole(p.moves), 'Moves', (g) => [h('span', { class: 'map-role' }, `${g.role}: `), g.names.join('; ')]),
            namesCell(p.events, 'Events'),
            namesCell(p.interactions, 'Interactions', (x) => [h('strong', { class: 'map-name' }, idWords(x.id, roleNames)),
              x.name && x.name !== x.id ? h('span', { class: 'map-text' }, `: ${x.name}`) : null]),
            namesCell(p.objectives, 'Objectives', (o) => String(o.name || o.id).replace(/ \(private objective\)$/, ' (private)')));
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
