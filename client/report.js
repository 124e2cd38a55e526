// The round report: three lines first (what changed and why), then every role's orders with
// success or failure, effects, the one-line why and its ¶, the events and the interactions.

import { h, signed } from './?asset=dom.js';
import { paras } from './?asset=widgets.js';
import { discussionBox } from './?asset=lesson.js';
import { t, num, names as joinNames } from './?asset=i18n.js';

/** An order's outcome in words (`succeeded`, `partner_missing`, `condition_not_met`, `illegal`). */
export function outcomeText(status, succeeded) {
  if (['succeeded', 'partner_missing', 'condition_not_met', 'illegal'].includes(status)) return t(`outcome.${status}`);
  return succeeded ? t('outcome.succeeded') : t('outcome.failed');
}

function effectsSize(effects) {
  return (effects || []).reduce((sum, e) => sum + Math.abs(e.amount || 0), 0);
}

function names(scenarioJson, report) {
  const track = new Map();
  for (const tr of (scenarioJson && scenarioJson.tracks) || []) track.set(tr.id, tr.name);
  for (const tr of report.tracks || []) if (tr.name) track.set(tr.id, tr.name);
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
  const changed = (report.tracks || []).filter((tr) => tr.before !== tr.value)
    .sort((a, b) => Math.abs(b.value - b.before) - Math.abs(a.value - a.before));
  const headline = report.headline && report.headline.length
    ? report.headline
    : changed.slice(0, 3).map((tr) => `${n.track.get(tr.id) || tr.id} ${signed(tr.value - tr.before)}`);
  lines.push({
    label: t('report.what_changed'),
    text: headline.length ? headline.join(' · ') : t('report.nothing_moved'),
    essay: [],
  });
  const done = (report.outcomes || []).filter((o) => o.succeeded);
  const total = (report.outcomes || []).length;
  const causes = [...done].sort((a, b) => effectsSize(b.effects) - effectsSize(a.effects));
  const main = causes[0];
  if (main) {
    lines.push({ label: t('report.why'), text: main.narrative, essay: main.essay || [] });
  } else {
    lines.push({ label: t('report.why'), text: total ? t('report.none_succeeded') : t('report.nobody_ordered'), essay: [] });
  }
  const interaction = [...(report.interactions || [])].sort((a, b) => effectsSize(b.effects) - effectsSize(a.effects))[0];
  const failedJoint = (report.outcomes || []).find((o) => o.status === 'partner_missing');
  const event = (report.events || [])[0];
  const third = interaction || failedJoint || event || causes[1];
  if (third) {
    lines.push({ label: t(interaction ? 'report.both_happened' : failedJoint ? 'report.missed_deal' : event ? 'report.event' : 'report.also'), text: third.narrative, essay: third.essay || [] });
  } else if (total) {
    lines.push({ label: t('report.orders'), text: t('report.succeeded_of', { done: done.length, total }), essay: [] });
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
    if (r.bot) return t('ready.bot');
    return joinNames((r.players || []).map((id) => playersById.get(id)).filter(Boolean).map((p) => p.name));
  };

  const summary = h('div', { class: 'report-summary', 'data-summary': '' }, lines.map((l) =>
    h('p', { class: 'summary-line' }, h('strong', null, t('common.label', { label: l.label })), l.text, ' ', paras(scId, l.essay))));

  const changed = (report.tracks || []).filter((tr) => tr.before !== tr.value);
  const trackTable = h('table', { class: 'report-tracks' },
    h('caption', null, changed.length ? t('report.tracks_moved') : t('report.no_track_moved')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('report.track')), h('th', { scope: 'col' }, t('report.before')), h('th', { scope: 'col' }, t('report.after')), h('th', { scope: 'col' }, t('report.change')))),
    h('tbody', null, changed.map((tr) => h('tr', null,
      h('th', { scope: 'row' }, n.track.get(tr.id) || tr.id), h('td', null, num(tr.before)), h('td', null, num(tr.value)),
      h('td', { class: tr.value > tr.before ? 'up' : 'down' }, signed(tr.value - tr.before))))));

  const byRole = ordered.map((role) => {
    const outcomes = (report.outcomes || []).filter((o) => o.role === role.id);
    const who = whoPlays(role.id);
    return h('section', { class: `report-role${role.id === mine ? ' mine' : ''}`, 'data-role': role.id },
      h('h4', null, role.name, role.id === mine ? t('common.you_suffix') : '', who ? h('span', { class: 'muted small' }, ` · ${who}`) : null),
      outcomes.length === 0
        ? h('p', { class: 'muted' }, t('report.role_held'))
        : h('ul', { class: 'outcomes' }, outcomes.map((o) => {
          const name = o.move_name || n.move.get(`${o.role}.${o.move}`) || o.move;
          const target = o.target ? ` → ${n.target.get(o.target) || o.target}` : '';
          const effects = effectsText(o.effects, n);
          return h('li', { class: `outcome ${o.succeeded ? 'ok' : 'failed'}`, 'data-move': o.move },
            h('div', { class: 'outcome-head' },
              h('span', { class: 'outcome-move' }, name, target, o.automatic ? h('span', { class: 'tag' }, t('report.automatic')) : null),
              h('span', { class: `badge ${o.succeeded ? 'ok' : 'failed'}` }, o.succeeded ? '✓ ' : '✗ ', outcomeText(o.status, o.succeeded))),
            effects ? h('p', { class: 'outcome-effects' }, h('span', { class: 'muted' }, t('report.effects')), effects) : null,
            h('p', { class: 'outcome-why' }, o.narrative, ' ', paras(scId, o.essay)));
        })));
  });

  const events = (report.events || []).length
    ? h('section', { class: 'report-events' }, h('h4', null, t('report.events')),
      h('ul', null, report.events.map((e) => h('li', null, e.narrative, ' ', paras(scId, e.essay),
        effectsText(e.effects, n) ? h('span', { class: 'muted' }, ` (${effectsText(e.effects, n)})`) : null))))
    : null;
  const interactions = (report.interactions || []).length
    ? h('section', { class: 'report-interactions' }, h('h4', null, t('report.interactions')),
      h('ul', null, report.interactions.map((e) => h('li', null, e.narrative, ' ', paras(scId, e.essay),
        effectsText(e.effects, n) ? h('span', { class: 'muted' }, ` (${effectsText(e.effects, n)})`) : null))))
    : null;

  return h('article', { class: `report${big ? ' big' : ''}`, 'data-round': report.round, 'aria-labelledby': `report-title-${report.round}` },
    h('h3', { id: `report-title-${report.round}`, class: 'report-title' },
      t('report.title', { round: report.round }), roundDef ? h('span', { class: 'muted' }, ` · ${roundDef.name}`) : null),
    discussion ? discussionBox(scId, report, { big }) : null,
    summary,
    h('details', { class: 'report-details', open: true },
      h('summary', null, t('report.details')),
      trackTable, events, interactions,
      h('div', { class: 'report-roles' }, byRole)));
}

/** A one-sentence version for the live region. */
export function reportAnnouncement(report, scenarioJson) {
  const lines = summaryLines(report, scenarioJson);
  return t('report.announce', { round: report.round, lines: lines.map((l) => `${t('common.label', { label: l.label })}${l.text}`).join(t('common.sentence_sep')) });
}
