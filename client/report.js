// The round report: three lines first (what changed and why), then every role's orders with
// success or failure, effects, the one-line why and its ¶, the events and the interactions.

import { h, signed } from './?asset=dom.js';
import { paras } from './?asset=widgets.js';
import { discussionBox } from './?asset=lesson.js';

const STATUS = {
  succeeded: 'Succeeded',
  partner_missing: 'Failed: partner missing',
  condition_not_met: 'Failed: condition not met',
  illegal: 'Not carried out',
};

function effectsSize(effects) {
  return (effects || []).reduce((sum, e) => sum + Math.abs(e.amount || 0), 0);
}

function names(scenarioJson, report) {
  const track = new Map();
  for (const t of (scenarioJson && scenarioJson.tracks) || []) track.set(t.id, t.name);
  for (const t of report.tracks || []) if (t.name) track.set(t.id, t.name);
  const target = new Map();
  for (const a of (scenarioJson && scenarioJson.actors) || []) target.set(a.id, a.name);
  for (const r of (scenarioJson && scenarioJson.roles) || []) target.set(r.id, r.name);
  const move = new Map();
  for (const m of (scenarioJson && scenarioJson.moves) || []) move.set(`${m.role}.${m.id}`, m.name);
  return { track, target, move };
}

function effectsText(effects, n) {
  if (!effects || effects.length === 0) return '';
  return effects.map((e) => `${n.track.get(e.track) || e.track} ${signed(e.amount)}`).join(', ');
}

/** The three lines of the report's first screen: what changed, and why. */
export function summaryLines(report, scenarioJson) {
  const n = names(scenarioJson, report);
  const lines = [];
  const changed = (report.tracks || []).filter((t) => t.before !== t.value)
    .sort((a, b) => Math.abs(b.value - b.before) - Math.abs(a.value - a.before));
  const headline = report.headline && report.headline.length
    ? report.headline
    : changed.slice(0, 3).map((t) => `${n.track.get(t.id) || t.id} ${signed(t.value - t.before)}`);
  lines.push({
    label: 'What changed',
    text: headline.length ? headline.join(' · ') : 'Nothing moved on the tracks you can see.',
    essay: [],
  });
  const done = (report.outcomes || []).filter((o) => o.succeeded);
  const total = (report.outcomes || []).length;
  const causes = [...done].sort((a, b) => effectsSize(b.effects) - effectsSize(a.effects));
  const main = causes[0];
  if (main) {
    lines.push({ label: 'Why', text: main.narrative, essay: main.essay || [] });
  } else {
    lines.push({ label: 'Why', text: total ? 'No order succeeded this round.' : 'Nobody gave orders this round: every role held.', essay: [] });
  }
  const interaction = [...(report.interactions || [])].sort((a, b) => effectsSize(b.effects) - effectsSize(a.effects))[0];
  const failedJoint = (report.outcomes || []).find((o) => o.status === 'partner_missing');
  const event = (report.events || [])[0];
  const third = interaction || failedJoint || event || causes[1];
  if (third) {
    lines.push({ label: interaction ? 'Because both happened' : failedJoint ? 'Missed deal' : event ? 'Event' : 'Also', text: third.narrative, essay: third.essay || [] });
  } else if (total) {
    lines.push({ label: 'Orders', text: `${done.length} of ${total} orders succeeded.`, essay: [] });
  }
  return lines;
}

/**
 * The whole report. `state`: for who plays each role. `mine`: the viewer's role, shown first.
 * The round's discussion prompt (the instructor's and the projector's reports carry it) comes
 * first, unless `discussion` is false (a screen that shows it elsewhere).
 */
