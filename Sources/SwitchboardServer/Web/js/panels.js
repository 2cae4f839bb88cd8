// The right-hand panels besides threads: search, notifications, the channel browser and a new
// DM. Each draws into the panel it is given from data it fetches; none writes HTML.
import { el, clear, time } from './dom.js';

function panel(container, title, onClose, ...body) {
  clear(container);
  container.append(
    el('header', {}, el('h2', { id: 'panel-title' }, title),
      el('button', { type: 'button', 'aria-label': `Close ${title.toLowerCase()}`, onclick: onClose }, '×')),
    el('div', { class: 'panel-body', 'aria-labelledby': 'panel-title' }, ...body));
  container.hidden = false;
}

/// A search snippet is HTML-escaped text with matches in <mark>…</mark>: rebuilt as nodes.
function snippetNodes(snippet) {
  const unescape = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return snippet.split(/(<mark>.*?<\/mark>)/).filter(Boolean).map((part) => (part.startsWith('<mark>')
    ? el('mark', {}, unescape(part.slice(6, -7))) : unescape(part)));
}

export function searchPanel(container, { api, store, query, onClose, onOpen }) {
  const results = el('ol', { class: 'results', 'aria-live': 'polite' });
  panel(container, 'Search', onClose, el('p', { class: 'hint' }, 'in:#channel from:@handle has:link before:2026-01-31'), results);
  api.search(query).then(({ messages, snippets }) => {
    if (!messages.length) results.append(el('li', {}, `Nothing matches “${query}”.`));
    messages.forEach((message, index) => {
      const channel = store.channels.get(message.channel_id);
      results.append(el('li', {},
        el('a', { href: `#channel=${message.channel_id}`, class: 'result', onclick: (event) => { event.preventDefault(); onOpen(message); } },
          el('span', { class: 'where' }, `${channel ? store.channelLabel(channel) : ''} · ${store.displayName(message.author_id)} · ${time(message.created_at_ms)}`),
          el('span', { class: 'snippet' }, snippetNodes(snippets[index] || message.content)))));
    });
  }).catch((failure) => results.append(el('li', { class: 'error', role: 'alert' }, failure.message)));
}

export function notificationsPanel(container, { api, store, onClose, onOpen }) {
  const list = el('ol', { class: 'results' });
  panel(container, 'Notifications', onClose, list);
  api.notifications().then(({ notifications }) => {
    if (!notifications.length) list.append(el('li', {}, 'No notifications yet.'));
    for (const notification of notifications) {
      const channel = store.channels.get(notification.channel_id);
      list.append(el('li', {},
        el('a', { href: `#channel=${notification.channel_id}`, class: 'result',
                  onclick: (event) => { event.preventDefault(); onOpen({ channel_id: notification.channel_id, id: notification.message_id }); } },
          el('span', { class: 'where' }, `${channel ? store.channelLabel(channel) : ''} · ${notification.kind}${notification.count > 1 ? ` ×${notification.count}` : ''} · ${time(notification.updated_at_ms)}`),
          el('span', { class: 'snippet' }, notification.text))));
    }
  }).catch((failure) => list.append(el('li', { class: 'error', role: 'alert' }, failure.message)));
}

export function browsePanel(container, { api, onClose, onJoined, onLeft }) {
  const list = el('ul', { class: 'results' });
  const error = el('p', { class: 'error', role: 'alert' });
  const name = el('input', { id: 'new-channel-name', name: 'channel-name', required: true, pattern: '[a-z0-9_-]{1,80}' });
  const isPrivate = el('input', { id: 'new-channel-private', type: 'checkbox' });
  const create = el('form', { class: 'inline-form' },
    el('label', { for: 'new-channel-name' }, 'New channel'), name,
    el('label', { for: 'new-channel-private' }, isPrivate, ' private'),
    el('button', { type: 'submit' }, 'Create'));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const { channel } = await api.createChannel(name.value.trim().toLowerCase(), isPrivate.checked ? 'private' : 'public');
      onJoined(channel);
    } catch (failure) { error.textContent = failure.message; }
  });
  panel(container, 'Channels', onClose, create, error, list);
  api.get('/api/channels/browse').then(({ channels }) => {
    for (const channel of channels.sort((a, b) => a.name.localeCompare(b.name))) {
      const action = channel.is_member
        ? el('button', { type: 'button', class: 'leave', onclick: async () => {
          try { await api.leave(channel.id); onLeft(channel); } catch (failure) { error.textContent = failure.message; }
        } }, 'Leave')
        : el('button', { type: 'button', class: 'join', onclick: async () => {
          try { const { channel: joined } = await api.join(channel.id); onJoined(joined); } catch (failure) { error.textContent = failure.message; }
        } }, 'Join');
      list.append(el('li', { dataset: { browseChannelId: channel.id } },
        el('span', { class: 'name' }, `${channel.kind === 'private' ? '🔒' : '#'}${channel.name}`),
        el('span', { class: 'where' }, `${channel.member_count || 0} members${channel.topic ? ` · ${channel.topic}` : ''}`),
        action));
    }
  }).catch((failure) => { error.textContent = failure.message; });
}

export function newMessagePanel(container, { api, onClose, onOpened }) {
  const input = el('input', { id: 'dm-search', name: 'dm-search', autocomplete: 'off', placeholder: 'Name or handle' });
  const list = el('ul', { class: 'results' });
  const error = el('p', { class: 'error', role: 'alert' });
  panel(container, 'New message', onClose, el('label', { for: 'dm-search' }, 'To'), input, error, list);
  let request = 0;
  input.addEventListener('input', async () => {
    const mine = ++request;
    const q = input.value.trim();
    if (!q) { clear(list); return; }
    try {
      const { users } = await api.searchUsers(q);
      if (mine !== request) return;
      clear(list);
      for (const user of users) {
        list.append(el('li', {}, el('button', { type: 'button', class: 'person', onclick: async () => {
          try { const { channel } = await api.openDM([user.id]); onOpened(channel, user); } catch (failure) { error.textContent = failure.message; }
        } }, `${user.display_name} (@${user.handle})`)));
      }
    } catch (failure) { error.textContent = failure.message; }
  });
  input.focus();
}
