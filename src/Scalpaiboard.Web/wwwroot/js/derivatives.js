// The coin page's derivatives (DERIVATIVES.md) on the price chart: an open-interest pane and a funding pane added
// to the chart itself, so they share its time scale, and liquidation markers on the candles (long liquidations
// below the bar, short above, sized by notional). Data: GET /api/coins/{symbol}/derivatives?from=&to= for the bars
// on the chart, again when the timeframe changes and when new bars arrive.
//
// Every bar gets the latest 5-minute sample at or before its close (how DERIVATIVES.md defines the values at a
// close), so the panes have exactly the chart's bars and never add times of their own; a bar's liquidations are
// those of the 5-minute windows that end inside it.
import { AreaSeries, HistogramSeries, createSeriesMarkers } from 'lightweight-charts';
import { api } from './gateway.js';
import { TF_MS } from './chart.js';
import { compact, countdown } from './format.js';

const SAMPLE_MS = 300_000;       // the endpoint's step
const MAX_POINTS = 3000;         // the endpoint's cap per request
const REFRESH_MS = 60_000;       // new bars ask again at most this often
const OI = '#5b8def', LONG_LIQ = '#ff9f43', SHORT_LIQ = '#38c6f4', UP = 'rgba(38,194,129,.75)', DOWN = 'rgba(240,80,110,.75)';

/**
 * Adds the panes and markers to a chart made by candleChart (chart.js): `handle.chart` and `handle.series` are
 * the chart and its candle series, `el` the chart's container (its data-tf is the current timeframe).
 * The #derivatives strip holds the symbol, the status line and the test hooks.
 */
