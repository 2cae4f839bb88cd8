// The composer: Enter sends, Shift+Enter breaks the line, `@` completes handles from the
// edge's user search, typing is announced at most every 3 s, files upload with a preview.
import { el, clear } from './dom.js';

export function composer({ label, api, store, onSend, onTyping, withAlsoToChannel = false }) {
  const textarea = el('textarea', { 'aria-label': label, rows: 2, placeholder: 'Write a message…' });
  const suggestions = el('ul', { class: 'suggestions', role: 'listbox', hidden: true });
  const also = withAlsoToChannel ? el('input', { type: 'checkbox', id: 'also-to-channel' }) : null;
  const file = el('input', { type: 'file', 'aria-label': 'Attach a file', class: 'file' });
  const pending = el('div', { class: 'pending' });
  let attachments = [];
  let lastTyping = 0;

  file.addEventListener('change', async () => {
    for (const chosen of file.files) {
      try {
        const { attachment } = await api.upload(chosen);
        attachments.push(attachment);
        pending.append(chosen.type.startsWith('image/')
          ? el('img', { class: 'preview', src: URL.createObjectURL(chosen), alt: chosen.name })
          : el('span', {}, `📎 ${chosen.name}`));
      } catch (failure) {
        pending.append(el('span', { class: 'error', role: 'alert' }, failure.message));
      }
    }
    file.value = '';
  });

  // The handle being typed just before the caret, or null.
  function typedHandle() {
    const match = /(^|\s)@([\w.-]*)$/.exec(textarea.value.slice(0, textarea.selectionStart));
    return match && match[2].length > 0 ? match[2] : null;
  }

  async function complete() {
    const query = typedHandle();
    if (query === null) { suggestions.hidden = true; return; }
    const { users } = await api.searchUsers(query);
    // Answers can arrive out of order: one for an older prefix is dropped.
    if (typedHandle() !== query) return;
    clear(suggestions);
    for (const user of users) {
      store.users.set(user.id, { ...(store.users.get(user.id) || {}), ...user });
      suggestions.append(el('li', { role: 'option', tabindex: 0,
        onclick: () => choose(user), onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); choose(user); } } },
        `@${user.handle} — ${user.display_name}`));
    }
    suggestions.hidden = users.length === 0;
  }

  function choose(user) {
    const at = textarea.selectionStart;
    const typed = (typedHandle() || '').length;  // what is there now, not when the list was made
    textarea.value = `${textarea.value.slice(0, at - typed)}${user.handle} ${textarea.value.slice(at)}`;
    suggestions.hidden = true;
    textarea.focus();
  }

  textarea.addEventListener('input', () => {
    const now = Date.now();
    if (now - lastTyping > 3000 && textarea.value) { lastTyping = now; onTyping(); }
    complete().catch(() => { suggestions.hidden = true; });
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      const content = textarea.value.trim();
      if (!content && attachments.length === 0) return;
      onSend({ content, attachments: attachments.map((a) => a.id), alsoToChannel: also?.checked || false });
      lastTyping = 0; // the next message's typing is news again
      textarea.value = '';
      attachments = [];
      clear(pending);
      suggestions.hidden = true;
    } else if (event.key === 'Escape') {
      suggestions.hidden = true;
    }
  });

  return el('div', { class: 'composer' }, suggestions, pending, textarea,
    el('div', { class: 'composer-tools' }, file,
      also ? el('label', { for: 'also-to-channel' }, also, ' Also send to channel') : null));
}
