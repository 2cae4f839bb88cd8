// Channels, DMs and group DMs with live unread and mention badges.
import { el, clear } from './dom.js';

export function renderSidebar(nav, store, { onSelect }) {
  clear(nav);
  const channels = [...store.channels.values()];
  const groups = [
    ['Channels', channels.filter((c) => c.kind === 'public' || c.kind === 'private')],
    ['Direct messages', channels.filter((c) => c.kind === 'dm' || c.kind === 'group_dm')],
  ];
  for (const [title, list] of groups) {
    nav.append(el('h2', {}, title));
    const ul = el('ul', {});
    for (const channel of list.sort((a, b) => store.channelLabel(a).localeCompare(store.channelLabel(b)))) {
      const unread = channel.unread_count || 0;
      const mentions = channel.mention_count || 0;
      const badge = el('span', { class: mentions ? 'badge mention' : 'badge', dataset: { unread: String(unread) },
                                 'aria-label': `${unread} unread${mentions ? `, ${mentions} mentions` : ''}`,
                                 hidden: unread === 0 && mentions === 0 },
                       mentions ? String(mentions) : String(unread));
      const current = channel.id === store.focus;
      ul.append(el('li', {},
        el('a', { href: `#channel=${channel.id}`, dataset: { channelId: channel.id },
                  class: unread ? 'unread' : '', 'aria-current': current ? 'page' : false,
                  onclick: (event) => { event.preventDefault(); onSelect(channel.id); } },
           el('span', { class: 'name' }, store.channelLabel(channel)), badge)));
    }
    nav.append(ul);
  }
}
