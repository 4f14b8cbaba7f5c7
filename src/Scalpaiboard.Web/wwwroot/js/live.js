// One WebSocket to the Gateway's /ws hub for the whole page: subscriptions by channel, auth when signed in,
// reconnect with exponential backoff (and jitter), resubscribe after a reconnect, answer pings.
import { gatewayUrl, accessToken, isAuthenticated } from './gateway.js';

const handlers = new Map();      // channel -> Set<fn(frame)>
const statusListeners = new Set();
let socket = null;
let state = 'idle';
let attempt = 0;
let retryTimer = 0;

function wsUrl() {
    const u = new URL(gatewayUrl + '/ws');
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.toString();
}

function setState(s, detail) {
    state = s;
    const el = document.getElementById('conn');
    if (el) {
        el.dataset.state = s;
        const label = el.querySelector('.conn-label');
        const text = { open: 'Live', connecting: 'Connecting…', closed: 'Offline', idle: 'Offline' }[s] || s;
        if (label) label.textContent = text;
        el.title = s === 'closed' && detail ? `Live connection lost: ${detail}` : 'Live connection to the gateway';
    }
    for (const fn of statusListeners) {
        try { fn(s, detail); } catch (e) { console.warn(e); }
    }
}

function send(obj) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(obj));
}

function connect() {
    clearTimeout(retryTimer);
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) return;
    setState('connecting');
    let ws;
    try {
        ws = new WebSocket(wsUrl());
    } catch {
        scheduleReconnect('bad address');
        return;
    }
    socket = ws;
    ws.onopen = async () => {
        attempt = 0;
        if (isAuthenticated()) {
            const token = await accessToken();
            if (token) send({ type: 'auth', token });
        }
        const channels = [...handlers.keys()];
        if (channels.length) send({ type: 'subscribe', channels });
        setState('open');
    };
    ws.onmessage = e => {
        let frame;
        try { frame = JSON.parse(e.data); } catch { return; }
        if (frame.type === 'ping') { send({ type: 'pong' }); return; }
        if (frame.type === 'error') { console.warn('gateway /ws:', frame.message); return; }
        const set = frame.channel && handlers.get(frame.channel);
        if (!set) return;
        for (const fn of set) {
            try { fn(frame); } catch (err) { console.warn(err); }
        }
    };
    ws.onclose = ev => {
        if (socket !== ws) return;
        socket = null;
        scheduleReconnect(ev.reason || 'gateway not reachable');
    };
    ws.onerror = () => { /* onclose follows and schedules the reconnect */ };
}

function scheduleReconnect(reason) {
    setState('closed', reason);
    if (handlers.size === 0) return;
    // 1 s, 2 s, 4 s ... capped at 30 s, with +-30 % jitter so many tabs do not reconnect in step.
    const base = Math.min(30_000, 1000 * 2 ** attempt++);
    const delay = base * (0.7 + Math.random() * 0.6);
    retryTimer = setTimeout(connect, delay);
}

/** Subscribes to a channel; returns the unsubscribe function. */
export function subscribe(channel, fn) {
    let set = handlers.get(channel);
    const isNew = !set;
    if (!set) handlers.set(channel, set = new Set());
    set.add(fn);
    if (isNew) send({ type: 'subscribe', channels: [channel] });
    if (!socket) connect();
    return () => {
        set.delete(fn);
        if (set.size === 0) {
            handlers.delete(channel);
            send({ type: 'unsubscribe', channels: [channel] });
        }
    };
}

/** Calls fn(state, detail) now and on every change: idle | connecting | open | closed. */
export function onStatus(fn) {
    statusListeners.add(fn);
    fn(state);
    return () => statusListeners.delete(fn);
}

export function start() {
    connect();
}

// Reconnect at once when the tab comes back or the network returns, instead of waiting out the backoff.
window.addEventListener('online', () => { attempt = 0; connect(); });
document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !socket && handlers.size) { attempt = 0; connect(); }
});
