// The client's copy of what it shows: the working set from `ready`, then events and lazy
// loads. Views subscribe and redraw from it; nothing here touches the DOM.

export class Store extends EventTarget {
  constructor() {
    super();
    this.me = null;
    this.workspace = null;
    this.channels = new Map();   // id → channel (with unread_count, mention_count)
    this.users = new Map();      // id → short or full profile
    this.messages = new Map();   // channel id → Map(id → message), timeline only
    this.complete = new Set();   // channels whose oldest message is loaded
    this.replies = new Map();    // thread id → Map(id → message)
    this.presence = new Map();
    this.typing = new Map();     // channel id → Map(user id → expires_at_ms)
    this.focus = null;
    this.thread = null;          // {channelID, threadID} on screen
    this.status = 'connecting';
  }

  changed(what, detail = {}) { this.dispatchEvent(new CustomEvent(what, { detail })); }

  ready(bootstrap) {
    this.me = bootstrap.self;
    this.workspace = bootstrap.workspace;
    for (const user of bootstrap.users || []) this.users.set(user.id, user);
    this.users.set(this.me.id, this.me);
    this.channels = new Map([...(bootstrap.channels || []), ...(bootstrap.dms || [])].map((c) => [c.id, c]));
    this.focus = bootstrap.focus_channel_id || this.focus || [...this.channels.keys()][0] || null;
    if (this.focus) this.addMessages(this.focus, bootstrap.messages || []);
    this.changed('channels');
    this.changed('messages', { channelID: this.focus });
  }

  sortedMessages(channelID) {
    const list = [...(this.messages.get(channelID) || new Map()).values()];
    return list.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  newestID(channelID) {
    const list = this.sortedMessages(channelID);
    return list.length ? list[list.length - 1].id : null;
  }

  addMessages(channelID, messages) {
    let map = this.messages.get(channelID);
    if (!map) { map = new Map(); this.messages.set(channelID, map); }
    for (const message of messages) {
      if (message.thread_id && !message.also_to_channel) continue;
      map.set(message.id, message);
    }
  }

  addReplies(threadID, messages) {
    let map = this.replies.get(threadID);
    if (!map) { map = new Map(); this.replies.set(threadID, map); }
    for (const message of messages) map.set(message.id, message);
  }

  findMessage(channelID, id) {
    const inTimeline = this.messages.get(channelID)?.get(id);
    if (inTimeline) return inTimeline;
    for (const map of this.replies.values()) if (map.has(id)) return map.get(id);
    return null;
  }

  apply(type, d) {
    switch (type) {
      case 'message.created': {
        if (d.thread_id) {
          // The ack and the event both bring one's own reply: count it once.
          const known = this.replies.get(d.thread_id)?.has(d.id);
          this.addReplies(d.thread_id, [d]);
          const parent = this.findMessage(d.channel_id, d.thread_id);
          if (parent && !known) parent.reply_count = (parent.reply_count || 0) + 1;
          this.changed('thread', { threadID: d.thread_id });
        }
        if (!d.thread_id || d.also_to_channel) {
          this.addMessages(d.channel_id, [d]);
          const channel = this.channels.get(d.channel_id);
          if (channel) channel.last_message_id = d.id;
        }
        this.typing.get(d.channel_id)?.delete(d.author_id);
        this.changed('messages', { channelID: d.channel_id, added: d.id });
        break;
      }
      case 'message.updated': {
        const message = this.findMessage(d.channel_id, d.id);
        if (message) Object.assign(message, d);
        this.changed('messages', { channelID: d.channel_id });
        this.changed('thread', { threadID: d.thread_id || d.id });
        break;
      }
      case 'message.deleted':
        this.messages.get(d.channel_id)?.delete(d.id);
        if (d.thread_id) this.replies.get(d.thread_id)?.delete(d.id);
        this.changed('messages', { channelID: d.channel_id });
        this.changed('thread', { threadID: d.thread_id });
        break;
      case 'reaction.added':
      case 'reaction.removed': {
        const message = this.findMessage(d.channel_id, d.message_id);
        if (!message) break;
        message.reactions = message.reactions || [];
        let reaction = message.reactions.find((r) => r.emoji === d.emoji);
        const mine = d.user_id === this.me.id;
        if (type === 'reaction.added') {
          if (!reaction) { reaction = { emoji: d.emoji, count: 0, me: false }; message.reactions.push(reaction); }
          reaction.count += 1;
          if (mine) reaction.me = true;
        } else if (reaction) {
          reaction.count -= 1;
          if (mine) reaction.me = false;
          if (reaction.count <= 0) message.reactions = message.reactions.filter((r) => r !== reaction);
        }
        this.changed('messages', { channelID: d.channel_id });
        this.changed('thread', { threadID: message.thread_id || message.id });
        break;
      }
      case 'channel.created':
      case 'channel.updated': {
        const known = this.channels.get(d.id);
        if (known) Object.assign(known, d);
        else if (d.member_ids?.includes(this.me.id) || d.creator_id === this.me.id) this.channels.set(d.id, d);
        this.changed('channels');
        break;
      }
      case 'member.joined':
        if (d.user_id === this.me.id && !this.channels.has(d.channel_id)) this.changed('refresh-channels');
        break;
      case 'member.left':
        if (d.user_id === this.me.id) {
          this.channels.delete(d.channel_id);
          if (this.focus === d.channel_id) this.focus = null;
          this.changed('channels');
        }
        break;
      case 'user.created':
      case 'user.updated':
        this.users.set(d.id, { ...(this.users.get(d.id) || {}), ...d });
        if (d.id === this.me.id) this.me = { ...this.me, ...d };
        this.changed('users');
        break;
      case 'unread.updated':
      case 'read.updated': {
        const channel = this.channels.get(d.channel_id);
        if (channel) {
          channel.unread_count = d.unread_count;
          channel.mention_count = d.mention_count;
          if (d.last_message_id) channel.last_message_id = d.last_message_id;
          this.changed('channels');
        }
        break;
      }
      case 'presence.changed':
        this.presence.set(d.user_id, d.status);
        this.changed('presence');
        break;
      case 'typing.started': {
        let map = this.typing.get(d.channel_id);
        if (!map) { map = new Map(); this.typing.set(d.channel_id, map); }
        map.set(d.user_id, d.expires_at_ms);
        this.changed('typing', { channelID: d.channel_id });
        break;
      }
      case 'notification.created':
        this.changed('notification', d);
        break;
      default:
        break;
    }
  }

  displayName(userID) {
    const user = this.users.get(userID);
    return user ? (user.display_name || user.handle) : 'someone';
  }

  channelLabel(channel) {
    if (channel.kind === 'dm' || channel.kind === 'group_dm') {
      const others = (channel.member_ids || []).filter((id) => id !== this.me.id);
      return others.length ? others.map((id) => this.displayName(id)).join(', ') : channel.name;
    }
    return `#${channel.name}`;
  }
}
