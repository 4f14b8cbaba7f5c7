// Candle charts on lightweight-charts (npm, copied to /lib at build time): the coin page's full chart with
// overlays, indicator panes and signal markers, and the dashboard's mini charts. Live bars come from
// /ws `candles:<SYMBOL>:<tf>`; the container's data-last-close / data-last-time / data-updates show the last bar.
import { createChart, CandlestickSeries, HistogramSeries, LineSeries, createSeriesMarkers, ColorType, CrosshairMode } from 'lightweight-charts';
import { api } from './gateway.js';
import { subscribe } from './live.js';
import { ema, bollinger, rsi, macd } from './indicators.js';
import { presetNames, pricePrecision } from './format.js';

export const TF_MS = { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '4h': 14400e3, '8h': 28800e3, '1d': 86400e3 };
const UP = '#26c281', DOWN = '#f0506e';

function baseOptions(mini) {
    return {
        autoSize: true,
        layout: {
            background: { type: ColorType.Solid, color: '#0f151f' }, textColor: '#7d8ca1', fontSize: mini ? 10 : 11,
            panes: { separatorColor: '#223044', separatorHoverColor: '#2c3d55', enableResize: true },
            attributionLogo: true,
        },
        grid: { vertLines: { color: '#161f2c' }, horzLines: { color: '#161f2c' } },
        crosshair: { mode: mini ? CrosshairMode.Magnet : CrosshairMode.Normal },
        rightPriceScale: { borderColor: '#223044' },
        timeScale: { borderColor: '#223044', timeVisible: true, secondsVisible: false, rightOffset: mini ? 2 : 6 },
        handleScroll: !mini, handleScale: !mini,
    };
}

const toBar = c => ({ time: Math.floor(c.openTime / 1000), open: c.open, high: c.high, low: c.low, close: c.close });
const toVol = c => ({ time: Math.floor(c.openTime / 1000), value: c.volume, color: c.close >= c.open ? 'rgba(38,194,129,.35)' : 'rgba(240,80,110,.35)' });

/**
 * Creates a candle chart in `el`. Options: symbol, tf, mini (no panes/overlays), overlays {ema20, ema50, bb},
 * trade {entry, exit, side} (a backtest trade: the bars around it, entry/exit markers, no live bars),
 * onStatus(text|null). Returns { setTimeframe, setOverlays, setSignals, addSignal, destroy }.
 */
