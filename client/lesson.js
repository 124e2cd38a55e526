// The lesson around the game, in pieces the screens share: prose whose ¶N references become ¶
// buttons (a memo, a discussion prompt), a role's memo and private objective, the glossary of key
// terms (a dialog), the round's discussion prompt (the teacher's: the console, the projector, the
// replay), the students' reflections as the teacher reads them, and the student's reflection form.

import { h, showError, clearErrors, scrollBox } from './?asset=dom.js';
import { paraRef, paras } from './?asset=widgets.js';
import { t, plural, timeOfDay } from './?asset=i18n.js';

/** The most a reflection may have (characters after trimming; the server's limit). */
export const REFLECTION_MAX = 2000;

/**
 * `text` with every "¶N" turned into the ¶ button (or plain ¶N) that `paras` shows, so that a memo
 * or a prompt cites the essay the way a move card does. A citation in brackets, "(¶7, ¶8)", stays
 * on one line.
 */
export function withParas(scenarioId, text) {
  const out = [];
  const pattern = /\(\s*¶\s?\d+(?:\s*,\s*¶\s?\d+)*\s*\)|¶\s?(\d+)/g;
  let last = 0;
  let match;
  const source = String(text || '');
  while ((match = pattern.exec(source))) {
    if (match.index > last) out.push(source.slice(last, match.index));
    if (match[1]) {
      out.push(paraRef(scenarioId, Number(match[1])));
    } else {
      const refs = [...match[0].matchAll(/¶\s?(\d+)/g)].map((m) => paraRef(scenarioId, Number(m[1])));
      out.push(h('span', { class: 'cite' }, '(', refs.flatMap((r, i) => (i ? [', ', r] : [r])), ')'));
    }
    last = pattern.lastIndex;
  }
  if (last < source.length) out.push(source.slice(last));
  return out;
}

/**
 * A memo as paragraphs (blank lines part them). A short first sentence ("Background.", "Red
 * lines.", "Private — only your team knows this.") is its paragraph's heading, in bold.
 */
