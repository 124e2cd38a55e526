// Pieces shared by the student, projector and instructor screens: ¶ references (the paragraph one
// click away), track bars, ready lights, the countdown, line charts, final scores.

import { h, clock, signed, announce } from './?asset=dom.js';
import { serverNow, source, sourceNow, scenario, studentsHost, listenEverywhereFlag } from './?asset=api.js';
import { t, plural, num, names } from './?asset=i18n.js';

// ---- ¶ references --------------------------------------------------------------------------------

/**
 * The ¶ numbers of a line. When the instructor has loaded the essay's text, each ¶ is a button
 * that opens the paragraph itself; otherwise plain text.
 */
export function paras(scenarioId, essay) {
  if (!essay || essay.length === 0) return null;
  return h('span', { class: 'paras' }, essay.map((n) => paraRef(scenarioId, n)));
}

/** One ¶ reference: a button that opens the paragraph once its text is loaded, else plain ¶N. */
export function paraRef(scenarioId, n) {
  const loaded = sourceNow(scenarioId);
  if (loaded && loaded[n - 1]) {
    return h('button', {
      type: 'button', class: 'para', 'data-para': n,
      'aria-label': t('para.read', { n }), 'aria-haspopup': 'dialog',
      onclick: (e) => openParagraph(scenarioId, n, e.currentTarget),
    }, `¶${n}`);
  }
  return h('span', { class: 'para-plain', title: t('para.title') }, `¶${n}`);
}

let dialog;

/** Opens the paragraph in a modal dialog (Escape or the button closes it; focus returns). */
export async function openParagraph(scenarioId, n, opener) {
  let paragraphs = sourceNow(scenarioId);
  if (!paragraphs) paragraphs = await source(scenarioId, { fresh: true }).catch(() => null);
  if (!dialog) {
    dialog = h('dialog', { id: 'paragraph', 'aria-labelledby': 'paragraph-title' });
    document.body.appendChild(dialog);
  }
  const text = paragraphs && paragraphs[n - 1]
    ? paragraphs[n - 1]
    : t('para.only_instructor');
  const close = h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, t('common.close'));
  dialog.replaceChildren(
    h('h2', { id: 'paragraph-title' }, t('para.dialog_title', { n })),
    h('p', { class: 'paragraph-text' }, text),
    h('p', { class: 'muted small' }, t('para.quoted')),
    h('div', { class: 'actions' }, close),
  );
  dialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
  if (!dialog.open) dialog.showModal();
  close.focus();
}

/** Fetches the source text (if any) and calls `then` once it is known, to re-render ¶ buttons. */
export function withSource(scenarioId, then) {
  source(scenarioId).then((p) => { if (p) then(); }, () => {});
}

/**
 * The whole scenario named by an answer of the stored-games API (`data.scenario.id`), or null; and
 * once the essay's text is known, `again()` draws the page anew (for its ¶ buttons), unless
 * `gone()` says the page was left.
 */
export async function scenarioOf(data, gone, again) {
  const id = data && data.scenario && data.scenario.id;
  if (!id) return null;
  const full = await scenario(id).catch(() => null);
  if (!gone()) withSource(id, () => { if (!gone()) again(); });
  return full;
}

/**
 * Loads what a printable page shows (`load()`), then the whole scenario it names (`scenarioOf`),
 * and draws it: `show(data, full)`, again once the essay's text is known. A refusal goes to
 * `failed(err)`. Either way `main` is no longer busy and, on success, `errorBox` is emptied.
 * `gone()` says the page was left.
 */
export function loadPage({ load, show, failed, gone, errorBox, main }) {
  load().then(async (answer) => {
    if (gone()) return;
    const data = answer || {};
    let full = null;
    full = await scenarioOf(data, gone, () => show(data, full));
    if (gone()) return;
    errorBox.replaceChildren();
    show(data, full);
    main.removeAttribute('aria-busy');
  }, (err) => {
    if (gone()) return;
    main.removeAttribute('aria-busy');
    failed(err);
  });
}

// ---- Tracks --------------------------------------------------------------------------------------

