// The replay viewer (`#/instructor/replay/ID`): a stored game rebuilt by the server through the
// engine (`GET /api/sessions/{id}/replay?lens=…`), stepped through one logged event at a time.
//
// A lens chooses what is shown: everything (declassified), what the projector showed (public), or
// what one role's players could see. The slider, the arrow keys and the four buttons move between
// steps; for the current step the page shows its round and kind, the tracks as line charts over the
// rounds resolved so far, the messages and drafts up to it, and the latest round report. When the
// replay does not match the stored game (`ok: false`) its errors stay in a red alert at the top.
// A role's lens shows that team's memo and private objective (the declassified lens, every team's),
// and the declassified lens has the students' reflections after the game as steps of their own.

import { h, fill, region, announce, signed, focusHeading, title } from './?asset=dom.js';
import * as api from './?asset=api.js';
import { lineChart, paras, withSource } from './?asset=widgets.js';
import { reportView } from './?asset=report.js';
import { instructorNav, showProblem, exportMenu, statusWords } from './?asset=stored.js';
import { memoView, privateAimView } from './?asset=lesson.js';
import { t, plural, num, dateTime, names } from './?asset=i18n.js';

const KINDS = ['created', 'started', 'message', 'draft', 'event_injected', 'round_resolved', 'ended', 'reflected', 'paused', 'resumed'];