export function memoView(scenarioId, memo) {
  const blocks = String(memo || '').split(/\n\s*\n/).map((b) => b.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
  return h('div', { class: 'memo' }, blocks.map((block) => {
    const lead = block.match(/^([^.!?]{1,44}[.:])\s+(.*)$/s);
    const words = lead ? lead[1].split(/\s+/).length : 99;
    if (lead && words <= 7) {
      return h('p', null, h('strong', { class: 'memo-lead' }, lead[1]), ' ', withParas(scenarioId, lead[2]));
    }
    return h('p', null, withParas(scenarioId, block));
  }));
}

/** A role's private objective: its summary and its ¶ (inline: it goes into a paragraph). */
export function privateAimView(scenarioId, aim) {
  if (!aim || !aim.summary) return null;
  return h('span', { class: 'private-aim-text' }, withParas(scenarioId, aim.summary), ' ', paras(scenarioId, aim.essay));
}

// ---- Key terms -----------------------------------------------------------------------------------

/** The lesson's key terms as a definition list. */
export function glossaryList(terms) {
  return h('dl', { class: 'glossary' }, (terms || []).map((term) => [
    h('dt', null, term.term),
    h('dd', null, term.meaning),
  ]));
}

let glossaryDialog;

/** Opens the key terms in a modal dialog (Escape or Close shuts it; focus goes back to `opener`). */
export function openGlossary(terms, opener) {
  if (!glossaryDialog) {
    glossaryDialog = h('dialog', { id: 'glossary', class: 'glossary-dialog', 'aria-labelledby': 'glossary-title' });
    document.body.appendChild(glossaryDialog);
  }
  const close = h('button', { type: 'button', class: 'primary', id: 'glossary-close', onclick: () => glossaryDialog.close() }, t('common.close'));
  glossaryDialog.replaceChildren(
    h('h2', { id: 'glossary-title' }, t('lesson.key_terms')),
    scrollBox(glossaryList(terms), 'glossary-scroll'),
    h('div', { class: 'actions' }, close),
  );
  glossaryDialog.onclose = () => { if (opener && document.contains(opener)) opener.focus(); };
  if (!glossaryDialog.open) glossaryDialog.showModal();
  close.focus();
}

/** The button that opens the key terms (null when the lesson has none). */
export function glossaryButton(lesson, { id = 'open-glossary', cls = 'link' } = {}) {
  const terms = lesson && Array.isArray(lesson.terms) ? lesson.terms : [];
  if (!terms.length) return null;
  return h('button', {
    type: 'button', class: cls, id, 'data-key': id, 'aria-haspopup': 'dialog',
    onclick: (e) => openGlossary(terms, e.currentTarget),
  }, t('lesson.key_terms'));
}

// ---- The discussion prompt -----------------------------------------------------------------------

/** The round's discussion prompt, for the class to talk over after its report. */
export function discussionBox(scenarioId, report, { big = false } = {}) {
  if (!report || !report.discussion) return null;
  return h('aside', { class: `discussion${big ? ' big' : ''}`, 'data-discussion': report.round, 'aria-label': t('lesson.discussion_label', { round: report.round }) },
    h('p', { class: 'discussion-label' }, t('lesson.discuss_after', { round: report.round })),
    h('p', { class: 'discussion-text' }, withParas(scenarioId, report.discussion)));
}

/**
 * A class's discussion prompt: that of the last round every table has resolved (the last round
 * any table resolved, once the class is over), from the public scenario; null before any.
 */
export function classDiscussion(scenario, view, opts) {
  const tables = (view && view.tables) || [];
  if (!scenario || !tables.length) return null;
  const resolved = tables.map((tb) => tb.resolved || 0);
  const round = view.phase === 'finished' ? Math.max(...resolved) : Math.min(...resolved);
  const def = round >= 1 && Array.isArray(scenario.rounds) ? scenario.rounds[round - 1] : null;
  return def && def.discussion ? discussionBox(scenario.id, { round, discussion: def.discussion }, opts) : null;
}

// ---- Reflections, as the teacher reads them ------------------------------------------------------

/** The students' reflections: who (and which role) wrote what. `roleName(id)` names a role. */
export function reflectionsList(reflections, roleName) {
  const list = Array.isArray(reflections) ? reflections : [];
  if (!list.length) return h('p', { class: 'muted', 'data-empty': '' }, t('lesson.no_reflections'));
  return h('ul', { class: 'plain reflections' }, list.map((r) => h('li', { class: 'reflection', 'data-player': r.player_id },
    h('p', { class: 'reflection-who' }, h('strong', null, r.player || t('lesson.a_student')),
      r.role ? h('span', { class: 'muted' }, ` · ${roleName(r.role)}`) : null),
    h('p', { class: 'reflection-text' }, r.text))));
}

// ---- The student's reflection form ---------------------------------------------------------------

/** Characters as the server counts them (after trimming, by code point). */
export function reflectionLength(text) {
  return [...String(text || '').trim()].length;
}

function clockText(date) {
  return timeOfDay(date);
}

/**
 * After the game: the lesson's reflection prompt, a text field with a live count of characters,
 * and Send (`send(text)` returns the request's promise). What the server kept (`saved`) is shown
 * and may be edited and sent again. The elements are made once, so that a new `state` never
 * wipes what the student is typing.
 */
export class ReflectionForm {
  constructor({ send }) {
    this.send = send;
    this.saved = null;
    this.dirty = false;
    this.busy = false;
    this.sentAt = null;
    this.prompt = h('p', { class: 'reflection-prompt', id: 'reflection-prompt' });
    this.field = h('textarea', {
      id: 'reflection-text', rows: '8', 'data-key': 'reflection-text', spellcheck: 'true',
      'aria-describedby': 'reflection-prompt reflection-count',
    });
    this.count = h('p', { class: 'char-count', id: 'reflection-count' });
    this.errorBox = h('div', { class: 'inline-error', id: 'reflection-error' });
    this.button = h('button', { type: 'submit', class: 'primary big', id: 'reflection-send' });
    this.status = h('p', { class: 'reflection-status', id: 'reflection-status', role: 'status' });
    this.savedBox = h('div', { class: 'reflection-saved', id: 'reflection-saved' });
    this.el = h('form', { class: 'card reflection-card', id: 'reflection-form', 'aria-labelledby': 'reflection-title',
      onsubmit: (e) => { e.preventDefault(); this.submit(); } },
    this.titleEl = h('h3', { id: 'reflection-title' }),
    this.prompt,
    this.labelEl = h('label', { for: 'reflection-text' }),
    this.field, this.count, this.errorBox,
    h('div', { class: 'reflection-actions' }, this.button, this.status),
    this.savedBox);
    this.field.addEventListener('input', () => {
      this.dirty = this.field.value !== (this.saved || '');
      this.refresh();
    });
    this.refresh();
  }

  /** The prompt, and what the server has kept (`you.reflection`, or null). */
  update({ prompt, saved }) {
    if (this.prompt.textContent !== (prompt || '')) this.prompt.textContent = prompt || '';
    const next = saved || null;
    if (next !== this.saved) {
      this.saved = next;
      if (!this.dirty) this.field.value = next || '';
      this.dirty = this.field.value !== (this.saved || '');
      this.drawSaved();
    }
    this.refresh();
  }

  drawSaved() {
    this.savedBox.replaceChildren(...(this.saved ? [
      h('h4', null, t('reflect.teacher_has')),
      h('blockquote', { class: 'reflection-text', id: 'reflection-saved-text' }, this.saved),
    ] : []));
  }

  /** Draws the form's words again in the language now in use (what is typed stays). */
  relang() {
    this.drawSaved();
    this.refresh();
  }

  refresh() {
    this.titleEl.textContent = t('reflect.title');
    this.labelEl.textContent = t('reflect.label');
    const n = reflectionLength(this.field.value);
    const over = n > REFLECTION_MAX;
    this.count.textContent = over
      ? t('reflect.count_over', { n, max: REFLECTION_MAX, over: n - REFLECTION_MAX })
      : plural('reflect.count', n, { max: REFLECTION_MAX });
    this.count.classList.toggle('over', over);
    this.count.dataset.count = String(n);
    this.button.disabled = this.busy || n === 0 || over || (!this.dirty && Boolean(this.saved));
    this.button.textContent = this.saved ? t('reflect.send_new') : t('reflect.send');
    if (!this.busy) {
      let text = '';
      if (this.saved && !this.dirty) text = this.sentAt ? t('reflect.saved_at', { time: clockText(this.sentAt) }) : t('reflect.saved');
      else if (this.saved && this.dirty) text = t('reflect.changed');
      if (this.status.textContent !== text) this.status.textContent = text;
      this.status.dataset.saved = this.saved && !this.dirty ? '1' : '0';
    }
  }

  async submit() {
    const text = this.field.value.trim();
    if (!text || reflectionLength(text) > REFLECTION_MAX || this.busy) return;
    this.busy = true;
    this.status.textContent = t('reflect.sending');
    this.status.dataset.saved = '0';
    this.refresh();
    try {
      await this.send(text);
      clearErrors(this.errorBox);
      this.sentAt = new Date();
      this.field.value = text;
      this.dirty = false;
      // The server's `state` with the reflection comes before the ack; should it not have, the
      // ack still means that this text is what the server keeps.
      if (this.saved !== text) this.update({ prompt: this.prompt.textContent, saved: text });
    } catch (err) {
      this.status.textContent = '';
      showError(err, this.errorBox);
    } finally {
      this.busy = false;
      this.refresh();
    }
  }
}