/** A labelled bar per track: value within min..max, the last change, private ones marked. */
export function trackBars(tracks, { changes = {}, caption } = {}) {
  return h('ul', { class: 'tracks', 'aria-label': caption || t('track.tracks') }, tracks.map((tr) => {
    const span = Math.max(1, tr.max - tr.min);
    const pct = Math.round(((tr.value - tr.min) / span) * 100);
    const delta = changes[tr.id];
    return h('li', { class: 'track', 'data-track': tr.id },
      h('div', { class: 'track-head' },
        h('span', { class: 'track-name' }, tr.name, tr.private ? h('span', { class: 'tag' }, t('track.only_you')) : null),
        h('span', { class: 'track-value' },
          h('strong', null, num(tr.value)), h('span', { class: 'muted' }, ` / ${num(tr.max)}`),
          delta ? h('span', { class: delta > 0 ? 'delta up' : 'delta down' }, ` ${signed(delta)}`) : null)),
      h('div', {
        class: 'bar', role: 'meter', 'aria-label': tr.name,
        'aria-valuemin': tr.min, 'aria-valuemax': tr.max, 'aria-valuenow': tr.value,
        title: tr.summary || '',
      }, h('div', { class: 'bar-fill', style: `width:${Math.max(0, Math.min(100, pct))}%` })));
  }));
}

// ---- Ready lights --------------------------------------------------------------------------------

/** One chip per role: who plays it and whether its orders are locked. */
export function readyLights(state, { names: withNames = true, mine } = {}) {
  const playersById = new Map((state.players || []).map((p) => [p.player_id, p]));
  return h('ul', { class: 'ready-lights', 'aria-label': t('ready.label') }, (state.roles || []).map((r) => {
    const people = (r.players || []).map((id) => playersById.get(id)).filter(Boolean).filter((p) => !p.bot);
    const empty = !r.bot && people.length === 0;
    const over = state.phase === 'finished';
    const status = t(r.bot ? (over ? 'ready.bot' : 'ready.bot_always') : empty ? 'ready.no_players' : over ? 'ready.played' : r.ready ? 'ready.ready' : 'ready.choosing');
    const light = r.bot ? 'bot' : empty ? 'empty' : r.ready ? 'on' : 'off';
    return h('li', { class: `ready-chip ${light}${r.id === mine ? ' mine' : ''}`, 'data-role': r.id, 'data-ready': r.ready ? '1' : '0' },
      h('span', { class: 'light', 'aria-hidden': 'true' }),
      h('span', { class: 'chip-role' }, r.name),
      h('span', { class: 'chip-status' }, status),
      withNames && people.length ? h('span', { class: 'chip-names' }, names(people.map((p) => p.name))) : null);
  }));
}

// ---- Countdown -----------------------------------------------------------------------------------

/** The text of the countdown for a state: running, paused, lobby or finished. */
export function countdownText(state) {
  if (!state) return '';
  if (state.phase === 'finished') return '';
  // A waiting table has no clock: the class starts its next round (the screen says so).
  if (state.phase === 'waiting') return '';
  if (state.phase === 'paused') {
    return state.remaining_secs !== null && state.remaining_secs !== undefined
      ? t('clock.paused_left', { time: clock(state.remaining_secs) })
      : t('clock.paused');
  }
  if (state.phase === 'lobby') {
    const secs = state.session && state.session.round_secs;
    return secs ? t('clock.rounds_of', { time: clock(secs) }) : t('clock.waiting');
  }
  if (state.deadline_at) {
    const left = (state.deadline_at - serverNow()) / 1000;
    return left > 0 ? t('clock.left', { time: clock(left) }) : t('clock.time_up');
  }
  return '';
}

/** Seconds left in a running round, or null. */
export function secondsLeft(state) {
  if (!state || state.phase !== 'running' || !state.deadline_at) return null;
  return Math.max(0, (state.deadline_at - serverNow()) / 1000);
}

/**
 * Keeps every `[data-countdown]` element ticking from `getState()`. With `announce`, screen-reader
 * users hear when one minute is left. With `stateOf(name)`, an element `data-countdown="name"`
 * ticks from that state instead (a class's tables, each with its own clock).
 */
export function startTicker(getState, { announce: say = false, stateOf = null } = {}) {
  let warned = null;
  const tick = () => {
    const state = getState();
    const left = secondsLeft(state);
    if (say && left !== null && left <= 60 && left > 55 && warned !== state.round) {
      warned = state.round;
      announce(t('clock.one_minute'));
    }
    for (const el of document.querySelectorAll('[data-countdown]')) {
      const own = stateOf && el.dataset.countdown ? stateOf(el.dataset.countdown) : state;
      const text = countdownText(own);
      const ownLeft = secondsLeft(own);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle('urgent', ownLeft !== null && ownLeft <= 30);
    }
  };
  tick();
  const timer = setInterval(tick, 500);
  // A countdown just drawn (a region re-rendered) shows its time at once, not up to 500 ms later.
  const drawn = (node) => node.nodeType === 1 && (node.matches('[data-countdown]') || node.querySelector('[data-countdown]'));
  const observer = new MutationObserver((records) => {
    if (records.some((r) => [...r.addedNodes].some(drawn))) tick();
  });
  observer.observe(document.body, { childList: true, subtree: true });
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}

