// Entry module of every page: the connection indicator, the assistant panel toggle, and the live module of
// whatever the server rendered (each is loaded only where its element exists).
import * as live from './live.js';
import { isAuthenticated } from './gateway.js';
import { price, escapeHtml } from './format.js';

function initPanelToggle() {
    const button = document.getElementById('assistant-toggle');
    const wide = () => window.matchMedia('(min-width: 1280px)').matches;
    const saved = localStorage.getItem('sb.panel');
    if (saved === 'hidden') document.body.classList.add('panel-hidden');
    button?.addEventListener('click', () => {
        if (wide()) {
            const hidden = document.body.classList.toggle('panel-hidden');
            localStorage.setItem('sb.panel', hidden ? 'hidden' : 'shown');
        } else {
            document.body.classList.toggle('panel-open');
        }
        window.dispatchEvent(new Event('resize'));
    });
}

const modules = [
    ['#screener', () => import('./screener.js')],
    ['#coin-chart', () => import('./coin.js')],
    ['#heatmap', () => import('./heatmap.js')],
    ['#chart-grid', () => import('./dashboard.js')],
    ['#signals-body', () => import('./signals.js')],
    ['#alert-form', () => import('./alert-form.js')],
    ['[data-assistant]', () => import('./chat.js')],
    ['#usage-chart', () => import('./usage.js')],
    ['#push-devices', () => import('./push.js')],
    ['#backtest-run', () => import('./backtests.js')],
];

// The signed-in user's own alert triggers (/ws `alerts`, sent only after the socket's auth) as toasts on any page.
function initAlertToasts() {
    if (!isAuthenticated()) return;
    const box = document.createElement('div');
    box.className = 'toasts';
    box.setAttribute('aria-live', 'polite');
    document.body.appendChild(box);
    live.subscribe('alerts', frame => {
        const t = frame.data || {};
        const div = document.createElement('div');
        div.className = 'toast';
        div.innerHTML = `<strong>Alert</strong> <a href="/coins/${encodeURIComponent(t.symbol || '')}">${escapeHtml(t.symbol || '')}</a> `
            + `<span class="num">${t.price === null || t.price === undefined ? '' : price(t.price)}</span>`
            + (t.message ? ` <span class="small">${escapeHtml(t.message)}</span>` : '');
        box.appendChild(div);
        setTimeout(() => div.remove(), 8000);
    });
}

async function boot() {
    initPanelToggle();
    live.start();
    initAlertToasts();
    for (const [selector, load] of modules) {
        const elements = document.querySelectorAll(selector);
        if (elements.length === 0) continue;
        try {
            const m = await load();
            for (const el of elements) m.init(el);
        } catch (e) {
            console.warn('module failed to start', selector, e);
        }
    }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
