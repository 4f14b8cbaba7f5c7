// /coins/{SYMBOL}: the main chart with timeframe switcher, overlays and signal markers (live signals added).
// ?entry=<ms>&exit=<ms>&side=long|short (a backtest trade's link) shows the chart around that trade with its markers.
import { candleChart } from './chart.js';
import { subscribe } from './live.js';
import { panelMessage } from './gateway.js';

export function init(el) {
    const symbol = el.dataset.symbol;
    const status = document.getElementById('chart-status');
    el.querySelector('.chart-skeleton')?.remove();
    const toggles = document.getElementById('overlay-toggles');
    const overlays = {};
    for (const box of toggles?.querySelectorAll('input') || []) overlays[box.value] = box.checked;
    const query = new URLSearchParams(location.search);
    const entry = Number(query.get('entry')), exit = Number(query.get('exit'));
    const trade = entry > 0 && exit >= entry ? { entry, exit, side: query.get('side') === 'short' ? 'short' : 'long' } : null;
    const chart = candleChart(el, {
        symbol, tf: el.dataset.tf || '1m', overlays, trade,
        onStatus: text => {
            const problem = !!text && text !== 'loading…';
            if (status) { status.textContent = text || (trade ? 'backtest trade' : 'live'); status.classList.toggle('warn', problem); }
            panelMessage(el, problem ? text : null);
        },
    });
    try {
        chart.setSignals(JSON.parse(document.getElementById('coin-signals')?.textContent || '[]'));
    } catch { /* no signals block */ }
    subscribe('signals', frame => { if (frame.data?.symbol === symbol) chart.addSignal(frame.data); });
    // Open-interest and funding panes and liquidation markers, where the page has the derivatives strip.
    if (document.getElementById('derivatives')) {
        import('./derivatives.js').then(m => m.attachDerivatives(el, chart)).catch(e => console.warn('derivatives failed to start', e));
    }

    document.getElementById('tf-switch')?.addEventListener('click', e => {
        const a = e.target.closest('a[data-tf]');
        if (!a) return;
        e.preventDefault();
        for (const other of a.parentElement.children) other.classList.toggle('active', other === a);
        const url = new URL(location.href);
        url.searchParams.set('tf', a.dataset.tf);
        history.replaceState(null, '', url);
        chart.setTimeframe(a.dataset.tf);
    });
    toggles?.addEventListener('change', e => chart.setOverlays({ [e.target.value]: e.target.checked }));
}