export function kindText(kind) {
  if (KINDS.includes(kind)) return t(`kind.${kind}`);
  return String(kind || 'step').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function timeText(ms) {
  if (!ms) return '';
  return dateTime(ms, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Names of roles, moves, targets and tracks, from the replay and (if known) the whole scenario. */
function namer(data, full) {
  const roles = new Map();
  for (const r of (full && full.roles) || []) roles.set(r.id, r.name);
  for (const r of (data && data.scenario && data.scenario.roles) || []) roles.set(r.id, r.name);
  const moves = new Map();
  for (const m of (full && full.moves) || []) moves.set(`${m.role}.${m.id}`, m.name);
  const targets = new Map(roles);
  for (const a of (full && full.actors) || []) targets.set(a.id, a.name);
  const tracks = new Map();
  for (const tr of (full && full.tracks) || []) tracks.set(tr.id, tr.name);
  for (const tr of (data && data.scenario && data.scenario.tracks) || []) tracks.set(tr.id, tr.name);
  return {
    role: (id) => roles.get(id) || id,
    move: (role, id, name) => name || moves.get(`${role}.${id}`) || id,
    target: (id) => targets.get(id) || id,
    track: (id) => tracks.get(id) || id,
  };
}

function fromText(from, n) {
  if (!from) return t('replay.someone');
  if (!from.role) return from.name || t('chat.instructor');
  return `${from.name || n.role(from.role)} (${n.role(from.role)})`;
}

function toText(to, n) {
  if (to === 'all' || to === null || to === undefined) return t('chat.to_everyone');
  const list = Array.isArray(to) ? to : [to];
  return names(list.map((r) => n.role(r)));
}

function orderText(role, o, n) {
  return `${n.move(role, o.move, o.move_name)}${o.target ? ` → ${n.target(o.target)}` : ''}`;
}

/** The visible tracks of a replay (those the lens shows), with their bounds. */
function visibleTracks(data, full) {
  const shown = new Set(Object.keys(data.start_tracks || {}));
  const defs = (data.scenario && data.scenario.tracks) || (full && full.tracks) || [];
  return defs.filter((tr) => shown.size === 0 || shown.has(tr.id));
}

export function replayPage(root, key, sessionId) {
  title(t('replay.title'));
  let data = null;
  let full = null;
  let lens = 'declassified';
  let index = 0;
  let loading = 0;
  let gone = false;

  const errorBox = h('div', { class: 'inline-error', id: 'replay-error' });
  const head = h('header', { class: 'replay-head' }, h('h1', null, t('replay.title')), h('p', { class: 'muted' }, t('replay.loading')));
  const alertBox = h('div', { class: 'replay-alert-box' });
  const lensSelect = h('select', { id: 'replay-lens', 'aria-describedby': 'replay-lens-hint' },
    h('option', { value: 'declassified' }, t('lens.declassified')),
    h('option', { value: 'public' }, t('lens.public')));
  const slider = h('input', { id: 'replay-step', type: 'range', min: '0', max: '0', step: '1', value: '0', disabled: true });
  const sliderLabel = h('label', { for: 'replay-step', id: 'replay-step-label' }, t('replay.step'));
  const position = h('p', { class: 'replay-position', id: 'replay-position', role: 'status' });
  const exportStatus = h('p', { class: 'muted small', id: 'replay-export-status', role: 'status' });
  const stepButton = (id, text, label, to) => h('button', {
    type: 'button', class: 'secondary', id, 'aria-label': label, 'aria-controls': 'replay-now',
    onclick: () => go(to()),
  }, text);
  const buttons = h('div', { class: 'replay-buttons', role: 'group', 'aria-label': t('replay.move_label') },
    stepButton('replay-first', t('replay.first'), t('replay.first_label'), () => 0),
    stepButton('replay-prev', t('replay.prev'), t('replay.prev_label'), () => index - 1),
    stepButton('replay-next', t('replay.next'), t('replay.next_label'), () => index + 1),
    stepButton('replay-last', t('replay.last'), t('replay.last_label'), () => (data ? data.steps.length - 1 : 0)));

  const regions = {
    now: region(h('section', { class: 'card replay-now', id: 'replay-now', 'aria-labelledby': 'replay-now-title' })),
    charts: region(h('div', { class: 'replay-charts' })),
    messages: region(h('div', { class: 'replay-messages-box' })),
    drafts: region(h('div', { class: 'replay-drafts-box' })),
    report: region(h('div', { class: 'replay-report' })),
    memos: region(h('section', { class: 'card replay-memos', id: 'replay-memos', 'aria-labelledby': 'replay-memos-title', hidden: true })),
  };

  const controls = h('section', { class: 'card replay-controls', 'aria-label': t('replay.controls') },
    h('div', { class: 'replay-lens' },
      h('label', { for: 'replay-lens' }, t('replay.show_as')),
      lensSelect,
      h('p', { class: 'muted small', id: 'replay-lens-hint' }, t('replay.lens_hint'))),
    h('div', { class: 'replay-slider' }, sliderLabel, slider, buttons),
    position,
    h('p', { class: 'muted small' }, t('replay.keys')));

  const main = h('main', { class: 'instructor-page replay-page', id: 'main' },
    instructorNav(root, [
      { href: '#/instructor/games', text: t('nav.stored'), id: 'back-to-games' },
      { href: `#/instructor/debrief/${encodeURIComponent(sessionId)}`, text: t('replay.to_debrief'), id: 'to-debrief' },
    ]),
    head, errorBox, alertBox, controls,
    h('div', { class: 'replay-grid' },
      h('div', { class: 'replay-main' },
        regions.now.el,
        h('section', { class: 'card', 'aria-labelledby': 'replay-tracks-title' },
          h('h2', { id: 'replay-tracks-title' }, t('replay.tracks')), regions.charts.el),
        h('section', { class: 'card', 'aria-labelledby': 'replay-report-title' },
          h('h2', { id: 'replay-report-title' }, t('replay.latest_report')), regions.report.el),
        regions.memos.el),
      h('div', { class: 'replay-side' },
        h('section', { class: 'card', 'aria-labelledby': 'replay-messages-title' },
          h('h2', { id: 'replay-messages-title' }, t('replay.messages')), regions.messages.el),
        h('section', { class: 'card', 'aria-labelledby': 'replay-drafts-title' },
          h('h2', { id: 'replay-drafts-title' }, t('replay.drafts')), regions.drafts.el))));
  fill(root, main);
  focusHeading(main);

  // ---- Loading -------------------------------------------------------------------------------------

  const load = async (wanted) => {
    const ticket = ++loading;
    const keepSeq = data && data.steps[index] ? data.steps[index].seq : null;
    main.setAttribute('aria-busy', 'true');
    try {
      const answer = await api.replay(key, sessionId, wanted);
      if (gone || ticket !== loading) return;
      data = answer;
      data.steps = Array.isArray(data.steps) ? data.steps : [];
      data.rounds = Array.isArray(data.rounds) ? data.rounds : [];
      lens = wanted;
      errorBox.replaceChildren();
      if (!full && data.scenario && data.scenario.id) {
        full = await api.scenario(data.scenario.id).catch(() => null);
        if (gone || ticket !== loading) return;
        withSource(data.scenario.id, () => { regions.report.reset(); regions.now.reset(); renderMemos(); renderStep(); });
      }
      // Keep the place in the game: the last step at or before the one shown before.
      if (keepSeq === null) index = data.steps.length ? data.steps.length - 1 : 0;
      else {
        let at = 0;
        data.steps.forEach((s, i) => { if (s.seq <= keepSeq) at = i; });
        index = at;
      }
      renderData();
      if (ticket > 1) announce(t('replay.now_showing', { lens: lensName(lens) }));
    } catch (err) {
      if (gone || ticket !== loading) return;
      showProblem(root, err, errorBox);
      lensSelect.value = lens;
    } finally {
      if (ticket === loading) main.removeAttribute('aria-busy');
    }
  };

  const lensName = (l) => {
    if (l === 'public') return t('lens.public_short');
    if (l === 'declassified') return t('lens.declassified_short');
    const role = l.startsWith('role:') ? l.slice(5) : l;
    return `${namer(data, full).role(role)}`;
  };

  // ---- Rendering: once per load --------------------------------------------------------------------

  const renderData = () => {
    const sc = data.scenario || {};
    title(t('replay.page_title', { code: data.join_code || '' }));
    fill(head,
      h('h1', null, t('replay.heading'), sc.title || sc.id || t('replay.a_stored_game')),
      h('p', { class: 'muted' },
        h('span', null, t('console.join_code')), h('strong', { class: 'code-chip' }, data.join_code || '—'),
        ` · ${statusWords(data.status)} · ${plural('dash.rounds', sc.rounds || data.rounds.length)} · ${t('replay.seed', { seed: data.seed ?? '—' })}`),
      h('div', { class: 'replay-head-actions no-print' },
        exportMenu(root, key, { session_id: data.session_id || sessionId, join_code: data.join_code, scenario: sc.id },
          { status: exportStatus, errorBox, lens: lens === 'public' || lens === 'declassified' ? lens : 'public' }),
        exportStatus));
    // The replay does not match the stored log: never hidden, in red, at the top.
    if (data.ok === false) {
      const errors = Array.isArray(data.errors) ? data.errors : [];
      fill(alertBox, h('div', { class: 'replay-alert', id: 'replay-alert', role: 'alert' },
        h('h2', null, t('replay.mismatch')),
        h('p', null, t('replay.mismatch_text')),
        errors.length
          ? h('ul', { class: 'replay-errors' }, errors.map((e) => h('li', { 'data-seq': e.seq },
            h('strong', null, t('replay.error_at', { round: e.round ?? '?', seq: e.seq ?? '?' })), e.message)))
          : h('p', null, t('replay.no_details'))));
    } else {
      alertBox.replaceChildren();
    }
    // The lenses: everything, public, and one per role.
    const roles = sc.roles || [];
    const options = [
      h('option', { value: 'declassified' }, t('lens.declassified')),
      h('option', { value: 'public' }, t('lens.public')),
      ...roles.map((r) => h('option', { value: `role:${r.id}` }, t('lens.as_role', { role: r.name }))),
    ];
    if (lensSelect.options.length !== options.length || [...lensSelect.options].some((o, i) => o.textContent !== options[i].textContent)) {
      const focused = document.activeElement === lensSelect;
      lensSelect.replaceChildren(...options);
      if (focused) lensSelect.focus();
    }
    lensSelect.value = lens;
    slider.max = String(Math.max(0, data.steps.length - 1));
    slider.disabled = data.steps.length === 0;
    for (const r of Object.values(regions)) r.reset();
    renderMemos();
    renderStep();
  };

  /** The memos this lens may read: its role's, or every team's (declassified); none in public. */
  const renderMemos = () => {
    const memos = Array.isArray(data.memos) ? data.memos : [];
    const scId = data.scenario && data.scenario.id;
    regions.memos.el.hidden = memos.length === 0;
    regions.memos.update([lens, memos, api.sourceNow(scId) ? 1 : 0], () => {
      if (!memos.length) return null;
      const one = memos.length === 1;
      const n = namer(data, full);
      return [
        h('h2', { id: 'replay-memos-title' }, one ? t('memo.of_role', { role: memos[0].name || n.role(memos[0].role) }) : t('memo.teams')),
        h('p', { class: 'muted small' }, one ? t('memo.one_read') : t('memo.each_read')),
        memos.map((m) => {
          const content = [
            m.private_objective ? h('p', { class: 'private-aim' }, h('strong', null, t('memo.private_objective')), privateAimView(scId, m.private_objective)) : null,
            m.memo ? memoView(scId, m.memo) : h('p', { class: 'muted' }, t('memo.none')),
          ];
          return one
            ? h('div', { class: 'replay-memo', 'data-role': m.role }, content)
            : h('details', { class: 'replay-memo', 'data-role': m.role }, h('summary', null, m.name || n.role(m.role)), content);
        }),
      ];
    });
  };

  // ---- Rendering: every step -----------------------------------------------------------------------

  const go = (i) => {
    if (!data || data.steps.length === 0) return;
    const next = Math.max(0, Math.min(data.steps.length - 1, i));
    if (next === index) return;
    index = next;
    renderStep();
  };

  const stepSummary = (step, n) => {
    if (!step) return t('replay.no_steps_lower');
    const base = t('replay.step_base', { round: step.round ?? '—', kind: kindText(step.kind).toLowerCase() });
    if (step.kind === 'message') return t('replay.step_from', { base, from: fromText(step.from, n) });
    if (step.kind === 'draft') return t('replay.step_of', { base, role: n.role(step.role) });
    if (step.kind === 'event_injected' && step.event) return `${base}: ${step.event.name || step.event.id}`;
    if (step.kind === 'reflected') {
      const who = step.player || t('replay.a_student');
      return t('replay.step_by', { base, who: step.role ? `${who} (${n.role(step.role)})` : who });
    }
    return base;
  };

  const renderStep = () => {
    if (!data) return;
    const n = namer(data, full);
    const steps = data.steps;
    const step = steps[index] || null;
    const total = steps.length;
    slider.value = String(index);
    const summary = stepSummary(step, n);
    slider.setAttribute('aria-valuetext', total ? t('replay.step_of_total_summary', { step: index + 1, total, summary }) : t('replay.no_steps'));
    sliderLabel.textContent = total ? t('replay.step_of_total', { step: index + 1, total }) : t('replay.no_steps');
    position.textContent = total ? summary.replace(/^./, (c) => c.toUpperCase()) : t('replay.no_logged');
    position.dataset.step = String(index);
    for (const [id, off] of [['replay-first', index <= 0], ['replay-prev', index <= 0], ['replay-next', index >= total - 1], ['replay-last', index >= total - 1]]) {
      const b = document.getElementById(id);
      if (b) b.setAttribute('aria-disabled', off || total === 0 ? 'true' : 'false');
    }
    const upTo = steps.slice(0, index + 1);
    const resolvedSteps = upTo.filter((s) => s.kind === 'round_resolved');
    const lastResolved = resolvedSteps.length ? resolvedSteps[resolvedSteps.length - 1].resolved : null;
    const resolvedCount = resolvedSteps.reduce((m, s) => Math.max(m, s.resolved || 0), 0);
    const sourceLoaded = api.sourceNow(data.scenario && data.scenario.id) ? 1 : 0;

    regions.now.update([lens, index, step, sourceLoaded], () => renderNow(step, steps[index - 1], n));
    regions.charts.update([lens, resolvedCount], () => renderCharts(resolvedCount));
    const messages = upTo.filter((s) => s.kind === 'message');
    regions.messages.update([lens, messages.length, index], () => renderMessages(messages, step, n));
    const drafts = upTo.filter((s) => s.kind === 'draft');
    regions.drafts.update([lens, drafts.length, step && step.round], () => renderDrafts(drafts, step, n));
    regions.report.update([lens, lastResolved, sourceLoaded, Boolean(full)], () => renderReport(lastResolved));
  };

  const renderNow = (step, before, n) => {
    const scId = data.scenario && data.scenario.id;
    if (!step) {
      return [h('h2', { id: 'replay-now-title' }, t('replay.nothing')),
        h('p', { class: 'muted' }, t('replay.not_started'))];
    }
    const detail = [];
    if (step.kind === 'message') {
      detail.push(h('blockquote', { class: 'replay-message' },
        h('p', { class: 'msg-head' }, h('span', { class: 'msg-from' }, fromText(step.from, n)), ` → ${toText(step.to, n)}`),
        h('p', { class: 'msg-text' }, step.text)));
    } else if (step.kind === 'draft') {
      const orders = step.orders || [];
      detail.push(h('p', null, t('replay.changed_draft', { role: n.role(step.role) }),
        orders.length ? orders.map((o) => orderText(step.role, o, n)).join(t('common.list_sep')) : t('replay.no_orders_hold')));
    } else if (step.kind === 'event_injected' && step.event) {
      detail.push(h('div', { class: 'event' },
        h('h3', null, step.event.name || step.event.id),
        step.event.text ? h('p', null, step.event.text, ' ', paragraphs(scId, step.event.essay)) : paragraphs(scId, step.event.essay)));
    } else if (step.kind === 'round_resolved') {
      const r = data.rounds.find((x) => x.round === step.resolved);
      detail.push(h('p', null, t('replay.resolved', { round: r && r.name ? r.name : t('round.n', { round: step.resolved }) })));
    } else if (step.kind === 'started') {
      detail.push(h('p', null, t('replay.started')));
    } else if (step.kind === 'ended') {
      detail.push(h('p', null, t('replay.ended')), scoresLine(n));
    } else if (step.kind === 'reflected') {
      detail.push(h('blockquote', { class: 'replay-message replay-reflection' },
        h('p', { class: 'msg-head' }, h('span', { class: 'msg-from' }, step.player || t('lesson.a_student')),
          step.role ? t('replay.wrote_as', { role: n.role(step.role) }) : t('replay.wrote')),
        h('p', { class: 'msg-text reflection-text' }, step.text)));
    }
    // What this step changed on the tracks (the state right after it).
    const changes = [];
    if (step.tracks && before && before.tracks) {
      for (const [id, v] of Object.entries(step.tracks)) {
        const was = before.tracks[id];
        if (typeof was === 'number' && typeof v === 'number' && was !== v) changes.push(`${n.track(id)} ${num(v)} (${signed(v - was)})`);
      }
    }
    return [
      h('h2', { id: 'replay-now-title' }, t('replay.now_title', { round: step.round ?? '—', kind: kindText(step.kind) })),
      h('p', { class: 'muted small' }, t('replay.step_of_total', { step: index + 1, total: data.steps.length }), step.at ? ` · ${timeText(step.at)}` : '', step.seq !== undefined ? ` · ${t('replay.log_event', { seq: String(step.seq) })}` : ''),
      h('div', { class: 'replay-detail', 'data-kind': step.kind }, detail),
      changes.length ? h('p', { class: 'replay-changes' }, h('strong', null, t('replay.tracks_after')), changes.join(' · ')) : null,
    ];
  };

  const paragraphs = (scId, essay) => (essay && essay.length ? paras(scId, essay) : null);

  const scoresLine = (n) => {
    const scores = data.final && data.final.scores;
    if (!scores) return null;
    const list = Object.entries(scores).sort((a, b) => b[1] - a[1]);
    return h('p', { class: 'replay-scores' }, h('strong', null, t('replay.final_scores')),
      list.map(([role, s]) => `${n.role(role)} ${num(s)}`).join(' · '));
  };

  const renderCharts = (resolvedCount) => {
    const tracks = visibleTracks(data, full);
    if (tracks.length === 0) return h('p', { class: 'muted' }, t('replay.no_tracks'));
    const rounds = (data.scenario && data.scenario.rounds) || data.rounds.length || 1;
    return h('div', { class: 'charts small-charts' }, tracks.map((tr) => {
      const series = [data.start_tracks ? data.start_tracks[tr.id] : tr.start];
      for (let r = 1; r <= resolvedCount; r++) {
        const round = data.rounds.find((x) => x.round === r);
        series.push(round && round.tracks ? round.tracks[tr.id] ?? null : null);
      }
      const box = lineChart({ name: tr.private ? t('track.private_name', { name: tr.name }) : tr.name, min: tr.min ?? 0, max: tr.max ?? 10, series, rounds });
      box.dataset.track = tr.id;
      return box;
    }));
  };

  const renderMessages = (messages, step, n) => {
    if (messages.length === 0) {
      return h('p', { class: 'muted', 'data-empty': '' }, lens === 'public' ? t('replay.no_public_message') : t('replay.no_message'));
    }
    const list = h('ol', { class: 'messages replay-messages', 'aria-label': plural('replay.messages_label', messages.length), tabindex: '0' },
      messages.map((m) => {
        const current = step && m.index === step.index;
        return h('li', { class: `msg${current ? ' current' : ''}`, 'data-seq': m.seq, 'aria-current': current ? 'true' : null },
          h('div', { class: 'msg-head' },
            h('span', { class: 'msg-from' }, fromText(m.from, n)),
            h('span', { class: 'msg-to' }, ` → ${toText(m.to, n)}`),
            h('span', { class: 'msg-time' }, `${t('round.short', { round: m.round ?? '—' })}${m.at ? ` · ${timeText(m.at)}` : ''}`)),
          h('p', { class: 'msg-text' }, m.text));
      }));
    requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });
    return list;
  };

  const renderDrafts = (drafts, step, n) => {
    if (lens === 'public') {
      return h('p', { class: 'muted', 'data-empty': '' }, t('replay.public_no_drafts'));
    }
    if (drafts.length === 0) return h('p', { class: 'muted', 'data-empty': '' }, t('replay.no_draft'));
    const round = step ? step.round : null;
    const latest = new Map();
    for (const d of drafts) if (d.round === round) latest.set(d.role, d);
    const roles = ((data.scenario && data.scenario.roles) || []).filter((r) => latest.has(r.id));
    for (const id of latest.keys()) if (!roles.some((r) => r.id === id)) roles.push({ id, name: n.role(id) });
    return [
      h('h3', null, t('replay.latest_drafts', { round: round ?? '—' })),
      roles.length
        ? h('ul', { class: 'plain replay-drafts' }, roles.map((r) => {
          const d = latest.get(r.id);
          const orders = d.orders || [];
          return h('li', { 'data-role': r.id, class: step && d.index === step.index ? 'current' : null },
            h('strong', null, t('common.label', { label: r.name })),
            orders.length ? orders.map((o) => orderText(r.id, o, n)).join(t('common.list_sep')) : h('span', { class: 'muted' }, t('table.no_orders')));
        }))
        : h('p', { class: 'muted' }, t('replay.no_draft_round')),
      h('details', { class: 'replay-draft-history' },
        h('summary', null, t('replay.every_change', { n: drafts.length })),
        h('ol', { class: 'plain' }, drafts.map((d) => h('li', null,
          h('span', { class: 'muted' }, `${t('round.short', { round: d.round })} · `), h('strong', null, t('common.label', { label: n.role(d.role) })),
          (d.orders || []).length ? d.orders.map((o) => orderText(d.role, o, n)).join(t('common.list_sep')) : t('table.no_orders'))))),
    ];
  };

  const renderReport = (resolved) => {
    if (!resolved) return h('p', { class: 'muted' }, t('replay.none_resolved'));
    const round = data.rounds.find((r) => r.round === resolved);
    if (!round || !round.report) return h('p', { class: 'muted' }, t('replay.report_not_in_view', { round: resolved }));
    const sc = full || { id: data.scenario && data.scenario.id, roles: (data.scenario && data.scenario.roles) || [], tracks: (data.scenario && data.scenario.tracks) || [] };
    const hashLine = round.hash_ok === false
      ? h('p', { class: 'hash-line bad', 'data-hash-ok': '0' }, t('replay.hash_bad', { round: resolved, stored: String(round.stored_hash || '').slice(0, 12), replayed: String(round.state_hash || '').slice(0, 12) }))
      : h('p', { class: 'hash-line muted small', 'data-hash-ok': '1' }, t('replay.hash_ok', { round: resolved, hash: String(round.state_hash || '').slice(0, 12) }));
    return [hashLine, reportView(round.report, sc)];
  };

  // ---- Input ---------------------------------------------------------------------------------------

  slider.addEventListener('input', () => go(Number(slider.value)));
  lensSelect.addEventListener('change', () => load(lensSelect.value));
  const onKey = (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const target = e.target;
    // The slider moves by itself; fields, menus and open dialogs keep their own arrow keys.
    if (target === slider) return;
    if (target && target.closest && target.closest('input, select, textarea, [contenteditable], dialog, details.export-menu')) return;
    if (document.querySelector('dialog[open]')) return;
    e.preventDefault();
    go(index + (e.key === 'ArrowRight' ? 1 : -1));
  };
  document.addEventListener('keydown', onKey);

  load(lens);

  return () => {
    gone = true;
    document.removeEventListener('keydown', onKey);
  };
}
