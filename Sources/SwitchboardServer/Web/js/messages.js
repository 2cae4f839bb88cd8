// The message list of the channel on screen (role="log"), older pages loaded as one scrolls up.
import { el, clear, time } from './dom.js';

const EMOJI = ['👍', '🎉', '❤️', '😄', '👀'];

export function messageNode(message, store, actions, { inThread = false } = {}) {
  const mine = message.author_id === store.me.id;
  const reactions = el('div', { class: 'reactions' },
    (message.reactions || []).map((r) => el('button', {
      type: 'button', class: r.me ? 'reaction mine' : 'reaction', 'aria-pressed': r.me ? 'true' : 'false',
      'aria-label': `${r.emoji} ${r.count}`, onclick: () => actions.react(message, r.emoji, !r.me) }, `${r.emoji} ${r.count}`)));
  const tools = el('div', { class: 'tools' },
    el('button', { type: 'button', 'aria-label': 'React', onclick: () => actions.react(message, EMOJI[0], true) }, '👍'),
    !inThread && el('button', { type: 'button', class: 'reply', onclick: () => actions.openThread(message) }, 'Reply'),
    mine && el('button', { type: 'button', class: 'edit', onclick: () => actions.edit(message) }, 'Edit'),
    mine && el('button', { type: 'button', class: 'delete', onclick: () => actions.remove(message) }, 'Delete'));
  // Files need the signed URL *and* a member's token, which an <img src> cannot send: they are
  // fetched with the token and shown from a blob: URL.
  const attachments = (message.attachments || []).map((a) => {
    if ((a.content_type || '').startsWith('image/')) {
      const image = el('img', { class: 'preview', alt: a.name });
      actions.fileURL(a).then((url) => { image.src = url; }).catch(() => { image.alt = `${a.name} (unavailable)`; });
      return image;
    }
    return el('a', { href: '#', class: 'file-link', onclick: async (event) => {
      event.preventDefault();
      const link = el('a', { href: await actions.fileURL(a), download: a.name });
      link.click();
    } }, `📎 ${a.name}`);
  });
  const previews = (message.link_previews || []).map((p) => el('div', { class: 'link-preview' },
    el('a', { href: p.url, rel: 'noopener noreferrer', target: '_blank' }, p.title || p.url),
    p.description ? el('p', {}, p.description) : null));
  return el('article', { class: 'message', dataset: { messageId: message.id }, 'aria-label': `${store.displayName(message.author_id)}` },
    el('header', {},
      el('span', { class: `presence ${store.presence.get(message.author_id) || 'offline'}`, 'aria-hidden': 'true' }),
      el('strong', { class: 'author' }, store.displayName(message.author_id)),
      el('time', { datetime: new Date(message.created_at_ms).toISOString() }, time(message.created_at_ms)),
      message.edited_at_ms ? el('span', { class: 'edited' }, '(edited)') : null),
    el('p', { class: 'content' }, renderContent(message.content, store)),
    attachments, previews, reactions,
    !inThread && message.reply_count ? el('button', { type: 'button', class: 'replies', onclick: () => actions.openThread(message) },
      `${message.reply_count} ${message.reply_count === 1 ? 'reply' : 'replies'}`) : null,
    tools);
}

/// Mentions `<@ID>` become names; everything else stays text.
function renderContent(content, store) {
  const parts = [];
  const pattern = /<@(\d+)>/g;
  let last = 0;
  for (const match of content.matchAll(pattern)) {
    parts.push(content.slice(last, match.index));
    parts.push(el('span', { class: 'mention' }, `@${store.displayName(match[1])}`));
    last = match.index + match[0].length;
  }
  parts.push(content.slice(last));
  return parts;
}

export function renderMessages(log, store, actions) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const previousHeight = log.scrollHeight;
  const previousTop = log.scrollTop;
  clear(log);
  const list = store.sortedMessages(store.focus);
  if (store.complete.has(store.focus)) log.append(el('p', { class: 'start' }, 'This is the very beginning of the channel.'));
  for (const message of list) log.append(messageNode(message, store, actions));
  if (atBottom || actions.scrollToBottom) { log.scrollTop = log.scrollHeight; actions.scrollToBottom = false; }
  else if (actions.keepPosition) { log.scrollTop = previousTop + (log.scrollHeight - previousHeight); actions.keepPosition = false; }
}
