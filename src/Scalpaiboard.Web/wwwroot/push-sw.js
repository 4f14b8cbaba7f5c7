// Scalpaiboard's service worker (registered by /js/push.js, scope /): shows what the Alerts service pushes (a JSON
// object: title, body, url, tag) and opens the coin page when the notification is clicked. It caches nothing.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));

// A push names a page of this site; a click never leads to another site, whatever the message says.
function ownUrl(url) {
    try {
        const target = new URL(url || '/', self.location.origin);
        return target.origin === self.location.origin ? target.href : new URL(target.pathname + target.search, self.location.origin).href;
    } catch {
        return new URL('/', self.location.origin).href;
    }
}

function text(value) {
    return typeof value === 'string' ? value : '';
}

self.addEventListener('push', event => {
    let data = {};
    try {
        data = event.data ? event.data.json() : {};
    } catch {
        data = { body: event.data ? event.data.text() : '' };
    }
    const tag = text(data.tag);
    // A newer notification with the same tag (same coin and signal, same alert) replaces the older one.
    event.waitUntil(self.registration.showNotification(text(data.title) || 'Scalpaiboard', {
        body: text(data.body),
        tag: tag || undefined,
        renotify: tag !== '',
        data: { url: ownUrl(data.url) },
    }));
});

self.addEventListener('notificationclick', event => {
    event.notification.close();
    const url = ownUrl(event.notification.data?.url);
    event.waitUntil((async () => {
        const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
        const open = windows.find(w => w.url === url);
        if (open) return open.focus();
        return self.clients.openWindow(url);
    })());
});
