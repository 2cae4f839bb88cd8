// Wires the views to the store and the gateway: sign-in, the main screen, reconnects.
import { API } from './api.js';
import { rankEdges } from './edges.js';
import { Gateway } from './gateway.js';
import { Store } from './store.js';
import { el, clear } from './dom.js';
import { signInView, inviteView } from './signin.js';
import { renderSidebar } from './sidebar.js';
import { renderMessages, messageNode } from './messages.js';
import { composer } from './composer.js';
import { searchPanel, notificationsPanel, browsePanel, newMessagePanel } from './panels.js';

const root = document.getElementById('app');
const here = window.location.origin;
const saved = () => JSON.parse(localStorage.getItem('switchboard.session') || 'null');

function start(notice) {
  const invite = /invite=([\w-]+)/.exec(window.location.hash);
  if (invite) return inviteView(root, { api: new API(here), code: invite[1], onSignedIn: signedIn });
  const session = saved();
  if (session?.token) return main(session);
  signInView(root, { api: new API(here), onSignedIn: signedIn, notice });
}

function signedIn(answer) {
  const session = { token: answer.token, userID: answer.user.id, workspaceID: answer.user.workspace_id };
  localStorage.setItem('switchboard.session', JSON.stringify(session));
  main(session);
}

function signOut(notice) {
  localStorage.removeItem('switchboard.session');
  start(notice);
}

