// REST calls from the browser go straight to the Gateway (CORS allows the web origin). Per-user calls carry the
// short-lived access token the Web server hands out at /session/token (the auth cookie itself is HttpOnly).
export const gatewayUrl = (document.querySelector('meta[name="gateway-url"]')?.content || 'http://127.0.0.1:8080').replace(/\/$/, '');

export function isAuthenticated() {
    return document.querySelector('.shell')?.dataset.authenticated === 'true';
}

let cached = null;
let pending = null;

/** The user's Gateway access token, or null when not signed in. Cached until shortly before it expires. */
export async function accessToken() {
    if (!isAuthenticated()) return null;
    if (cached && cached.expires - Date.now() > 30_000) return cached.token;
    if (!pending) {
        pending = fetch('/session/token', { credentials: 'same-origin', cache: 'no-store' })
            .then(r => r.ok ? r.json() : null)
            .then(j => {
                cached = j ? { token: j.accessToken, expires: Date.parse(j.expiresAt) || Date.now() + 60_000 } : null;
                return cached?.token ?? null;
            })
            .catch(() => null)
            .finally(() => { pending = null; });
    }
    return pending;
}

export class GatewayError extends Error {
    constructor(message, status) { super(message); this.status = status; }
}

/** fetch() against the Gateway; throws GatewayError with a readable message on failure. */
export async function api(path, { method = 'GET', body, auth = false, signal } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) {
        const token = await accessToken();
        if (!token) throw new GatewayError('log in first', 401);
        headers.Authorization = 'Bearer ' + token;
    }
    let response;
    try {
        response = await fetch(gatewayUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new GatewayError('gateway not reachable', 0);
    }
    if (!response.ok) {
        let detail = '';
        try { const p = await response.json(); detail = p.detail || p.title || ''; } catch { /* not JSON */ }
        throw new GatewayError(detail || `gateway answered ${response.status}`, response.status);
    }
    return response.status === 204 ? null : response.json();
}

/** Shows a message inside a module's panel (replacing an earlier one), or clears it with null. */
export function panelMessage(container, text) {
    if (!container) return;
    let box = container.querySelector(':scope > .panel-msg');
    if (!text) { box?.remove(); return; }
    if (!box) {
        box = document.createElement('div');
        box.className = 'panel-msg';
        box.setAttribute('role', 'status');
        container.prepend(box);
    }
    box.textContent = text;
}
