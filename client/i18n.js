// The words of the interface in the class's language. Every string a person reads (texts, aria
// labels, titles, placeholders, announcements, errors) comes from a catalogue per language:
// `client/i18n/<code>.json`, served as `/?asset=i18n/<code>.json`. A catalogue is one flat JSON
// object: a key ("join.title") gives a text with named placeholders ("Round {round} of {rounds}"),
// or, for a text that depends on a number, one text per plural category of the language
// (`{"one": "{n} table", "other": "{n} tables"}`, chosen by `Intl.PluralRules`). English is the
// fallback: a key missing from a catalogue shows in English, and is logged once to the console.
//
// The language: the one chosen on this device before (localStorage), else the first of the
// browser's languages that the client has (by base tag: `ru-RU` → `ru`), else English. Scenario
// texts are not translated here: the server sends them in the language the client asks for.

/** The languages the client speaks, each named in itself (the picker shows these names). */
export const LANGS = [
  { code: 'en', name: 'English' },
  { code: 'mn', name: 'Монгол' },
  { code: 'ru', name: 'Русский' },
  { code: 'zh', name: '中文' },
];

const CODES = LANGS.map((l) => l.code);
const STORE = 'third-neighbor.lang';
/** The locale each language formats numbers and dates with (`zh` is Simplified Chinese). */
const LOCALES = { en: 'en', mn: 'mn', ru: 'ru', zh: 'zh-CN' };

const catalogues = new Map();
const warned = new Set();
const listeners = new Set();
let current = 'en';

/** The language in use (`en`, `mn`, `ru` or `zh`). */
export function lang() {
  return current;
}

/** The BCP 47 locale for `Intl` in the language in use. */
export function locale() {
  return LOCALES[current] || 'en';
}

/** The language this device chose before, else the browser's first that the client has, else `en`. */
export function detect() {
  try {
    const saved = localStorage.getItem(STORE);
    if (CODES.includes(saved)) return saved;
  } catch { /* storage blocked: ask the browser */ }
  const wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
  for (const tag of wanted) {
    const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
    if (CODES.includes(base)) return base;
  }
  return 'en';
}

