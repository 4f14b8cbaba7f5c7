// The screener's live table: client-side sort on header click, a column chooser, saved filter presets,
// CSV/JSON export, live cell updates from /ws `tickers` that keep the sort and the scroll position, rows of the
// filter asked for again every few seconds (coins entering the screen appear, coins leaving it go), and a
// virtualised body (only the rows in view are in the DOM) once the table is long. Column presets (funding
// extremes, OI surge...) set the columns and the sort; next-funding cells count down every second.
import { subscribe, onStatus } from './live.js';
import { cell, tone, countdown, escapeHtml } from './format.js';
import { api, panelMessage } from './gateway.js';

const VIRTUALIZE_ABOVE = 150;
const OVERSCAN = 12;
const COLUMNS_KEY = 'sb.screener.columns';
const PRESETS_KEY = 'sb.screener.presets';

export function init(table) {
    const scroller = document.getElementById('screener-scroll');
    const columns = JSON.parse(document.getElementById('screener-columns').textContent);
    const byKey = new Map(columns.map(c => [c.key, c]));
    const presets = JSON.parse(document.getElementById('screener-presets')?.textContent || '[]');
    const toned = c => c.kind === 'percent' || c.kind === 'funding' || c.kind === 'trend';
    let rows = JSON.parse(document.getElementById('screener-data').textContent || '[]');
    const index = new Map(rows.map(r => [r.symbol, r]));
    let visible = loadColumns(columns, byKey);
    let sortKey = table.dataset.sort || 'quoteVolume_1d';
    let sortDir = table.dataset.dir || 'desc';
    let rowHeight = 31;
    let frameQueued = false;

    const thead = table.tHead;
    const tbody = table.tBodies[0];

    function loadColumns() {
        try {
            const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY) || 'null');
            if (Array.isArray(saved)) {
                const keys = saved.filter(k => byKey.has(k));
                if (keys.length) return keys;
            }
        } catch { /* ignore a broken entry */ }
        return columns.filter(c => c.default).map(c => c.key);
    }

    function compare(a, b) {
        if (sortKey === 'symbol') {
            const r = a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
            return sortDir === 'asc' ? r : -r;
        }
        const x = a[sortKey], y = b[sortKey];
        const xn = x === null || x === undefined, yn = y === null || y === undefined;
        if (xn || yn) return xn && yn ? 0 : xn ? 1 : -1;   // unavailable values always last
        return sortDir === 'asc' ? x - y : y - x;
    }

    function sortRows() {
        rows.sort(compare);
    }

    function renderHead() {
        const th = k => {
            const label = k === 'symbol' ? 'Symbol' : byKey.get(k).label;
            const arrow = k === sortKey ? (sortDir === 'desc' ? ' ▼' : ' ▲') : '';
            const cls = (k === 'symbol' ? 'sticky-col' : 'num') + (k === sortKey ? ' sorted' : '');
            const title = k === 'symbol' ? 'Symbol' : byKey.get(k).title;
            return `<th data-key="${k}" class="${cls}" title="${escapeHtml(title)}" aria-sort="${k === sortKey ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}"><a href="?sort=${k}">${escapeHtml(label)}${arrow}</a></th>`;
        };
        thead.innerHTML = '<tr>' + ['symbol', ...visible].map(th).join('') + '</tr>';
        table.dataset.sort = sortKey;
        table.dataset.dir = sortDir;
    }

    function rowHtml(r) {
        let html = `<tr data-symbol="${escapeHtml(r.symbol)}"><td class="sticky-col"><a class="sym" href="/coins/${encodeURIComponent(r.symbol)}">${escapeHtml(r.symbol)}</a></td>`;
        for (const k of visible) {
            const c = byKey.get(k);
            const v = r[k];
            let cls = 'num';
            if (toned(c)) cls += ' ' + tone(v);
            const until = c.kind === 'countdown' && Number.isFinite(v) ? ` data-until="${v}"` : '';
            html += `<td class="${cls}"${until}>${cell(c.kind, v)}</td>`;
        }
        return html + '</tr>';
    }

    function renderBody() {
        frameQueued = false;
        const colspan = visible.length + 1;
        if (rows.length === 0) {
            tbody.innerHTML = `<tr><td class="empty" colspan="${colspan}">No symbol matches this filter.</td></tr>`;
            return;
        }
        if (rows.length <= VIRTUALIZE_ABOVE) {
            tbody.innerHTML = rows.map(rowHtml).join('');
        } else {
            const viewport = scroller.clientHeight || 600;
            const headerHeight = thead.offsetHeight || rowHeight;
            const first = Math.max(0, Math.floor((scroller.scrollTop - headerHeight) / rowHeight) - OVERSCAN);
            const count = Math.ceil(viewport / rowHeight) + 2 * OVERSCAN;
            const last = Math.min(rows.length, first + count);
            const top = first * rowHeight;
            const bottom = (rows.length - last) * rowHeight;
            tbody.innerHTML = `<tr class="spacer" aria-hidden="true"><td colspan="${colspan}" style="height:${top}px"></td></tr>`
                + rows.slice(first, last).map(rowHtml).join('')
                + `<tr class="spacer" aria-hidden="true"><td colspan="${colspan}" style="height:${bottom}px"></td></tr>`;
            table.dataset.renderedRows = String(last - first);
        }
        const sample = tbody.querySelector('tr[data-symbol]');
        if (sample && sample.offsetHeight > 0) rowHeight = sample.offsetHeight;
        document.getElementById('screener-count').textContent = String(rows.length);
    }

    function queueRender() {
        if (!frameQueued) {
            frameQueued = true;
            requestAnimationFrame(renderBody);
        }
    }

    function setSort(key, dir) {
        if (dir) { sortKey = key; sortDir = dir; }
        else if (key === sortKey) sortDir = sortDir === 'desc' ? 'asc' : 'desc';
        else { sortKey = key; sortDir = key === 'symbol' ? 'asc' : 'desc'; }
        const url = new URL(location.href);
        url.searchParams.delete('preset');
        url.searchParams.set('sort', sortKey);
        url.searchParams.set('dir', sortDir);
        history.replaceState(null, '', url);
        const form = document.getElementById('filter-form');
        if (form) { form.elements.sort.value = sortKey; form.elements.dir.value = sortDir; }
        sortRows();
        renderHead();
        renderBody();
    }

    thead.addEventListener('click', e => {
        const th = e.target.closest('th[data-key]');
        if (!th) return;
        e.preventDefault();
        setSort(th.dataset.key);
    });
    scroller.addEventListener('scroll', () => { if (rows.length > VIRTUALIZE_ABOVE) queueRender(); }, { passive: true });
    window.addEventListener('resize', () => { if (rows.length > VIRTUALIZE_ABOVE) queueRender(); });

    // Column chooser
    const chooser = document.getElementById('column-chooser');
    const chooserButton = document.getElementById('columns-button');
    for (const box of chooser.querySelectorAll('input[type=checkbox]')) box.checked = visible.includes(box.value);
    chooserButton.addEventListener('click', () => {
        chooser.hidden = !chooser.hidden;
        chooserButton.setAttribute('aria-expanded', String(!chooser.hidden));
    });
    chooser.addEventListener('change', () => {
        visible = columns.map(c => c.key).filter(k => chooser.querySelector(`input[value="${k}"]`)?.checked);
        localStorage.setItem(COLUMNS_KEY, JSON.stringify(visible));
        if (presetSelect) presetSelect.value = '';
        if (!visible.includes(sortKey) && sortKey !== 'symbol') { sortKey = 'symbol'; sortDir = 'asc'; sortRows(); }
        renderHead();
        renderBody();
    });

    // Export what is on screen: the filtered rows in the current order (CSV: the chosen columns; JSON: every field).
    for (const button of document.querySelectorAll('[data-export]')) {
        button.addEventListener('click', () => {
            const kind = button.dataset.export;
            let text, type;
            if (kind === 'json') {
                text = JSON.stringify(rows, null, 2);
                type = 'application/json';
            } else {
                const keys = ['symbol', ...visible];
                const esc = v => v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : String(v);
                text = keys.join(',') + '\n' + rows.map(r => keys.map(k => esc(r[k])).join(',')).join('\n') + '\n';
                type = 'text/csv';
            }
            const a = document.createElement('a');
            a.href = URL.createObjectURL(new Blob([text], { type }));
            a.download = `screener-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')}.${kind}`;
            document.body.appendChild(a);
            a.click();
            setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        });
    }

    initPresets();

    // Column presets: their columns (remembered like a choice in the chooser) and their sort. A preset in the URL
    // (the server rendered it) is applied once and then lives on as the column choice.
    const presetSelect = document.getElementById('column-preset');
    function usePreset(key) {
        const p = presets.find(x => x.key === key);
        if (!p) return null;
        visible = p.columns.filter(k => byKey.has(k));
        localStorage.setItem(COLUMNS_KEY, JSON.stringify(visible));
        for (const box of chooser.querySelectorAll('input[type=checkbox]')) box.checked = visible.includes(box.value);
        document.querySelector('#filter-form input[name=preset]')?.remove();
        if (presetSelect) presetSelect.value = p.key;
        return p;
    }
    presetSelect?.addEventListener('change', () => {
        const p = usePreset(presetSelect.value);
        if (p) setSort(p.sort, p.dir);   // re-renders head and body, the URL loses ?preset
    });
    if (table.dataset.preset && usePreset(table.dataset.preset)) {
        const url = new URL(location.href);
        url.searchParams.delete('preset');
        history.replaceState(null, '', url);
    }

    // Time to the next funding, every second, in the rendered cells only.
    setInterval(() => {
        const now = Date.now();
        for (const td of tbody.querySelectorAll('td[data-until]')) td.textContent = countdown(+td.dataset.until, now);
    }, 1000);

    // Live cells: updated in place (with a short flash) unless the sort column moved, then the body is re-rendered.
    const liveFields = ['price', 'change_5m', 'change_15m', 'change_1h', 'change_4h', 'change_8h', 'change_1d',
        'quoteVolume_5m', 'quoteVolume_15m', 'quoteVolume_1h', 'quoteVolume_4h', 'quoteVolume_8h', 'quoteVolume_1d'];
    subscribe('tickers', frame => {
        const items = Array.isArray(frame.data) ? frame.data : frame.data?.tickers || [];
        let resort = false;
        const moved = [];
        for (const t of items) {
            const r = index.get(t.symbol);
            if (!r) continue;
            for (const k of liveFields) {
                if (!(k in t) || t[k] === null || t[k] === undefined || t[k] === r[k]) continue;
                moved.push([r, k, Number.isFinite(r[k]) ? (t[k] > r[k] ? 'up' : 'down') : null]);
                r[k] = t[k];
                if (k === sortKey) resort = true;
            }
        }
        table.dataset.liveUpdates = String((+table.dataset.liveUpdates || 0) + 1);
        if (resort) {
            sortRows();
            queueRender();
            return;
        }
        const rendered = new Map([...tbody.rows].filter(tr => tr.dataset.symbol).map(tr => [tr.dataset.symbol, tr]));
        for (const [r, k, dir] of moved) {
            const tr = rendered.get(r.symbol);
            const col = visible.indexOf(k);
            if (!tr || col < 0) continue;
            const td = tr.cells[col + 1];
            const c = byKey.get(k);
            td.textContent = cell(c.kind, r[k]);
            if (toned(c)) td.className = 'num ' + tone(r[k]);
            if (dir && td.animate) {
                td.animate([{ backgroundColor: dir === 'up' ? 'rgba(38,194,129,.28)' : 'rgba(240,80,110,.28)' }, { backgroundColor: 'transparent' }], { duration: 700, easing: 'ease-out' });
            }
        }
    });
    // Membership: the filter's rows again from the Gateway; new symbols join (flashed), departed ones leave,
    // every field of the others is refreshed (indicator columns included); sort and scroll position are kept.
    const coinsQuery = table.dataset.coinsQuery || '';
    const refreshMs = Math.max(1000, +table.dataset.refreshMs || 15000);
    async function refreshRows() {
        if (document.visibilityState !== 'visible') return;
        let page;
        try {
            page = await api('/api/coins' + coinsQuery);
        } catch {
            return;   // the connection line says when the Gateway is gone; the next round tries again
        }
        if (!Array.isArray(page?.data)) return;
        const fresh = new Map(page.data.map(r => [r.symbol, r]));
        const joined = new Set();
        for (const symbol of [...index.keys()]) {
            if (!fresh.has(symbol)) index.delete(symbol);
        }
        for (const [symbol, r] of fresh) {
            const known = index.get(symbol);
            if (known) {
                Object.assign(known, r);
            } else {
                index.set(symbol, r);
                joined.add(symbol);
            }
        }
        rows = [...index.values()];
        sortRows();
        renderBody();
        for (const symbol of joined) {
            const tr = tbody.querySelector(`tr[data-symbol="${CSS.escape(symbol)}"]`);
            tr?.animate?.([{ backgroundColor: 'rgba(91,141,239,.35)' }, { backgroundColor: 'transparent' }], { duration: 1500, easing: 'ease-out' });
        }
        table.dataset.refreshes = String((+table.dataset.refreshes || 0) + 1);
    }
    setInterval(refreshRows, refreshMs);

    onStatus((state, detail) => {
        panelMessage(scroller.parentElement.querySelector('.screener-status') || ensureStatus(scroller),
            state === 'closed' ? `Live updates paused (${detail || 'gateway not reachable'}); reconnecting…` : null);
    });

    sortRows();
    renderHead();
    renderBody();
}