export function candleChart(el, { symbol, tf, mini = false, overlays = { ema20: true, ema50: true, bb: true, signals: true }, trade = null, onStatus = () => {} }) {
    const chart = createChart(el, baseOptions(mini));
    const candles = chart.addSeries(CandlestickSeries, { upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN });
    const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'vol', lastValueVisible: false, priceLineVisible: false });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    const line = (color, width = 1, pane = 0) => chart.addSeries(LineSeries, { color, lineWidth: width, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false }, pane);
    let o = null;
    if (!mini) {
        o = {
            ema20: line('#f0b429'), ema50: line('#7c5cff'),
            bbU: line('rgba(58,160,255,.7)'), bbM: line('rgba(58,160,255,.35)'), bbL: line('rgba(58,160,255,.7)'),
            rsi: line('#b9a8ff', 1.5, 1),
            macd: line('#3aa0ff', 1.5, 2), macdSig: line('#f0b429', 1, 2),
            hist: chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, 2),
        };
        o.rsi.createPriceLine({ price: 70, color: 'rgba(240,80,110,.5)', lineStyle: 2, lineWidth: 1, axisLabelVisible: false });
        o.rsi.createPriceLine({ price: 30, color: 'rgba(38,194,129,.5)', lineStyle: 2, lineWidth: 1, axisLabelVisible: false });
        // Price 64 %, RSI 16 %, MACD 20 % of the height, whatever size the container gets.
        const panes = chart.panes();
        panes[0]?.setStretchFactor(0.64);
        panes[1]?.setStretchFactor(0.16);
        panes[2]?.setStretchFactor(0.2);
    }
    const markers = createSeriesMarkers(candles, []);
    let bars = [];
    let signals = [];
    let unsubscribe = null;
    let loadToken = 0;
    let updates = 0;

    function indicatorData() {
        const closes = bars.map(b => b.close);
        const t = bars.map(b => b.time);
        const series = arr => arr.map((v, i) => v === null ? { time: t[i] } : { time: t[i], value: v });
        const bb = bollinger(closes);
        const m = macd(closes);
        return {
            ema20: series(ema(closes, 20)), ema50: series(ema(closes, 50)),
            bbU: series(bb.upper), bbM: series(bb.middle), bbL: series(bb.lower),
            rsi: series(rsi(closes)), macd: series(m.line), macdSig: series(m.signal),
            hist: m.hist.map((v, i) => v === null ? { time: t[i] } : { time: t[i], value: v, color: v >= 0 ? 'rgba(38,194,129,.6)' : 'rgba(240,80,110,.6)' }),
        };
    }

    function applyIndicators(full) {
        if (!o) return;
        const d = indicatorData();
        for (const k of Object.keys(d)) {
            if (full) o[k].setData(d[k]);
            else if (d[k].length) o[k].update(d[k][d[k].length - 1]);
        }
        applyOverlayVisibility();
    }

    function applyOverlayVisibility() {
        if (!o) return;
        o.ema20.applyOptions({ visible: !!overlays.ema20 });
        o.ema50.applyOptions({ visible: !!overlays.ema50 });
        for (const k of ['bbU', 'bbM', 'bbL']) o[k].applyOptions({ visible: !!overlays.bb });
        renderMarkers();
    }

    // A trade's entry and exit are the closes of 1m candles: entry/exit time - 1 min is the candle, then its bar.
    function tradeMarkers() {
        if (!trade || bars.length === 0) return [];
        const step = TF_MS[tf];
        const barOf = t => Math.floor(Math.floor((t - 60e3) / step) * step / 1000);
        const long = trade.side === 'long';
        const list = [
            { time: barOf(trade.entry), position: long ? 'belowBar' : 'aboveBar', color: '#3aa0ff', shape: long ? 'arrowUp' : 'arrowDown', text: `${trade.side} entry` },
            { time: barOf(trade.exit), position: long ? 'aboveBar' : 'belowBar', color: '#f0b429', shape: 'circle', text: 'exit' },
        ];
        return list.filter(m => m.time >= bars[0].time && m.time <= bars[bars.length - 1].time);
    }

    function renderMarkers() {
        const traded = tradeMarkers();
        el.dataset.tradeMarkers = String(traded.length);
        if (!overlays.signals || bars.length === 0) { markers.setMarkers(traded); el.dataset.markers = el.dataset.markedSignals = '0'; return; }
        const step = TF_MS[tf];
        const first = bars[0].time, lastT = bars[bars.length - 1].time;
        // One marker per bar and direction: on 4h..1d bars a busy day holds dozens of signals, and a marker each
        // would stack into an unreadable column. The marker names the latest signal and counts the others.
        const groups = new Map();
        for (const s of signals) {
            const time = Math.floor(Math.floor(s.openTime / step) * step / 1000);
            if (time < first || time > lastT) continue;
            const bull = /bull|bottom/.test(s.type);
            const key = time + (bull ? ':bull' : ':bear');
            const g = groups.get(key);
            if (!g) groups.set(key, { time, bull, latest: s, count: 1 });
            else { g.count++; if (s.openTime >= g.latest.openTime) g.latest = s; }
        }
        const list = [];
        for (const g of groups.values()) {
            const name = presetNames[g.latest.type] || g.latest.type;
            const text = mini ? '' : g.count === 1 ? name : `${name} +${g.count - 1}`;
            list.push({ time: g.time, position: g.bull ? 'belowBar' : 'aboveBar', color: g.bull ? UP : DOWN, shape: g.bull ? 'arrowUp' : 'arrowDown', text });
        }
        list.push(...traded);
        list.sort((a, b) => a.time - b.time);
        markers.setMarkers(list);
        el.dataset.markers = String(list.length);
        el.dataset.markedSignals = String([...groups.values()].reduce((n, g) => n + g.count, 0));
    }

    function publish(bar) {
        el.dataset.lastClose = String(bar.close);
        el.dataset.lastTime = String(bar.time * 1000);
        el.dataset.updates = String(updates);
    }

    async function load() {
        const token = ++loadToken;
        unsubscribe?.();
        unsubscribe = null;
        onStatus('loading…');
        el.dataset.ready = 'false';
        try {
            // A trade: the bars up to 100 after its exit (the exit bar's open plus 100 bars), not the latest ones.
            const until = trade ? `&to=${Math.floor((trade.exit - 60e3) / TF_MS[tf]) * TF_MS[tf] + 100 * TF_MS[tf]}` : '';
            const r = await api(`/api/coins/${encodeURIComponent(symbol)}/candles?timeframe=${tf}&limit=${mini ? 150 : 500}${until}`);
            if (token !== loadToken) return;
            const list = r.candles || [];
            bars = list.map(toBar);
            const precision = pricePrecision(bars.length ? bars[bars.length - 1].close : 1);
            candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
            candles.setData(bars);
            volume.setData(list.map(toVol));
            applyIndicators(true);
            renderMarkers();
            chart.timeScale().fitContent();
            if (trade) showTrade();
            else if (!mini && bars.length > 160) chart.timeScale().setVisibleLogicalRange({ from: bars.length - 160, to: bars.length + 5 });
            if (bars.length) publish(bars[bars.length - 1]);
            el.dataset.ready = 'true';
            onStatus(bars.length ? null : 'no candles yet');
        } catch (e) {
            if (token !== loadToken) return;
            onStatus(`Chart unavailable: ${e.message}`);
            el.dataset.ready = 'error';
        }
        // Live bars; frames for an older timeframe are ignored. A past trade's chart stays where it is.
        if (trade) return;
        const channel = `candles:${symbol}:${tf}`;
        unsubscribe = subscribe(channel, frame => {
            if (token !== loadToken) return;
            const c = frame.data?.candle;
            if (!c) return;
            const bar = toBar(c);
            const last = bars[bars.length - 1];
            if (last && bar.time < last.time) return;
            if (last && bar.time === last.time) bars[bars.length - 1] = bar;
            else bars.push(bar);
            candles.update(bar);
            volume.update(toVol(c));
            applyIndicators(false);
            updates++;
            publish(bar);
        });
    }

    // The trade's bars with 30 bars of context either side.
    function showTrade() {
        const times = tradeMarkers().map(m => m.time);
        if (times.length === 0) return;
        const index = t => bars.findIndex(b => b.time >= t);
        const from = Math.max(0, index(Math.min(...times)) - 30);
        const to = index(Math.max(...times)) + 30;
        chart.timeScale().setVisibleLogicalRange({ from, to });
    }

    load();

    return {
        setTimeframe(next) { if (next !== tf && TF_MS[next]) { tf = next; el.dataset.tf = tf; load(); } },
        setOverlays(next) { overlays = { ...overlays, ...next }; applyOverlayVisibility(); },
        setSignals(list) { signals = list.slice(); renderMarkers(); },
        addSignal(s) { signals.push(s); renderMarkers(); },
        destroy() { loadToken++; unsubscribe?.(); chart.remove(); },
        // For modules that add panes or markers of their own (derivatives.js): the chart and its candle series.
        chart, series: candles,
    };
}