async function fetchCatalogue(code) {
  if (catalogues.has(code)) return catalogues.get(code);
  const response = await fetch(`/?asset=i18n/${code}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`the ${code} catalogue did not load (${response.status})`);
  const data = await response.json();
  catalogues.set(code, data);
  return data;
}

function applyToDocument() {
  document.documentElement.lang = current;
  document.documentElement.dataset.lang = current;
}

/**
 * Loads the English catalogue and the chosen language's, before the first render. A catalogue
 * that cannot be loaded leaves the page in English (said in the console), never blank.
 */
export async function init() {
  const wanted = detect();
  try {
    await fetchCatalogue('en');
  } catch (err) {
    console.warn(String(err.message || err));
  }
  current = 'en';
  if (wanted !== 'en') {
    try {
      await fetchCatalogue(wanted);
      current = wanted;
    } catch (err) {
      console.warn(String(err.message || err));
    }
  }
  applyToDocument();
}

/** Chooses the language (remembered on this device) and tells every listener to draw anew. */
export async function setLang(code) {
  if (!CODES.includes(code)) return;
  await fetchCatalogue(code);
  try { localStorage.setItem(STORE, code); } catch { /* the choice lasts as long as the page */ }
  if (code === current) return;
  current = code;
  applyToDocument();
  for (const fn of [...listeners]) {
    try { fn(code); } catch (err) { console.warn(err); }
  }
}

/** Calls `fn(code)` after each change of language; returns the function that stops it. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function lookup(key) {
  const own = catalogues.get(current);
  if (own && Object.prototype.hasOwnProperty.call(own, key)) return own[key];
  const english = catalogues.get('en');
  const found = english && Object.prototype.hasOwnProperty.call(english, key) ? english[key] : undefined;
  const note = `${current}:${key}`;
  if (!warned.has(note) && catalogues.size) {
    warned.add(note);
    console.warn(found === undefined
      ? `i18n: no text for "${key}" in any catalogue`
      : `i18n: no ${current} text for "${key}": shown in English`);
  }
  return found;
}

/** Whether a key has a text (in the language in use or in English). */
export function has(key) {
  const own = catalogues.get(current);
  const english = catalogues.get('en');
  return Boolean((own && key in own) || (english && key in english));
}

function fill(text, params) {
  if (!params) return text;
  return text.replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    if (value === null || value === undefined) return '';
    return typeof value === 'number' ? num(value) : String(value);
  });
}

/** The text of `key` with its `{placeholders}` filled from `params` (numbers in the language's digits and separators). */
export function t(key, params) {
  const entry = lookup(key);
  if (entry === undefined) return key;
  if (typeof entry === 'object' && entry !== null) {
    // A plural entry read without a number: its general form.
    return fill(String(entry.other ?? Object.values(entry)[0] ?? key), params);
  }
  return fill(String(entry), params);
}

const ruleCache = new Map();

/** The plural category of `n` in the language in use (`one`, `few`, `many`, `other`…). */
export function pluralCategory(n) {
  let rules = ruleCache.get(current);
  if (!rules) {
    rules = new Intl.PluralRules(locale());
    ruleCache.set(current, rules);
  }
  return rules.select(n);
}

/** The form of `key` for the number `n` (given to the text as `{n}`, and with `params`). */
export function plural(key, n, params) {
  const entry = lookup(key);
  if (entry === undefined) return key;
  const all = { n, ...(params || {}) };
  if (typeof entry !== 'object' || entry === null) return fill(String(entry), all);
  const form = entry[pluralCategory(n)] ?? entry.other;
  return fill(String(form ?? key), all);
}

/**
 * Like `t`/`plural`, but as pieces for an element's children: a placeholder whose value is a DOM
 * node (a bold code, a link) is that node, so that the words around it follow the language's order.
 */
export function tParts(key, params) {
  return parts(lookup(key), null, params, key);
}

export function pluralParts(key, n, params) {
  return parts(lookup(key), n, { n, ...(params || {}) }, key);
}

function parts(entry, n, params, key) {
  if (entry === undefined) return [key];
  let template = entry;
  if (typeof entry === 'object' && entry !== null) {
    template = (n === null ? undefined : entry[pluralCategory(n)]) ?? entry.other ?? key;
  }
  const out = [];
  const re = /\{([a-zA-Z0-9_]+)\}/g;
  let last = 0;
  let match;
  const text = String(template);
  while ((match = re.exec(text))) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const value = params ? params[match[1]] : undefined;
    if (value instanceof Node) out.push(value);
    else if (value === undefined) out.push(match[0]);
    else if (value !== null) out.push(typeof value === 'number' ? num(value) : String(value));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// ---- Formatters ------------------------------------------------------------------------------------

const formatCache = new Map();

function formatter(kind, options, make) {
  const id = `${current}|${kind}|${JSON.stringify(options || {})}`;
  let f = formatCache.get(id);
  if (!f) {
    f = make(locale(), options);
    formatCache.set(id, f);
  }
  return f;
}

/** A number in the language's digits and separators ("1,5" in Russian). */
export function num(n, options) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  return formatter('n', options, (l, o) => new Intl.NumberFormat(l, o)).format(n);
}

/**
 * Whether the browser has the language's data for an `Intl` formatter. Chromium has Mongolian's
 * plural rules but not its dates or lists: without the data `Intl` would answer in English.
 */
function knows(Kind) {
  try {
    return typeof Kind === 'function' && Kind.supportedLocalesOf([locale()]).length > 0;
  } catch {
    return false;
  }
}

/** "2025.03.12 10:42": the numeric form (Mongolia's order) for a language the browser lacks. */
function numericDate(date, options) {
  const withDate = Boolean(options.dateStyle || options.year || options.month || options.day);
  const withTime = Boolean(options.timeStyle || options.hour || options.minute);
  const seconds = Boolean(options.second || options.timeStyle === 'medium' || options.timeStyle === 'long');
  const two = (n) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}.${two(date.getMonth() + 1)}.${two(date.getDate())}`;
  const time = `${two(date.getHours())}:${two(date.getMinutes())}${seconds ? `:${two(date.getSeconds())}` : ''}`;
  return [withDate ? day : '', withTime ? time : ''].filter(Boolean).join(' ');
}

/** A date and time ("12 Mar 2025, 10:42"), from unix milliseconds. */
export function dateTime(ms, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (!ms && ms !== 0) return '';
  if (!knows(Intl.DateTimeFormat)) return numericDate(new Date(ms), options);
  return formatter('d', options, (l, o) => new Intl.DateTimeFormat(l, o)).format(new Date(ms));
}

/** The time of day on a 24-hour clock ("10:42"), from unix milliseconds or a Date. */
export function timeOfDay(at) {
  const d = at instanceof Date ? at : new Date(at);
  if (!knows(Intl.DateTimeFormat)) return numericDate(d, { hour: '2-digit', minute: '2-digit' });
  return formatter('t', null, (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(d);
}

/** "in 3 minutes", "5 minutes ago" in the language in use (English words where the browser lacks the language's). */
export function relativeTime(value, unit) {
  return formatter('r', { numeric: 'auto' }, (l, o) => new Intl.RelativeTimeFormat(l, o)).format(value, unit);
}

/** "China, Russia and the United States" (or "…or…" with `type: 'disjunction'`). */
export function list(items, type = 'conjunction') {
  const all = (items || []).map(String);
  if (!knows(Intl.ListFormat)) {
    // "A, B and C" with the catalogue's own "and" / "or".
    if (all.length < 2) return all.join('');
    const last = all[all.length - 1];
    return t(type === 'disjunction' ? 'common.or' : 'common.and', { a: all.slice(0, -1).join(t('common.list_sep')), b: last });
  }
  return formatter('l', { type }, (l, o) => new Intl.ListFormat(l, o)).format(all);
}

/** Names one after another ("Ana, Boris"; "Ana、Boris" in Chinese): the catalogue's separator. */
export function names(items) {
  return (items || []).map(String).join(t('common.list_sep'));
}

// ---- The language picker ---------------------------------------------------------------------------

let pickers = 0;

/**
 * A labelled `<select>` of the languages, each in its own name. `compact`: the label is for screen
 * readers only (a header). Choosing one calls `setLang`: the screen draws itself anew.
 */
export function languagePicker({ compact = false, id } = {}) {
  pickers += 1;
  const fieldId = id || `lang-picker-${pickers}`;
  const label = document.createElement('label');
  label.htmlFor = fieldId;
  label.textContent = t('lang.label');
  label.className = compact ? 'visually-hidden' : 'lang-label';
  const select = document.createElement('select');
  select.id = fieldId;
  select.className = 'lang-select';
  select.dataset.langPicker = '';
  select.dataset.key = fieldId;
  for (const l of LANGS) {
    const option = document.createElement('option');
    option.value = l.code;
    option.lang = l.code;
    option.textContent = l.name;
    option.selected = l.code === current;
    select.appendChild(option);
  }
  select.addEventListener('change', () => {
    setLang(select.value).catch((err) => console.warn(String(err.message || err)));
  });
  const wrap = document.createElement('span');
  wrap.className = `lang-picker${compact ? ' compact' : ''}`;
  wrap.append(label, select);
  return wrap;
}