function ensureStatus(scroller) {
    const div = document.createElement('div');
    div.className = 'screener-status';
    scroller.before(div);
    return div;
}

function initPresets() {
    const select = document.getElementById('preset-select');
    const form = document.getElementById('filter-form');
    if (!select || !form) return;
    const load = () => { try { return JSON.parse(localStorage.getItem(PRESETS_KEY) || '{}'); } catch { return {}; } };
    const fill = () => {
        const presets = load();
        select.innerHTML = '<option value="">Saved presets…</option>' + Object.keys(presets).sort()
            .map(n => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join('');
    };
    fill();
    select.addEventListener('change', () => {
        const q = load()[select.value];
        if (q !== undefined) location.search = q;
    });
    document.getElementById('preset-save').addEventListener('click', () => {
        const name = (prompt('Name of this filter preset:') || '').trim();
        if (!name) return;
        const params = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (String(v).trim() !== '') params.set(k, String(v).trim());
        const presets = load();
        presets[name] = params.toString();
        localStorage.setItem(PRESETS_KEY, JSON.stringify(presets));
        fill();
        select.value = name;
    });
    document.getElementById('preset-delete').addEventListener('click', () => {
        const presets = load();
        if (!select.value || !(select.value in presets)) return;
        delete presets[select.value];
        localStorage.setItem(PRESETS_KEY, JSON.stringify(presets));
        fill();
    });
}
