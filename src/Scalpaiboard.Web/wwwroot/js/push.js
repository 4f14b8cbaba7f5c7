// "Notify me on this device" on /settings: registers the service worker (/push-sw.js), subscribes this browser with the
// server's VAPID public key (GET /api/notifications/push/key) and posts the subscription to the Gateway
// (POST /api/settings/push-subscriptions). The device list is rendered by the server; this marks the row of this
// browser's subscription, and removing that row unsubscribes the browser too.
import { api } from './gateway.js';

const worker = '/push-sw.js';

function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
    return Uint8Array.from(atob(base64), c => c.charCodeAt(0));
}

function sameKey(buffer, base64url) {
    if (!buffer) return false;
    const a = new Uint8Array(buffer);
    const b = keyBytes(base64url);
    return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "Chrome on Linux", "Firefox on Android", ...: how the device appears in the list. */
function deviceName() {
    const ua = navigator.userAgent;
    const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
        : /Safari\//.test(ua) ? 'Safari' : 'Browser';
    const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS'
        : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
    return os ? `${browser} on ${os}` : browser;
}

export async function init(el) {
    const status = el.querySelector('#push-status');
    const button = el.querySelector('#push-subscribe');
    const table = document.getElementById('push-table');
    const say = (message, state) => {
        status.textContent = message;
        el.dataset.state = state;
    };

    if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
        say('This browser cannot receive push notifications.', 'unsupported');
        return;
    }
    let publicKey;
    try {
        publicKey = (await api('/api/notifications/push/key')).publicKey;
    } catch (e) {
        say(e.status === 404 ? 'Push notifications are not enabled on this server.' : `Push notifications are unavailable: ${e.message}.`, 'unavailable');
        return;
    }
    let registration;
    try {
        registration = await navigator.serviceWorker.register(worker, { scope: '/' });
    } catch (e) {
        say(`The service worker could not be registered: ${e.message}.`, 'error');
        return;
    }

    const current = await registration.pushManager.getSubscription();
    const row = current && table ? [...table.querySelectorAll('tr[data-endpoint]')].find(r => r.dataset.endpoint === current.endpoint) : null;
    if (row) {
        row.classList.add('current');
        row.querySelector('.this-device').hidden = false;
        // Removing this device also ends the browser's subscription (the push service forgets it too).
        const remove = row.querySelector('button[value^="delete:"]');
        remove?.addEventListener('click', async event => {
            event.preventDefault();
            try { await current.unsubscribe(); } catch { /* the server stops sending either way */ }
            remove.form.requestSubmit(remove);
        }, { once: true });
        button.hidden = true;
        say('This device receives push notifications.', 'subscribed');
        return;
    }
    if (Notification.permission === 'denied') {
        say('Notifications are blocked for this site: allow them in the browser\u2019s site settings first.', 'denied');
        return;
    }
    say(current ? 'This browser is subscribed but not registered for your account.' : 'This device does not receive push notifications.', 'ready');
    button.disabled = false;

    button.addEventListener('click', async () => {
        button.disabled = true;
        say('Subscribing…', 'subscribing');
        try {
            if (await Notification.requestPermission() !== 'granted') {
                say('Notifications were not allowed for this site.', 'denied');
                return;
            }
            await navigator.serviceWorker.ready;
            let subscription = await registration.pushManager.getSubscription();
            if (subscription && !sameKey(subscription.options.applicationServerKey, publicKey)) {
                // made for another server key: the push service would refuse our messages
                await subscription.unsubscribe();
                subscription = null;
            }
            subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
            await api('/api/settings/push-subscriptions', { method: 'POST', auth: true, body: { ...subscription.toJSON(), name: deviceName() } });
            say('Subscribed: this device receives push notifications.', 'subscribed');
            location.assign('/settings');
        } catch (e) {
            say(`Could not subscribe this device: ${e.message}.`, 'error');
            button.disabled = false;
        }
    });
}