export function reportView(report, scenarioJson, { state, mine, big = false, discussion = true } = {}) {
  const scId = scenarioJson && scenarioJson.id;
  const n = names(scenarioJson, report);
  const roundDef = scenarioJson && scenarioJson.rounds ? scenarioJson.rounds[report.round - 1] : null;
  const lines = summaryLines(report, scenarioJson);
  const roles = (scenarioJson && scenarioJson.roles) || Object.keys(report.orders || {}).map((id) => ({ id, name: id }));
  const ordered = mine ? [...roles.filter((r) => r.id === mine), ...roles.filter((r) => r.id !== mine)] : roles;
  const playersById = new Map(((state && state.players) || []).map((p) => [p.player_id, p]));
  const whoPlays = (roleId) => {
    const r = ((state && state.roles) || []).find((x) => x.id === roleId);
    if (!r) return '';
    if (r.bot) return 'bot';
    return (r.players || []).map((id) => playersById.get(id)).filter(Boolean).map((p) => p.name).join(', ');
  };

  const summary = h('div', { class: 'report-summary', 'data-summary': '' }, lines.map((l) =>
    h('p', { class: 'summary-line' }, h('strong', null, `${l.label}: `), l.text, ' ', paras(scId, l.essay))));

  const changed = (report.tracks || []).filter((t) => t.before !== t.value);
  const trackTable = h('table', { class: 'report-tracks' },
    h('caption', null, changed.length ? 'Tracks that moved' : 'No track moved'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Track'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'), h('th', { scope: 'col' }, 'Change'))),
    h('tbody', null, changed.map((t) => h('tr', null,
      h('th', { scope: 'row' }, n.track.get(t.id) || t.id), h('td', null, String(t.before)), h('td', null, String(t.value)),
      h('td', { class: t.value > t.before ? 'up' : 'down' }, signed(t.value - t.before))))));

  const byRole = ordered.map((role) => {
    const outcomes = (report.outcomes || []).filter((o) => o.role === role.id);
    const who = whoPlays(role.id);
    return h('section', { class: `report-role${role.id === mine ? ' mine' : ''}`, 'data-role': role.id },
      h('h4', null, role.name, role.id === mine ? ' (you)' : '', who ? h('span', { class: 'muted small' }, ` · ${who}`) : null),
      outcomes.length === 0
        ? h('p', { class: 'muted' }, 'No orders: this role held.')
        : h('ul', { class: 'outcomes' }, outcomes.map((o) => {
          const name = o.move_name || n.move.get(`${o.role}.${o.move}`) || o.move;
          const target = o.target ? ` → ${n.target.get(o.target) || o.target}` : '';
          const effects = effectsText(o.effects, n);
          return h('li', { class: `outcome ${o.succeeded ? 'ok' : 'failed'}`, 'data-move': o.move },
            h('div', { class: 'outcome-head' },
              h('span', { class: 'outcome-move' }, name, target, o.automatic ? h('span', { class: 'tag' }, 'automatic') : null),
              h('span', { class: `badge ${o.succeeded ? 'ok' : 'failed'}` }, o.succeeded ? '✓ ' : '✗ ', STATUS[o.status] || (o.succeeded ? 'Succeeded' : 'Failed'))),
            effects ? h('p', { class: 'outcome-effects' }, h('span', { class: 'muted' }, 'Effects: '), effects) : null,
            h('p', { class: 'outcome-why' }, o.narrative, ' ', paras(scId, o.essay)));
        })));
  });

  const events = (report.events || []).length
    ? h('section', { class: 'report-events' }, h('h4', null, 'Events'),
      h('ul', null, report.events.map((e) => h('li', null, e.narrative, ' ', paras(scId, e.essay),
        effectsText(e.effects, n) ? h('span', { class: 'muted' }, ` (${effectsText(e.effects, n)})`) : null))))
    : null;
  const interactions = (report.interactions || []).length
    ? h('section', { class: 'report-interactions' }, h('h4', null, 'When moves met'),
      h('ul', null, report.interactions.map((e) => h('li', null, e.narrative, ' ', paras(scId, e.essay),
        effectsText(e.effects, n) ? h('span', { class: 'muted' }, ` (${effectsText(e.effects, n)})`) : null))))
    : null;

  return h('article', { class: `report${big ? ' big' : ''}`, 'data-round': report.round, 'aria-labelledby': `report-title-${report.round}` },
    h('h3', { id: `report-title-${report.round}`, class: 'report-title' },
      `Round ${report.round} report`, roundDef ? h('span', { class: 'muted' }, ` · ${roundDef.name}`) : null),
    discussion ? discussionBox(scId, report, { big }) : null,
    summary,
    h('details', { class: 'report-details', open: true },
      h('summary', null, 'Every order, its effects and why'),
      trackTable, events, interactions,
      h('div', { class: 'report-roles' }, byRole)));
}

/** A one-sentence version for the live region. */
export function reportAnnouncement(report, scenarioJson) {
  const lines = summaryLines(report, scenarioJson);
  return `Round ${report.round} resolved. ${lines.map((l) => `${l.label}: ${l.text}`).join('. ')}`;
}