async function main(session) {
  const store = new Store();
  // This edge first (or, on the origin's page, the nearest edge), then the others nearest
  // first: where to go when one drains or is lost.
  const edges = await rankEdges(here, new API(here, session.token, session.workspaceID));
  let api = new API(edges[0], session.token, session.workspaceID);

  clear(root);
  const status = el('div', { class: 'status', role: 'status', hidden: true });
  const nav = el('nav', { class: 'sidebar', 'aria-label': 'Channels' });
  const title = el('h1', { class: 'channel-title' });
  const log = el('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: 0 });
  const typing = el('p', { class: 'typing', 'aria-live': 'polite' });
  const threadPane = el('aside', { class: 'thread panel', 'aria-label': 'Details', hidden: true });
  const signOutButton = el('button', { type: 'button', class: 'signout' }, 'Sign out');
  const searchInput = el('input', { type: 'search', name: 'q', 'aria-label': 'Search messages', placeholder: 'Search (Ctrl+K)' });
  const searchForm = el('form', { class: 'search', role: 'search' }, searchInput);
  const closePanel = () => { store.thread = null; threadPane.hidden = true; clear(threadPane); };
  const panelContext = () => ({ api, store, onClose: closePanel });
  const openPanel = (draw) => { store.thread = null; draw(threadPane, panelContext()); };
  const topActions = el('nav', { class: 'actions', 'aria-label': 'Workspace' },
    el('button', { type: 'button', class: 'browse', onclick: () => openPanel((c, ctx) => browsePanel(c, { ...ctx,
      onJoined: (channel) => { store.channels.set(channel.id, channel); closePanel(); select(channel.id).catch(show); },
      onLeft: (channel) => { store.channels.delete(channel.id); if (store.focus === channel.id) store.focus = null; closePanel(); drawSidebar(); drawMessages(); } })) }, 'Channels'),
    el('button', { type: 'button', class: 'new-message', onclick: () => openPanel((c, ctx) => newMessagePanel(c, { ...ctx,
      onOpened: (channel, user) => { store.users.set(user.id, user); store.channels.set(channel.id, channel); closePanel(); select(channel.id).catch(show); } })) }, 'New message'),
    el('button', { type: 'button', class: 'notifications', onclick: () => openPanel((c, ctx) => notificationsPanel(c, { ...ctx, onOpen: jumpTo })) }, 'Notifications'));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = searchInput.value.trim();
    if (query) openPanel((c, ctx) => searchPanel(c, { ...ctx, query, onOpen: jumpTo }));
  });
  // Sends not acknowledged yet, by nonce: sent again (same nonce, so never twice) after a
  // reconnect, and after the wait a rate limit asks for.
  const pending = new Map();
  // The composers call whichever edge the client is on now.
  const current = { upload: (file) => api.upload(file), searchUsers: (q) => api.searchUsers(q) };

  const fileURLs = new Map(); // attachment id → blob: URL, fetched once
  const actions = {
    fileURL: (attachment) => {
      if (!fileURLs.has(attachment.id)) {
        const url = attachment.url.startsWith('/') ? attachment.url : new URL(attachment.url).pathname + new URL(attachment.url).search;
        fileURLs.set(attachment.id, api.call('GET', url, undefined, { raw: true })
          .then((response) => response.blob()).then((blob) => URL.createObjectURL(blob)));
      }
      return fileURLs.get(attachment.id);
    },
    openThread: (message) => openThread(message),
    react: (message, emoji, on) => api.react(message.channel_id, message.id, emoji, on).catch(show),
    edit: (message) => {
      const content = window.prompt('Edit message', message.content);
      if (content !== null && content.trim()) api.edit(message.channel_id, message.id, content.trim()).catch(show);
    },
    remove: (message) => { if (window.confirm('Delete this message?')) api.remove(message.channel_id, message.id).catch(show); },
  };

  function show(failure) {
    status.hidden = false;
    status.textContent = failure.message || String(failure);
  }

  function send({ content, attachments, alsoToChannel }, threadID) {
    const channelID = threadID ? store.thread.channelID : store.focus;
    const nonce = crypto.randomUUID();
    const d = { channel_id: channelID, content, nonce };
    if (threadID) { d.thread_id = threadID; d.also_to_channel = alsoToChannel; }
    if (attachments.length || !gateway.send('send', d)) {
      // Files go over REST; so does a send while the gateway is reconnecting (same nonce rules).
      const body = { content, nonce, attachment_ids: attachments };
      if (threadID) { body.thread_id = threadID; body.also_to_channel = alsoToChannel; }
      api.post(`/api/channels/${channelID}/messages`, body)
        .then(({ message }) => { store.apply('message.created', message); })
        .catch(show);
    } else {
      pending.set(nonce, d);
    }
  }

  function resendPending() {
    for (const d of pending.values()) gateway.send('send', d);
  }

  const mainComposer = composer({ label: 'Message', api: current, store, onSend: (m) => send(m),
                                  onTyping: () => gateway.send('typing', { channel_id: store.focus }) });

  root.append(el('div', { class: 'layout' },
    el('header', { class: 'top' }, el('span', { class: 'workspace' }, ''), searchForm, topActions, status, signOutButton),
    nav,
    el('section', { class: 'channel', 'aria-labelledby': 'channel-title' }, title, log, typing, mainComposer),
    threadPane));
  title.id = 'channel-title';
  root.querySelector('.layout').dataset.edge = edges[0];

  signOutButton.addEventListener('click', async () => {
    gateway.stop();
    try { await api.logout(); } catch { /* signed out locally either way */ }
    signOut('You signed out.');
  });

  async function select(channelID) {
    store.focus = channelID;
    window.location.hash = `channel=${channelID}`;
    gateway.send('focus', { channel_id: channelID });
    drawSidebar();
    actions.scrollToBottom = true;
    if (!store.messages.has(channelID) || store.messages.get(channelID).size === 0) {
      const page = await api.history(channelID, { limit: 50 });
      store.addMessages(channelID, page.messages);
      if (!page.has_more) store.complete.add(channelID);
    }
    drawMessages();
    markRead();
    subscribePresence();
    mainComposer.querySelector('textarea').focus();
  }

  function markRead() {
    const newest = store.newestID(store.focus);
    const channel = store.channels.get(store.focus);
    if (newest && channel && (channel.unread_count || channel.mention_count)) {
      gateway.send('read', { channel_id: store.focus, message_id: newest });
      channel.unread_count = 0;
      channel.mention_count = 0;
      drawSidebar();
    }
  }

  let subscribed = '';
  function subscribePresence() {
    // Presence only for the people on screen; sent again only when that set changes.
    const onScreen = store.sortedMessages(store.focus).slice(-50);
    if (store.thread) onScreen.push(store.thread.parent, ...(store.replies.get(store.thread.threadID) || new Map()).values());
    const visible = [...new Set(onScreen.map((m) => m.author_id))].sort().slice(0, 500);
    const key = visible.join(',');
    if (key === subscribed) return;
    if (gateway.send('presence_subscribe', { user_ids: visible })) subscribed = key;
  }

  async function loadOlder() {
    if (!store.focus || store.complete.has(store.focus) || loadOlder.busy) return;
    const oldest = store.sortedMessages(store.focus)[0];
    if (!oldest) return;
    loadOlder.busy = true;
    try {
      const page = await api.history(store.focus, { before: oldest.id, limit: 50 });
      store.addMessages(store.focus, page.messages);
      if (!page.has_more) store.complete.add(store.focus);
      actions.keepPosition = true;
      drawMessages();
    } finally {
      loadOlder.busy = false;
    }
  }
  log.addEventListener('scroll', () => { if (log.scrollTop < 80) loadOlder().catch(show); });

  /// Shows a message (from search or a notification): its channel, older pages loaded until it is there.
  async function jumpTo(message) {
    if (!store.channels.has(message.channel_id)) return;
    await select(message.channel_id);
    for (let page = 0; page < 20 && !store.messages.get(message.channel_id)?.has(message.id); page += 1) {
      if (store.complete.has(message.channel_id)) break;
      await loadOlder();
    }
    const node = log.querySelector(`[data-message-id="${message.id}"]`);
    if (node) { node.scrollIntoView({ block: 'center' }); node.classList.add('highlight'); node.focus?.(); }
  }

  // Keyboard: Ctrl+K searches, Alt+↑/↓ moves between channels, Escape closes the side panel.
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') { event.preventDefault(); searchInput.focus(); }
    else if (event.key === 'Escape' && !threadPane.hidden) { closePanel(); mainComposer.querySelector('textarea').focus(); }
    else if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
      event.preventDefault();
      const links = [...nav.querySelectorAll('[data-channel-id]')];
      const index = links.findIndex((link) => link.dataset.channelId === store.focus);
      const next = links[(index + (event.key === 'ArrowUp' ? -1 : 1) + links.length) % links.length];
      if (next) select(next.dataset.channelId).catch(show);
    }
  });

  async function openThread(message) {
    store.thread = { channelID: message.channel_id, threadID: message.id, parent: message };
    const page = await api.replies(message.channel_id, message.id);
    store.addReplies(message.id, page.messages);
    drawThread();
  }

  function drawThread() {
    if (!store.thread) { threadPane.hidden = true; return; }
    clear(threadPane);
    const { threadID, parent } = store.thread;
    const replies = [...(store.replies.get(threadID) || new Map()).values()]
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const close = el('button', { type: 'button', 'aria-label': 'Close thread', onclick: closePanel }, '×');
    threadPane.append(el('header', {}, el('h2', {}, 'Thread'), close),
      el('div', { class: 'thread-log', role: 'log', 'aria-label': 'Replies' },
        messageNode(store.findMessage(parent.channel_id, threadID) || parent, store, actions, { inThread: true }),
        replies.map((m) => messageNode(m, store, actions, { inThread: true }))),
      composer({ label: 'Reply', api: current, store, withAlsoToChannel: true, onSend: (m) => send(m, threadID),
                 onTyping: () => {} }));
    threadPane.hidden = false;
    subscribePresence();
  }

  function drawSidebar() { renderSidebar(nav, store, { onSelect: (id) => select(id).catch(show) }); }

  let firstScreen = false;
  function drawMessages() {
    const channel = store.channels.get(store.focus);
    title.textContent = channel ? store.channelLabel(channel) : '';
    renderMessages(log, store, actions);
    subscribePresence();
    if (!firstScreen && log.querySelector('[data-message-id]')) {
      // The first screen is up once the frame holding the first messages is painted
      // (measured by scripts/bench-web.sh).
      firstScreen = true;
      requestAnimationFrame(() => setTimeout(() => performance.mark('switchboard:first-messages'), 0));
    }
  }

  const profileRequests = new Set();
  /// Profiles the screen needs but the working set did not bring (a typist who has not posted yet).
  function needProfiles(ids) {
    const missing = ids.filter((id) => !store.users.has(id) && !profileRequests.has(id));
    if (!missing.length) return;
    for (const id of missing) profileRequests.add(id);
    api.users(missing).then(({ users }) => {
      for (const user of users) store.users.set(user.id, user);
      drawTyping();
      drawMessages();
    }).catch(show);
  }

  function drawTyping() {
    const now = Date.now();
    const ids = [...(store.typing.get(store.focus) || new Map()).entries()]
      .filter(([id, expires]) => expires > now && id !== store.me.id).map(([id]) => id);
    needProfiles(ids);
    const who = ids.map((id) => store.displayName(id));
    typing.textContent = who.length ? `${who.join(', ')} ${who.length === 1 ? 'is' : 'are'} typing…` : '';
  }
  setInterval(drawTyping, 1000);

  store.addEventListener('channels', drawSidebar);
  store.addEventListener('messages', (event) => {
    if (event.detail.channelID === store.focus) {
      drawMessages();
      if (event.detail.added && document.hasFocus()) markRead();
    }
  });
  store.addEventListener('thread', (event) => { if (store.thread && event.detail.threadID === store.thread.threadID) drawThread(); });
  store.addEventListener('users', () => { drawMessages(); drawSidebar(); });
  store.addEventListener('presence', drawMessages);
  store.addEventListener('typing', drawTyping);
  store.addEventListener('refresh-channels', async () => {
    const { channels } = await api.channels();
    for (const channel of channels) if (!store.channels.has(channel.id)) store.channels.set(channel.id, channel);
    drawSidebar();
  });

  const focusHint = /channel=(\d+)/.exec(window.location.hash)?.[1];
  const gateway = new Gateway({
    token: session.token,
    workspaceID: session.workspaceID,
    edges,
    onReady: async (bootstrap) => {
      subscribed = '';
      const seen = store.focus ? store.newestID(store.focus) : null;
      store.ready(bootstrap);
      root.querySelector('.workspace').textContent = store.workspace?.name || '';
      // A new session (after a drain to another edge, or a session that expired): fetch what
      // arrived since the newest message on screen, so nothing is missed; ids de-duplicate.
      if (seen && store.focus) {
        const page = await api.history(store.focus, { after: seen, limit: 100 });
        store.addMessages(store.focus, page.messages);
      }
      drawSidebar();
      drawMessages();
      subscribePresence();
      markRead();
      resendPending();
    },
    onResumed: () => resendPending(),
    onEvent: (type, d) => {
      if (type === 'message.created' && d.nonce && pending.has(d.nonce)) pending.delete(d.nonce);
      store.apply(type, d);
    },
    onAck: (ack) => { pending.delete(ack.nonce); store.apply('message.created', ack.message); },
    onError: (error) => {
      const waiting = error.nonce && pending.get(error.nonce);
      if (waiting && error.code === 'rate_limited') {
        setTimeout(() => gateway.send('send', waiting), error.retry_after_ms || 1000);
        return;
      }
      if (waiting) pending.delete(error.nonce);
      show(error);
    },
    onStatus: (state) => {
      store.status = state;
      root.querySelector('.layout').dataset.connection = state;
      if (state === 'live') { status.hidden = true; status.textContent = ''; }
      else if (state === 'reconnecting') { status.hidden = false; status.textContent = 'Reconnecting…'; }
    },
    onMoved: (baseURL) => {
      api = api.withBase(baseURL);
      root.querySelector('.layout').dataset.edge = baseURL;
    },
    onSignedOut: (notice) => signOut(notice),
  });
  gateway.start(focusHint || null);
}

start();
