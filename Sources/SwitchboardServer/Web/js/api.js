// REST calls to the edge (or origin) the client is attached to. Errors carry the protocol's
// `code` and `message` so views can show them as they are.

export class APIError extends Error {
  constructor(status, code, message, retryAfterMs) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export class API {
  // `workspaceID`, when known, goes with every call as `X-Switchboard-Workspace`: a load
  // balancer in front of several edges hashes on it, keeping a workspace on one edge.
  constructor(baseURL, token, workspaceID) {
    this.baseURL = baseURL.replace(/\/$/, '');
    this.token = token;
    this.workspaceID = workspaceID;
  }

  withBase(baseURL) { return new API(baseURL, this.token, this.workspaceID); }

  async call(method, path, body, { raw = false, contentType } = {}) {
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.workspaceID) headers['X-Switchboard-Workspace'] = this.workspaceID;
    let payload;
    if (body instanceof Blob || body instanceof ArrayBuffer) {
      payload = body;
      headers['Content-Type'] = contentType || 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(this.baseURL + path, { method, headers, body: payload });
    } catch (error) {
      throw new APIError(0, 'unavailable', 'the server cannot be reached');
    }
    if (response.status === 204) return {};
    if (!response.ok) {
      let detail = { code: 'internal_error', message: `HTTP ${response.status}` };
      try { detail = (await response.json()).error || detail; } catch { /* not JSON */ }
      throw new APIError(response.status, detail.code, detail.message, detail.retry_after_ms);
    }
    return raw ? response : response.json();
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body); }
  put(path, body) { return this.call('PUT', path, body); }
  patch(path, body) { return this.call('PATCH', path, body); }
  delete(path) { return this.call('DELETE', path); }

  login(workspace, email, password) {
    const body = { workspace, password };
    if (email.includes('@') && !email.startsWith('@')) body.email = email; else body.handle = email;
    return this.post('/api/auth/login', body);
  }
  logout() { return this.post('/api/auth/logout'); }
  invite(code) { return this.get(`/api/auth/invites/${encodeURIComponent(code)}`); }
  acceptInvite(code, body) { return this.post(`/api/auth/invites/${encodeURIComponent(code)}`, body); }

  history(channelID, { before, after, limit = 50 } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set('before', before);
    if (after) query.set('after', after);
    return this.get(`/api/channels/${channelID}/messages?${query}`);
  }
  replies(channelID, threadID) { return this.get(`/api/channels/${channelID}/messages/${threadID}/replies`); }
  edit(channelID, id, content) { return this.patch(`/api/channels/${channelID}/messages/${id}`, { content }); }
  remove(channelID, id) { return this.delete(`/api/channels/${channelID}/messages/${id}`); }
  react(channelID, id, emoji, on) {
    const path = `/api/channels/${channelID}/messages/${id}/reactions/${encodeURIComponent(emoji)}/@me`;
    return on ? this.post(path) : this.delete(path);
  }
  searchUsers(q) { return this.get(`/api/users/search?q=${encodeURIComponent(q)}&limit=8`); }
  users(ids) { return this.get(`/api/users?ids=${ids.join(',')}`); }
  channels() { return this.get('/api/channels'); }
  join(channelID) { return this.post(`/api/channels/${channelID}/join`); }
  leave(channelID) { return this.post(`/api/channels/${channelID}/leave`); }
  createChannel(name, kind) { return this.post('/api/channels', { name, kind }); }
  openDM(userIDs) { return this.post('/api/dms', { user_ids: userIDs }); }
  search(q) { return this.get(`/api/search?q=${encodeURIComponent(q)}`); }
  notifications() { return this.get('/api/notifications'); }
  edges() { return this.get('/api/edges'); }
  upload(file) {
    return this.call('POST', `/api/attachments?filename=${encodeURIComponent(file.name)}`, file,
                     { contentType: file.type || 'application/octet-stream' });
  }
}