/** A class (`class_state`) as the countdown reads a state: its phase and its one clock. */
export function classClock(view) {
  if (!view) return null;
  return { phase: view.phase, round: view.round, deadline_at: view.deadline_at, remaining_secs: null, session: { round_secs: view.class.round_secs } };
}

/** One table of a class as the countdown reads a state (its phase and its own clock). */
function tableClock(table, roundSecs) {
  if (!table) return null;
  return {
    phase: table.phase, round: table.round, deadline_at: table.deadline_at,
    remaining_secs: table.remaining_secs, session: { round_secs: roundSecs },
  };
}

/**
 * Keeps a class's countdowns ticking (`getView()`: the last `class_state`): `data-countdown=""`
 * shows the class's clock, `data-countdown="N"` table N's.
 */
export function startClassTicker(getView) {
  return startTicker(() => classClock(getView()), {
    stateOf: (n) => {
      const view = getView();
      return view ? tableClock(view.tables.find((tb) => String(tb.table) === n), view.class.round_secs) : null;
    },
  });
}

/** A round's name without a leading "Round 2: " (the header says the number already). */
export function stripRound(name) {
  return String(name || '').replace(/^(Round|Раунд|Тойрог|第)\s*\d+\s*(轮)?\s*[:：·.\-–—]\s*/i, '');
}

/** What an objective is scored on: "Mongolian autonomy ×2, low Dependence on China ×1". */
export function scoredText(score, trackNames) {
  return (score || []).map((part) => {
    const label = part.label && !trackNames.has(part.label) ? part.label : (part.tracks || []).map((id) => trackNames.get(id) || id).join(' / ');
    return t(part.invert ? 'objective.part_low' : 'objective.part', { label, weight: part.weight });
  }).join(t('common.list_sep'));
}

/** A class's table's round in words: "Round 2 of 3", or what its phase says instead. */
export function tableRoundText(table, rounds) {
  const round = Math.min(table.round, rounds);
  if (table.phase === 'lobby') return t('table.not_started');
  if (table.phase === 'finished') return plural('table.over_after', table.resolved);
  if (table.phase === 'waiting') return t('table.round_done_next', { done: Math.min(table.resolved, rounds), round });
  return t('round.of', { round, rounds });
}

/** The last report of a class's table in a line ("Round 2: Mongolian autonomy +1"), or null before any. */
export function tableHeadline(table) {
  if (!table.resolved) return null;
  const what = (table.headline || []).length ? table.headline.join(' · ') : t('table.nothing_moved');
  return t('table.headline', { round: table.resolved, what });
}

/** A role's name from the scenario (a class's frames carry only role ids). */
export function roleNamer(scenario) {
  const byId = new Map(((scenario && scenario.roles) || []).map((r) => [r.id, r.name]));
  return (id) => byId.get(id) || id;
}

/** The phase of a class or one of its tables, in words. */
export function phaseWords(phase) {
  return ['lobby', 'running', 'paused', 'waiting', 'finished'].includes(phase) ? t(`phase.${phase}`) : String(phase || '');
}

// ---- Charts --------------------------------------------------------------------------------------

/**
 * The look of each line of a chart with several (`lineChart({lines})`): a colour, a dash pattern
 * and a marker shape, so that lines differ by more than colour (and in black-and-white print).
 * Colour and marker repeat every 6 lines and the dash every 4, so 12 lines all look different.
 */
const SERIES_COLOURS = ['#0b5563', '#b34700', '#6a3d9a', '#1a6b2c', '#a0171c', '#1f4e9c'];
const SERIES_DASHES = ['', '7 4', '2 3', '10 3 2 3'];
const SERIES_MARKERS = ['circle', 'square', 'triangle', 'diamond', 'down', 'cross'];

export function seriesStyle(k) {
  return {
    colour: SERIES_COLOURS[k % SERIES_COLOURS.length],
    dash: SERIES_DASHES[k % SERIES_DASHES.length],
    marker: SERIES_MARKERS[k % SERIES_MARKERS.length],
  };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null && v !== '') node.setAttribute(k, String(v));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A marker shape centred on (cx, cy), `r` its half-size. */
