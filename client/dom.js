// Small DOM helpers: element building without innerHTML (all text is escaped by the browser),
// region updates that keep keyboard focus, the ARIA live region and the error area.

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

const FRIENDLY = {
  bad_json: 'The app sent something the server could not read.',
  unknown_type: 'The server does not know this action.',
  bad_request: 'The server refused this request.',
  not_joined: 'You are not seated in a game yet.',
  already_joined: 'This window is already in a game.',
  unknown_code: 'No game has this code. Check the code on the board.',
  unknown_session: 'This game no longer exists.',
  unknown_class: 'This class no longer exists.',
  table_full: 'There is no free seat: ask your teacher.',
  bad_token: 'Your seat is no longer in this game.',
  bad_name: 'Choose another nickname.',
  not_instructor: 'Only the instructor can do that (or the key is wrong).',
  wrong_phase: 'Not possible at this moment of the game.',
  wrong_round: 'That round is over.',
  no_role: 'Choose a role first.',
  not_your_role: 'That move belongs to another role.',
  invalid_move: 'That order is not allowed.',
  too_many_points: 'Not enough action points for that.',
  orders_locked: 'Your orders are locked. Unlock them to change them.',
  unknown_role: 'There is no such role.',
  role_taken: 'That role is taken.',
  unknown_player: 'There is no such player.',
  unknown_event: 'There is no such event.',
  event_in_play: 'That event is already in play.',
  too_large: 'That is too long.',
  rate_limited: 'Too many actions at once: wait a few seconds.',
  auth_timeout: 'The connection timed out.',
  internal: 'The server could not save this. Try again.',
  unauthorized: 'The instructor key was not accepted.',
  not_found: 'Not found.',
  no_source: 'The essay text has not been loaded.',
  unknown_scenario: 'There is no such scenario.',
  network: 'The server cannot be reached.',
  disconnected: 'The connection dropped.',
  kicked: 'You were removed from the game by the instructor.',
};

/** The error as words: a plain sentence, then the server's own message. */
export function errorText(err) {
  const code = err && err.code ? err.code : 'error';
  const message = err && err.message ? String(err.message) : '';
  const friendly = FRIENDLY[code] || 'Something went wrong.';
  const detail = message && message.toLowerCase() !== friendly.toLowerCase() ? ` (${message})` : '';
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
      type: 'button', class: 'link', 'aria-label': 'Dismiss this message',
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

/** "1 table", "3 tables". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "+2" / "−1" with a real minus sign. */
export function signed(n) {
  if (n > 0) return `+${n}`;
  if (n < 0) return `\u2212${Math.abs(n)}`;
  return '0';
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
  document.title = text ? `${text} · Third Neighbor` : 'Third Neighbor';
}
