// /signals: new preset signals from /ws `signals` appear at the top of the list (when it is not filtered).
import { subscribe } from './live.js';
import { price, pct, volume, tone, presetNames, presetTone, escapeHtml } from './format.js';

export function init(tbody) {
    const params = new URLSearchParams(location.search);
    const symbol = (params.get('symbol') || '').toUpperCase();
    const type = params.get('type') || '';
    subscribe('signals', frame => {
        const s = frame.data;
        if (!s || (symbol && s.symbol !== symbol) || (type && s.type !== type)) return;
        const m = s.metrics || {};
        const tr = document.createElement('tr');
        tr.className = 'signal-row';
        const t = new Date(s.time);
        tr.innerHTML = `<td class="num">${t.toISOString().slice(5, 16).replace('T', ' ')}</td>`
            + `<td><a class="sym" href="/coins/${encodeURIComponent(s.symbol)}">${escapeHtml(s.symbol)}</a></td>`
            + `<td><span class="tag ${presetTone(s.type)}">${escapeHtml(presetNames[s.type] || s.type)}</span></td>`
            + `<td class="num">${price(s.price)}</td>`
            + `<td class="num ${tone(m.change_5m)}">${pct(m.change_5m)}</td>`
            + `<td class="num ${tone(m.change_1h)}">${pct(m.change_1h)}</td>`
            + `<td class="num">${volume(m.quoteVolume_1h)}</td>`;
        tbody.querySelector('td.empty')?.parentElement.remove();
        tbody.prepend(tr);
        while (tbody.rows.length > 500) tbody.deleteRow(-1);
    });
}
