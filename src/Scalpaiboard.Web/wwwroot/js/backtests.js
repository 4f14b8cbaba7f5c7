// /backtests: a queued or running backtest's progress, polled from the Gateway (GET /api/backtests/{id}) until it is
// done, then the page reloads to show the results; a finished one's equity curve and drawdown drawn with
// lightweight-charts from the points the server rendered into the page (#backtest-equity).
import { createChart, BaselineSeries, AreaSeries, ColorType } from 'lightweight-charts';
import { api, panelMessage } from './gateway.js';
import { num } from './format.js';

const UP = '#26c281', DOWN = '#f0506e';
const POLL_MS = 500;

export function init(run) {
    const progress = run.querySelector('#backtest-progress');
    if (progress) poll(progress);
    const chart = run.querySelector('#equity-chart');
    if (chart) drawEquity(chart);
}

function poll(box) {
    const id = box.dataset.id;
    const bar = box.querySelector('.progress i');
    const percent = box.querySelector('#backtest-percent');
    const status = box.querySelector('#backtest-status');
    const candles = box.querySelector('#backtest-candles');
    let polls = 0;
    let failures = 0;
    let timer = 0;
    // Cancelling deletes the backtest: stop asking for it (a request still on its way would find it gone).
    const stop = new AbortController();
    box.querySelector('form')?.addEventListener('submit', () => { clearTimeout(timer); stop.abort(); });
    const tick = async () => {
        try {
            const b = await api(`/api/backtests/${encodeURIComponent(id)}`, { auth: true, signal: stop.signal });
            failures = 0;
            const p = Math.max(0, Math.min(1, Number(b.progress) || 0));
            bar.style.width = (p * 100).toFixed(1) + '%';
            percent.textContent = (p * 100).toFixed(0) + '%';
            status.textContent = b.status;
            candles.textContent = `${num(b.candlesProcessed, 0)} candles`;
            box.dataset.status = b.status;
            box.dataset.progress = String(p);
            box.dataset.polls = String(++polls);
            panelMessage(box, null);
            if (b.status === 'completed' || b.status === 'failed') {
                location.reload();
                return;
            }
        } catch (e) {
            if (stop.signal.aborted) return;
            if (e.status === 404) {
                box.dataset.status = 'gone';
                panelMessage(box, 'This backtest no longer exists: it was cancelled or deleted.');
                return;
            }
            failures++;
            panelMessage(box, `Progress unavailable: ${e.message}; trying again…`);
        }
        if (!stop.signal.aborted) timer = setTimeout(tick, failures ? Math.min(10_000, POLL_MS * 2 ** failures) : POLL_MS);
    };
    tick();
}

function drawEquity(el) {
    let points = [];
    try {
        points = JSON.parse(document.getElementById('backtest-equity')?.textContent || '[]');
    } catch { /* nothing to draw */ }
    // One point per trade, [exit time ms, cumulative return %]; the chart wants one point per second, so trades that
    // exit together leave the value after the last of them.
    const equity = [];
    for (const [t, v] of points) {
        const time = Math.floor(t / 1000);
        const last = equity[equity.length - 1];
        if (last && last.time === time) last.value = v;
        else equity.push({ time, value: v });
    }
    el.dataset.points = String(equity.length);
    if (equity.length === 0) {
        panelMessage(el, 'No trades: no equity curve to draw.');
        el.dataset.ready = 'true';
        return;
    }
    // Before the first exit the equity is 0.
    equity.unshift({ time: equity[0].time - 60, value: 0 });
    let peak = 0;
    const drawdown = equity.map(p => {
        peak = Math.max(peak, p.value);
        return { time: p.time, value: p.value - peak };
    });

    const percent = { type: 'custom', minMove: 0.01, formatter: v => v.toFixed(2) + '%' };
    const chart = createChart(el, {
        autoSize: true,
        layout: {
            background: { type: ColorType.Solid, color: '#0f151f' }, textColor: '#7d8ca1', fontSize: 11,
            panes: { separatorColor: '#223044', separatorHoverColor: '#2c3d55', enableResize: true },
        },
        grid: { vertLines: { color: '#161f2c' }, horzLines: { color: '#161f2c' } },
        rightPriceScale: { borderColor: '#223044' },
        timeScale: { borderColor: '#223044', timeVisible: true, secondsVisible: false },
    });
    const curve = chart.addSeries(BaselineSeries, {
        baseValue: { type: 'price', price: 0 }, lineWidth: 2, priceFormat: percent, title: 'equity',
        topLineColor: UP, topFillColor1: 'rgba(38,194,129,.28)', topFillColor2: 'rgba(38,194,129,.04)',
        bottomLineColor: DOWN, bottomFillColor1: 'rgba(240,80,110,.04)', bottomFillColor2: 'rgba(240,80,110,.28)',
    }, 0);
    curve.setData(equity);
    const dd = chart.addSeries(AreaSeries, {
        lineColor: DOWN, lineWidth: 1, topColor: 'rgba(240,80,110,.05)', bottomColor: 'rgba(240,80,110,.45)',
        invertFilledArea: true, priceFormat: percent, title: 'drawdown',
    }, 1);
    dd.setData(drawdown);
    const panes = chart.panes();
    panes[0]?.setStretchFactor(0.7);
    panes[1]?.setStretchFactor(0.3);
    chart.timeScale().fitContent();
    el.dataset.ready = 'true';
}