function marker(shape, cx, cy, r, colour, cls) {
  const pts = (list) => list.map(([a, b]) => `${(cx + a * r).toFixed(1)},${(cy + b * r).toFixed(1)}`).join(' ');
  switch (shape) {
    case 'square': return svgEl('rect', { x: cx - r * 0.85, y: cy - r * 0.85, width: r * 1.7, height: r * 1.7, fill: colour, class: cls });
    case 'triangle': return svgEl('polygon', { points: pts([[0, -1.15], [1.05, 0.8], [-1.05, 0.8]]), fill: colour, class: cls });
    case 'diamond': return svgEl('polygon', { points: pts([[0, -1.2], [1.2, 0], [0, 1.2], [-1.2, 0]]), fill: colour, class: cls });
    case 'down': return svgEl('polygon', { points: pts([[0, 1.15], [1.05, -0.8], [-1.05, -0.8]]), fill: colour, class: cls });
    case 'cross': return svgEl('path', { d: `M${cx - r},${cy - r}L${cx + r},${cy + r}M${cx + r},${cy - r}L${cx - r},${cy + r}`, stroke: colour, 'stroke-width': 2.5, fill: 'none', class: cls });
    default: return svgEl('circle', { cx, cy, r, fill: colour, class: cls });
  }
}

/** A small picture of one line's look (for a legend or a table row); hidden from screen readers. */
export function seriesSwatch(k) {
  const style = seriesStyle(k);
  const svg = svgEl('svg', { viewBox: '0 0 34 14', width: 34, height: 14, class: 'swatch', 'aria-hidden': 'true', focusable: 'false' });
  svg.appendChild(svgEl('line', { x1: 1, x2: 33, y1: 7, y2: 7, stroke: style.colour, 'stroke-width': 3, 'stroke-dasharray': style.dash }));
  svg.appendChild(marker(style.marker, 17, 7, 4, style.colour));
  return svg;
}

/**
 * A small line chart of one track over the rounds (hand-made SVG). `series`: values by round
 * index (0 = the start), null where unknown. `rounds`: how many rounds the game has.
 *
 * With `lines` (`[{label, values}]`, `values` like `series`) instead of `series`, one line per
 * entry, each with its own colour, dash and marker (`seriesStyle(k)`), and a legend naming them
 * below the chart. Without `lines` the chart is the single line it always was.
 */