export function attachDerivatives(el, handle) {
    const box = document.getElementById('derivatives');
    if (!box || !handle?.chart || !handle.series) return;
    const symbol = box.dataset.symbol;
    const status = document.getElementById('derivatives-status');
    const { chart, series: candles } = handle;
    let oi = null, funding = null, markers = null;
    let loadToken = 0, lastFetch = 0, lastBar = null, queued = false;
    let newest = null;   // the newest sample: a live bar carries it until the next request brings newer ones

    const say = text => { if (status) { status.textContent = text || ''; status.classList.toggle('warn', !!text && text.includes('unavailable')); } };

    function ensurePanes() {
        if (oi) return;
        const existing = chart.panes();
        const index = existing.length;
        oi = chart.addSeries(AreaSeries, {
            lineColor: OI, topColor: 'rgba(91,141,239,.32)', bottomColor: 'rgba(91,141,239,.02)', lineWidth: 2,
            priceFormat: { type: 'volume' }, priceLineVisible: false, title: 'OI', crosshairMarkerVisible: false,
        }, index);
        funding = chart.addSeries(HistogramSeries, {
            priceFormat: { type: 'custom', formatter: v => v.toFixed(4) + ' %', minMove: 0.0001 }, priceLineVisible: false, title: 'Funding',
        }, index + 1);
        funding.createPriceLine({ price: 0, color: '#2c3d55', lineWidth: 1, lineStyle: 2, axisLabelVisible: false });
        // The existing panes keep their proportions in 70 % of a taller container; each new pane gets 15 %.
        el.classList.add('with-derivatives');
        const panes = chart.panes();
        for (let i = 0; i < index; i++) panes[i].setStretchFactor(panes[i].getStretchFactor() * 0.7);
        panes[index].setStretchFactor(0.15);
        panes[index + 1].setStretchFactor(0.15);
        markers = createSeriesMarkers(candles, []);
    }

    async function load() {
        const bars = candles.data();
        const step = TF_MS[el.dataset.tf];
        if (!bars.length || !step) return;
        const token = ++loadToken;
        const to = bars[bars.length - 1].time * 1000 + step;
        // One sample before the first bar gives it a value; long ranges (daily bars) keep the newest samples.
        const from = Math.max(bars[0].time * 1000 - SAMPLE_MS, to - (MAX_POINTS - 1) * SAMPLE_MS);
        lastFetch = Date.now();
        let response;
        try {
            response = await api(`/api/coins/${encodeURIComponent(symbol)}/derivatives?from=${from}&to=${to}`);
        } catch (e) {
            if (token !== loadToken) return;
            say(`Derivatives unavailable: ${e.message}`);
            box.dataset.ready = 'error';
            return;
        }
        if (token !== loadToken) return;
        render(candles.data(), step, response?.points || []);
    }

    function render(bars, step, points) {
        box.dataset.points = String(points.length);
        newest = points.length ? points[points.length - 1] : null;
        if (!points.length) {
            oi?.setData([]);
            funding?.setData([]);
            markers?.setMarkers([]);
            Object.assign(box.dataset, { ready: 'true', oiBars: '0', fundingBars: '0', liquidationMarkers: '0' });
            say('No open interest or funding for this range yet.');
            return;
        }
        ensurePanes();
        const oiData = [], fundingData = [], liquidations = [];
        let latest = -1;     // the last sample at or before the bar's close
        let next = 0;        // the first sample not yet counted for liquidations
        let tracked = false;
        for (const b of bars) {
            const open = b.time * 1000, close = open + step;
            while (latest + 1 < points.length && points[latest + 1].time <= close) latest++;
            const p = latest >= 0 ? points[latest] : null;
            oiData.push(Number.isFinite(p?.openInterestValue) ? { time: b.time, value: p.openInterestValue } : { time: b.time });
            fundingData.push(Number.isFinite(p?.fundingRate)
                ? { time: b.time, value: p.fundingRate * 100, color: p.fundingRate >= 0 ? UP : DOWN }
                : { time: b.time });
            let long = 0, short = 0;
            while (next < points.length && points[next].time <= open) next++;
            for (; next < points.length && points[next].time <= close; next++) {
                const q = points[next];
                if (Number.isFinite(q.liquidationsLong)) { long += q.liquidationsLong; tracked = true; }
                if (Number.isFinite(q.liquidationsShort)) { short += q.liquidationsShort; tracked = true; }
            }
            if (long > 0) liquidations.push({ time: b.time, long: true, value: long });
            if (short > 0) liquidations.push({ time: b.time, long: false, value: short });
        }
        oi.setData(oiData);
        funding.setData(fundingData);

        const biggest = liquidations.reduce((m, l) => Math.max(m, l.value), 0);
        markers.setMarkers(liquidations.map(l => {
            const share = Math.sqrt(l.value / biggest);
            return {
                time: l.time, position: l.long ? 'belowBar' : 'aboveBar', shape: 'circle', color: l.long ? LONG_LIQ : SHORT_LIQ,
                size: 0.6 + 2.4 * share, text: share >= 0.7 ? compact(l.value) : '',
            };
        }));
        const plotted = oiData.filter(d => d.value !== undefined);
        Object.assign(box.dataset, {
            oiBars: String(plotted.length),
            fundingBars: String(fundingData.filter(d => d.value !== undefined).length),
            liquidationMarkers: String(liquidations.length),
            lastTime: plotted.length ? String(plotted[plotted.length - 1].time * 1000) : '',
        });
        say(tracked ? '' : 'No liquidations from this feed.');
        // The chart draws in the next frame (its callback was queued first); the panes' elements exist from then
        // on and get their names (for tests), and the drawing is done when data-ready says so.
        requestAnimationFrame(() => {
            oi.getPane().getHTMLElement()?.setAttribute('data-pane', 'open-interest');
            funding.getPane().getHTMLElement()?.setAttribute('data-pane', 'funding');
            box.dataset.ready = 'true';
        });
    }

    // A new live bar: the panes get the newest sample's values at once (the bar's value until newer samples come).
    function extend(time) {
        if (!oi || !newest) return;
        if (Number.isFinite(newest.openInterestValue)) {
            oi.update({ time, value: newest.openInterestValue });
            box.dataset.oiBars = String(+box.dataset.oiBars + 1);
            box.dataset.lastTime = String(time * 1000);
        }
        if (Number.isFinite(newest.fundingRate)) {
            funding.update({ time, value: newest.fundingRate * 100, color: newest.fundingRate >= 0 ? UP : DOWN });
            box.dataset.fundingBars = String(+box.dataset.fundingBars + 1);
        }
    }

    function queueLoad() {
        if (queued) return;
        queued = true;
        setTimeout(() => { queued = false; load(); }, 0);
    }

    // 'full': new bars (first load, another timeframe); 'update': a live bar, and a new one now and then.
    candles.subscribeDataChanged(scope => {
        const bars = candles.data();
        const last = bars.length ? bars[bars.length - 1].time : null;
        if (scope === 'full') queueLoad();
        else if (last !== null && lastBar !== null && last > lastBar) {
            extend(last);
            if (Date.now() - lastFetch >= REFRESH_MS) queueLoad();
        }
        lastBar = last;
    });
    const initial = candles.data();
    if (initial.length) {
        lastBar = initial[initial.length - 1].time;
        queueLoad();
    }

    setInterval(() => {
        const now = Date.now();
        for (const span of box.querySelectorAll('[data-until]')) span.textContent = countdown(+span.dataset.until, now);
    }, 1000);
}
