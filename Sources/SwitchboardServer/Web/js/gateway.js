// One gateway session: identify or resume, heartbeats, reconnects with back-off, and drains
// followed to another edge. What happens is told through callbacks; the store keeps state.

const TERMINAL = new Set([4100, 4101]);

export class Gateway {
  constructor({ token, workspaceID, edges, onReady, onResumed, onEvent, onStatus, onSignedOut, onAck, onError, onMoved }) {
    this.token = token;
    this.workspaceID = workspaceID;   // named at connect, for a load balancer to hash on
    this.edges = edges;            // base URLs, the current one first
    this.onReady = onReady;
    this.onResumed = onResumed;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onSignedOut = onSignedOut;
    this.onAck = onAck;
    this.onError = onError;
    this.onMoved = onMoved;
    this.sessionID = null;
    this.lastSeq = 0;
    this.focus = null;
    this.attempt = 0;
    this.stopped = false;
  }

  get baseURL() { return this.edges[0]; }

  start(focus) {
    this.focus = focus;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.heartbeat);
    if (this.socket) this.socket.close(1000);
  }

  send(op, d) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.live) {
      this.socket.send(JSON.stringify({ op, d }));
      return true;
    }
    return false;
  }

  connect() {
    const url = this.baseURL.replace(/^http/, 'ws') + '/gateway'
      + (this.workspaceID ? `?workspace=${encodeURIComponent(this.workspaceID)}` : '');
    this.onStatus(this.attempt === 0 && !this.sessionID ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(url);
    this.socket = socket;
    this.live = false;
    socket.onmessage = (message) => this.handle(JSON.parse(message.data));
    socket.onclose = (event) => this.closed(event.code);
  }

  handle(frame) {
    switch (frame.op) {
      case 'hello':
        this.interval = frame.d.heartbeat_interval_ms;
        this.offeredSession = frame.d.session_id;
        if (this.sessionID) {
          this.socket.send(JSON.stringify({ op: 'resume', d: { token: this.token, session_id: this.sessionID, s: this.lastSeq } }));
        } else {
          this.identify();
        }
        break;
      case 'ready':
        console.info(`gateway: ready at ${this.baseURL}`);
        this.sessionID = this.offeredSession;
        this.becameLive();
        this.onReady(frame.d.bootstrap, { fresh: true });
        break;
      case 'resumed':
        this.becameLive();
        this.onResumed();
        break;
      case 'event':
        if (frame.s) this.lastSeq = frame.s;
        this.onEvent(frame.t, frame.d);
        break;
      case 'ack':
        this.onAck(frame.d);
        break;
      case 'error':
        console.info(`gateway: error ${frame.d.code}: ${frame.d.message}`);
        if (frame.d.code === 'session_expired') {
          // Another edge, or too late: start a new session and let the store fill the gap.
          this.sessionID = null;
          this.lastSeq = 0;
          this.identify();
        } else {
          this.onError(frame.d);
        }
        break;
      case 'reconnect':
        this.draining = true;
        break;
      default:
        break;
    }
  }

  identify() {
    const d = { token: this.token };
    if (this.focus) d.focus_channel_id = this.focus;
    this.socket.send(JSON.stringify({ op: 'identify', d }));
  }

  becameLive() {
    this.live = true;
    this.attempt = 0;
    this.onStatus('live');
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ op: 'heartbeat', d: { s: this.lastSeq } }));
      }
    }, Math.max(1000, (this.interval || 30000) * 0.8));
  }

  closed(code) {
    console.info(`gateway: ${this.baseURL} closed ${code}`);
    clearInterval(this.heartbeat);
    this.live = false;
    if (this.stopped) return;
    if (TERMINAL.has(code)) {
      this.onSignedOut(code === 4101 ? 'Your session was ended. Sign in again.' : 'Sign in again.');
      return;
    }
    this.onStatus('reconnecting');
    // A draining edge (4004) or one that stopped answering: try the next edge the origin lists.
    if ((code === 4004 || this.draining || this.attempt > 0) && this.edges.length > 1) {
      this.edges.push(this.edges.shift());
      this.onMoved(this.baseURL);
    }
    this.draining = false;
    const delay = Math.min(10000, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), this.attempt === 1 ? 50 : delay);
  }
}