export function lineChart({ name, min, max, series, rounds, summary, lines }) {
  const multi = Array.isArray(lines);
  const all = multi ? lines.map((l) => l.values || []) : [series];
  const W = 320;
  const H = 150;
  const pad = { l: 30, r: 12, t: 12, b: 26 };
  const n = Math.max(rounds || 0, ...all.map((s) => s.length - 1), 1);
  const x = (i) => pad.l + (i / n) * (W - pad.l - pad.r);
  const span = Math.max(1, max - min);
  const y = (v) => pad.t + (1 - (v - min) / span) * (H - pad.t - pad.b);
  const el = svgEl;
  const knownOf = (s) => s.map((v, i) => [i, v]).filter(([, v]) => v !== null && v !== undefined);
  const describe = (s) => knownOf(s).map(([i, v]) => (i === 0 ? t('chart.start_value', { value: v }) : t('chart.round_value', { round: i, value: v }))).join(', ');
  const described = multi
    ? lines.map((l) => `${l.label}: ${describe(l.values || []) || t('chart.no_values')}`).join('; ')
    : describe(series);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${name}: ${described || t('chart.no_values_yet')}`, class: multi ? 'chart multi' : 'chart' });
  svg.appendChild(el('title', {}, `${name}${summary ? ` — ${summary}` : ''}`));
  // Axes and grid: min, middle, max.
  for (const v of [min, Math.round((min + max) / 2), max]) {
    svg.appendChild(el('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.appendChild(el('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, num(v)));
  }
  for (let i = 0; i <= n; i++) {
    svg.appendChild(el('text', { x: x(i), y: H - 8, 'text-anchor': 'middle', class: 'axis' }, i === 0 ? t('chart.start') : t('round.short', { round: i })));
  }
  // A line, broken where a value is unknown.
  const pathOf = (s) => {
    let path = '';
    let pen = false;
    s.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    return path.trim();
  };
  if (!multi) {
    const known = knownOf(series);
    const path = pathOf(series);
    if (path) svg.appendChild(el('path', { d: path, class: 'line' }));
    for (const [i, v] of known) {
      svg.appendChild(el('circle', { cx: x(i), cy: y(v), r: 4, class: 'dot' }));
    }
    const last = known[known.length - 1];
    if (last) {
      svg.appendChild(el('text', { x: x(last[0]), y: y(last[1]) - 8, 'text-anchor': 'middle', class: 'value' }, num(last[1])));
    }
    return h('figure', { class: 'chart-box' }, h('figcaption', null, name), svg);
  }
  lines.forEach((l, k) => {
    const style = seriesStyle(k);
    const values = l.values || [];
    const g = el('g', { class: 'series', 'data-series': k });
    const path = pathOf(values);
    if (path) g.appendChild(el('path', { d: path, class: 'mline', stroke: style.colour, 'stroke-dasharray': style.dash }));
    for (const [i, v] of knownOf(values)) g.appendChild(marker(style.marker, x(i), y(v), 3.5, style.colour, 'mdot'));
    svg.appendChild(g);
  });
  const legend = h('ul', { class: 'chart-legend', 'aria-label': t('chart.legend', { name }) }, lines.map((l, k) => h('li', { 'data-series': k },
    seriesSwatch(k), h('span', null, l.label))));
  return h('figure', { class: 'chart-box' }, h('figcaption', null, name), svg, legend);
}

/** A chart per track, from a History. */
export function charts(tracks, history, rounds) {
  return h('div', { class: 'charts' }, tracks.map((tr) => lineChart({
    name: tr.name, min: tr.min, max: tr.max, summary: tr.summary, rounds,
    series: history.series(tr.id),
  })));
}

// ---- Final scores --------------------------------------------------------------------------------

/** Every role's score against its objective (from `game_over`), best first. */
export function scoreboard(gameOver, scenarioJson, { mine } = {}) {
  const roles = [...((gameOver.debrief && gameOver.debrief.roles) || [])];
  if (roles.length === 0) {
    for (const [id, score] of Object.entries(gameOver.scores || {})) roles.push({ id, name: id, score });
  }
  roles.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const scId = scenarioJson && scenarioJson.id;
  return h('ol', { class: 'scores' }, roles.map((r) => {
    const def = scenarioJson ? scenarioJson.roles.find((x) => x.id === r.id) : null;
    const objective = r.objective || (def && def.objective && def.objective.summary) || '';
    const essay = r.essay || (def && def.objective && def.objective.essay) || [];
    const score = r.score ?? (gameOver.scores || {})[r.id] ?? 0;
    const who = r.bot ? t('score.bot') : (r.players && r.players.length ? names(r.players) : t('score.nobody'));
    return h('li', { class: `score${r.id === mine ? ' mine' : ''}`, 'data-role': r.id },
      h('div', { class: 'score-head' },
        h('strong', { class: 'score-role' }, r.name, r.id === mine ? t('common.you_suffix') : ''),
        h('span', { class: 'score-points' }, h('strong', null, num(score)), ` / ${num(100)}`)),
      h('div', { class: 'bar', role: 'meter', 'aria-label': t('score.meter', { role: r.name }), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': score },
        h('div', { class: 'bar-fill', style: `width:${Math.max(0, Math.min(100, score))}%` })),
      h('p', { class: 'score-objective' }, h('span', { class: 'muted' }, t('score.objective')), objective, ' ', paras(scId, essay)),
      h('p', { class: 'muted small' }, who));
  }));
}

// ---- Connection status ---------------------------------------------------------------------------

const STATUS_TEXT = ['connecting', 'reconnecting', 'offline', 'closed'];

/** Shows the connection's status in the banner (`#status`); empty when all is well. */
export function setStatus(status) {
  const el = document.getElementById('status');
  if (!el) return;
  const text = STATUS_TEXT.includes(status) ? t(`conn.${status}`) : '';
  el.textContent = text;
  el.hidden = !text;
  el.dataset.status = status;
}

/**
 * When students' devices cannot reach this server at all (it listens on this computer only and
 * this page is on it): a warning with the flag that lets them in. When the address shown is this
 * computer's `localhost` and the server knows no better one: a warning saying so. Else null.
 */
export function studentsUnreachable() {
  const { host, unreachable, unknown } = studentsHost();
  if (unreachable) return h('p', { class: 'notice', id: 'students-unreachable', role: 'alert' }, t('address.this_computer_only', { flag: listenEverywhereFlag() }));
  if (unknown) return h('p', { class: 'notice', id: 'students-address-unknown', role: 'alert' }, t('address.localhost_only', { host, flag: '--public-url' }));
  return null;
}
