// Small DOM helpers: element building without innerHTML (all text is escaped by the browser),
// region updates that keep keyboard focus, the ARIA live region and the error area.

import { t, has, lang, plural as pluralText, num } from './?asset=i18n.js';

/**
 * Builds an element. `attrs`: `class`, `text`, `on<event>` handlers, `data-*`, `aria-*`, boolean
 * properties (`disabled`, `hidden`, `checked`, `selected`, `open`), `value`, or any attribute.
 * Children: nodes, strings, numbers, arrays of them; null/undefined/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'value') el.value = value;
      // Through the CSSOM: the Content-Security-Policy refuses inline style attributes.
      else if (key === 'style') el.style.cssText = String(value);
      else if (['disabled', 'hidden', 'checked', 'selected', 'open', 'required', 'autofocus', 'multiple'].includes(key)) el[key] = Boolean(value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * Replaces the content of `container` with `children`, keeping focus on the element with the same
 * `data-key` (and its text selection) when the focused element was inside.
 */
export function fill(container, ...children) {
  const active = document.activeElement;
  const inside = active && container.contains(active) && active !== container;
  const key = inside ? active.getAttribute('data-key') : null;
  let selection = null;
  if (inside && key && typeof active.selectionStart === 'number') {
    selection = [active.selectionStart, active.selectionEnd, active.value];
  }
  container.replaceChildren();
  append(container, children);
  if (inside) {
    const again = key ? container.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
    if (again && !again.disabled) {
      again.focus({ preventScroll: true });
      if (selection && typeof again.selectionStart === 'number') {
        if (again.value !== selection[2]) again.value = selection[2];
        try { again.setSelectionRange(selection[0], selection[1]); } catch { /* not a text field */ }
      }
    } else {
      // Focus must not fall to <body> silently: move it to the region itself.
      if (!container.hasAttribute('tabindex')) container.setAttribute('tabindex', '-1');
      container.focus({ preventScroll: true });
    }
  }
}

/**
 * A box that scrolls what is too wide for a phone (a table, the glossary). It takes the keyboard's
 * focus, so that someone without a mouse or touch can scroll it too (WCAG 2.1.1).
 */
export function scrollBox(content, cls = 'table-scroll') {
  return h('div', { class: cls, tabindex: '0' }, content);
}

/**
 * A region that re-renders only when the data it shows has changed (compared as JSON), so that
 * frequent `state` updates do not disturb what a student is doing.
 */
export function region(el) {
  let last;
  return {
    el,
    update(deps, render) {
      const sig = JSON.stringify(deps);
      if (sig === last) return false;
      last = sig;
      fill(el, render());
      return true;
    },
    reset() { last = undefined; },
  };
}

let liveToggle = false;

/** Says something to screen-reader users (polite), e.g. a new message or a round result. */
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  // Alternate between two children so that the same text twice is announced twice.
  liveToggle = !liveToggle;
  const line = h('p', { text });
  live.replaceChildren(line);
  live.dataset.last = text;
  live.dataset.toggle = liveToggle ? '1' : '0';
}

/**
 * The error as words: the catalogue's sentence for its stable `code` (`error.<code>`, or for an
 * `invalid_move` its `detail`: `error.invalid_move.<detail>`). In English the server's own
 * message follows in brackets (it names what was wrong); in another language it is left out,
 * since the server words it in English. A code the catalogue does not know shows the server's
 * message after a general sentence.
 */
export function errorText(err, { prefix = 'error' } = {}) {
  const code = err && err.code ? String(err.code) : 'error';
  const message = err && err.message ? String(err.message) : '';
  const detailKey = err && err.detail ? `${prefix}.${code}.${err.detail}` : null;
  const key = detailKey && has(detailKey) ? detailKey
    : has(`${prefix}.${code}`) ? `${prefix}.${code}`
      : has(`error.${code}`) ? `error.${code}` : null;
  if (!key) return message ? `${t('error.error')} (${message})` : t('error.error');
  const friendly = t(key);
  const detail = lang() === 'en' && message && message.toLowerCase() !== friendly.toLowerCase() ? ` (${message})` : '';
  return `${friendly}${detail}`;
}

/**
 * Shows an error to the user in words (role="alert"), never swallowed. Also returns the text.
 * `where`: an element to put the message into instead of the global error area.
 */
export function showError(err, where) {
  const text = errorText(err);
  const box = where || document.getElementById('errors');
  if (!box) return text;
  const item = h('div', { class: 'error', role: 'alert', 'data-code': err && err.code ? err.code : 'error' },
    h('span', { class: 'error-text', text }),
    where ? null : h('button', {
      type: 'button', class: 'link', 'aria-label': t('common.dismiss'),
      onclick: () => item.remove(),
    }, '×'));
  if (where) {
    where.replaceChildren(item);
  } else {
    box.appendChild(item);
    while (box.children.length > 3) box.firstElementChild.remove();
    setTimeout(() => item.remove(), 20000);
  }
  return text;
}

/** Clears the errors shown in an element (or the global area). */
export function clearErrors(where) {
  (where || document.getElementById('errors'))?.replaceChildren();
}

/** "3:05" from seconds. */
export function clock(secs) {
  const s = Math.max(0, Math.floor(secs));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`;
  return `${minutes}:${seconds}`;
}

/** The catalogue's form of `key` for the number `n` ("1 table", "3 tables"): see i18n.js. */
export function plural(key, n, params) {
  return pluralText(key, n, params);
}

/** "+2" / "−1" with a real minus sign (in the language's digits). */
export function signed(n) {
  if (n > 0) return `+${num(n)}`;
  if (n < 0) return `\u2212${num(Math.abs(n))}`;
  return num(0);
}

/** Moves focus to the first heading of a newly shown screen, for keyboard and screen readers. */
export function focusHeading(root) {
  const heading = root.querySelector('h1, h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** Sets the page title (read out on navigation by screen readers). */
export function title(text) {
  document.title = text ? `${text} · ${t('app.name')}` : t('app.name');
}
