// Dashboard: a grid of 4-12 live mini charts chosen by the user (remembered in localStorage) and the live
// signal feed from /ws `signals`.
import { candleChart } from './chart.js';
import { subscribe } from './live.js';
import { price, presetNames, presetTone, escapeHtml } from './format.js';
import { panelMessage } from './gateway.js';

const KEY = 'sb.dashboard';

export function init(grid) {
    const form = document.getElementById('chart-picker');
    const defaults = (grid.dataset.defaultSymbols || '').split(',').filter(Boolean);
    let config = load(defaults);
    let charts = [];

    function build() {
        for (const c of charts) c.destroy();
        charts = [];
        grid.innerHTML = '';
        const symbols = pad(config.symbols, defaults, config.count);
        for (const symbol of symbols) {
            const cell = document.createElement('div');
            cell.className = 'mini-chart';
            cell.dataset.symbol = symbol;
            cell.innerHTML = `<div class="mini-title"><a href="/coins/${encodeURIComponent(symbol)}">${escapeHtml(symbol)}</a> <span class="muted">${config.tf}</span><span class="num"></span></div>`;
            grid.appendChild(cell);
            const label = cell.querySelector('.num');
            const chart = candleChart(cell, { symbol, tf: config.tf, mini: true, onStatus: text => panelMessage(cell, text && text !== 'loading…' ? text : null) });
            charts.push(chart);
            // Last price next to the title, from the same live bars.
            new MutationObserver(() => { label.textContent = price(+cell.dataset.lastClose); }).observe(cell, { attributes: true, attributeFilter: ['data-last-close'] });
        }
    }

    if (form) {
        form.elements.count.value = String(config.count);
        form.elements.tf.value = config.tf;
        form.elements.symbols.value = config.symbols.join(', ');
        form.addEventListener('submit', e => {
            e.preventDefault();
            const symbols = form.elements.symbols.value.split(/[\s,;]+/).map(s => s.trim().toUpperCase()).filter(Boolean);
            config = { count: clamp(+form.elements.count.value), tf: form.elements.tf.value, symbols: [...new Set(symbols)].slice(0, 12) };
            localStorage.setItem(KEY, JSON.stringify(config));
            build();
        });
    }
    build();
    initFeed();
}

function clamp(n) { return Math.min(12, Math.max(4, Number.isFinite(n) ? n : 4)); }

function load(defaults) {
    try {
        const c = JSON.parse(localStorage.getItem(KEY) || 'null');
        if (c && Array.isArray(c.symbols)) return { count: clamp(c.count), tf: c.tf || '1m', symbols: c.symbols.slice(0, 12) };
    } catch { /* ignore */ }
    return { count: 4, tf: '1m', symbols: defaults.slice(0, 4) };
}

function pad(chosen, defaults, count) {
    const out = [...chosen];
    for (const s of defaults) { if (out.length >= count) break; if (!out.includes(s)) out.push(s); }
    return out.slice(0, count);
}

function initFeed() {
    const feed = document.getElementById('signal-feed');
    if (!feed) return;
    subscribe('signals', frame => {
        const s = frame.data;
        if (!s?.symbol) return;
        feed.querySelector('li.empty')?.remove();
        const li = document.createElement('li');
        li.className = `signal ${presetTone(s.type)} fresh`;
        const t = new Date(s.time || frame.ts);
        li.innerHTML = `<a href="/coins/${encodeURIComponent(s.symbol)}">${escapeHtml(s.symbol)}</a>`
            + `<span class="tag ${presetTone(s.type)}">${escapeHtml(presetNames[s.type] || s.type)}</span>`
            + `<span class="num">${price(s.price)}</span><time>${t.toISOString().slice(11, 16)}</time>`;
        feed.prepend(li);
        while (feed.children.length > 60) feed.lastElementChild.remove();
    });
}
