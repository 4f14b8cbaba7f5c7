// Number formatting, mirroring Services/Format.cs so live cells look like server-rendered ones.
export function price(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    if (v >= 1000) return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    if (v >= 1) return trimTo(v, 2, 4);
    if (v >= 0.01) return trimTo(v, 2, 6);
    return trimTo(v, 2, 8);
}
function trimTo(v, min, max) {
    let s = v.toFixed(max);
    const dot = s.indexOf('.');
    let end = s.length;
    while (end > dot + 1 + min && s[end - 1] === '0') end--;
    return s.slice(0, end);
}
export function pct(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    return (v > 0 ? '+' : '') + v.toFixed(2) + '%';
}
export function volume(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    if (v >= 1e9) return (v / 1e9).toFixed(2) + 'B';
    if (v >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'K';
    return v.toFixed(0);
}
export function num(v, decimals = 2) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
export function significant(v, digits = 4) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    if (v === 0) return '0';
    const decimals = Math.min(10, Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(v)))));
    return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
export function compact(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + 'B';
    if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (a >= 1e3) return (v / 1e3).toFixed(1) + 'K';
    return v.toFixed(0);
}
export function funding(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    return (v * 100).toFixed(4) + ' %';
}
export function countdown(untilMs, nowMs = Date.now()) {
    if (untilMs === null || untilMs === undefined || !Number.isFinite(untilMs)) return '–';
    const s = Math.max(0, Math.floor((untilMs - nowMs) / 1000));
    const pad = n => String(n).padStart(2, '0');
    return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}
// A trend direction (SuperTrend's): +1 up, -1 down (Format.Trend on the server).
export function trend(v) {
    return v > 0 ? '▲ up' : v < 0 ? '▼ down' : '–';
}
export function tone(v) {
    return v > 0 ? 'up' : v < 0 ? 'down' : 'flat';
}
export function cell(kind, v) {
    switch (kind) {
        case 'price': return price(v);
        case 'percent': return pct(v);
        case 'volume': return volume(v);
        case 'count': return v === null || v === undefined ? '–' : num(v, 0);
        case 'significant': return significant(v);
        case 'compact': return compact(v);
        case 'funding': return funding(v);
        case 'countdown': return countdown(v);
        case 'trend': return trend(v);
        default: return num(v, 2);
    }
}
export const presetNames = {
    futures_big_bull_60: '60 Big Bull', futures_big_bear_60: '60 Big Bear', futures_pioneer_bull: 'Pioneer Bull',
    futures_pioneer_bear: 'Pioneer Bear', futures_5_big_bull: '5 Big Bull', futures_5_big_bear: '5 Big Bear',
    futures_15_big_bull: '15 Big Bull', futures_15_big_bear: '15 Big Bear', futures_bottom_hunter: 'Bottom Hunter',
    futures_top_hunter: 'Top Hunter',
};
export function presetTone(type) {
    return /bull|bottom/.test(type) ? 'up' : /bear|top/.test(type) ? 'down' : 'flat';
}
export function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
export function pricePrecision(p) {
    if (!Number.isFinite(p) || p <= 0) return 2;
    if (p >= 1000) return 2;
    if (p >= 10) return 3;
    if (p >= 1) return 4;
    if (p >= 0.01) return 5;
    return 8;
}
