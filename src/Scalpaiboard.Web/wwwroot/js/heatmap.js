// Order-book heatmap on a <canvas>: each snapshot of /api/coins/{s}/orderbook (then /ws `orderbook:<SYMBOL>`)
// becomes one column at the right edge; older columns scroll left. Rows are price buckets; bids are green,
// asks red, the intensity is the bucket's size relative to the largest visible one. A line follows the mid price.
import { api } from './gateway.js';
import { subscribe, onStatus } from './live.js';
import { price as fmtPrice } from './format.js';

const COL_W = 4;
const AXIS_W = 72;

export function init(canvas) {
    const symbol = canvas.dataset.symbol;
    const status = document.getElementById('heatmap-status');
    const ctx = canvas.getContext('2d');
    const columns = [];          // { mid, levels: Map<bucketIndex, {bid, ask}> }
    let bucket = 0;              // price step of a row
    let center = 0;              // price at the vertical middle
    let rows = 0;
    let lastFrameAt = 0;
    let pollTimer = 0;

    function say(text) { if (status) status.textContent = text; }

    function resize() {
        const ratio = window.devicePixelRatio || 1;
        const w = Math.max(300, Math.floor(canvas.clientWidth * ratio));
        const h = Math.max(200, Math.floor(canvas.clientHeight * ratio));
        if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
        draw();
    }

    function chooseBucket(mid, book) {
        const prices = [...book.bids, ...book.asks].map(l => l[0]);
        const spread = Math.max(...prices) - Math.min(...prices);
        // About 100 rows over the visible book, rounded to a 1/2/5 step.
        const raw = Math.max(spread / 100, mid * 0.00005);
        const p = 10 ** Math.floor(Math.log10(raw));
        const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw) || raw;
        return book.bucket && book.bucket > 0 ? Math.max(book.bucket, step) : step;
    }

    function add(book) {
        if (!book || !Array.isArray(book.bids) || !Array.isArray(book.asks) || (book.bids.length + book.asks.length) === 0) return;
        const bestBid = book.bids.length ? Math.max(...book.bids.map(l => l[0])) : book.asks[0][0];
        const bestAsk = book.asks.length ? Math.min(...book.asks.map(l => l[0])) : bestBid;
        const mid = (bestBid + bestAsk) / 2;
        if (!bucket) bucket = chooseBucket(mid, book);
        rows = Math.floor(canvas.height / 4);
        // Recentre when the mid leaves the middle 60 % of the view.
        if (!center || Math.abs(mid - center) > bucket * rows * 0.3) center = Math.round(mid / bucket) * bucket;
        const levels = new Map();
        const put = (side, [p, q]) => {
            const i = Math.round(p / bucket);
            const cell = levels.get(i) || { bid: 0, ask: 0 };
            cell[side] += q;
            levels.set(i, cell);
        };
        for (const l of book.bids) put('bid', l);
        for (const l of book.asks) put('ask', l);
        columns.push({ mid, levels });
        const max = Math.ceil((canvas.width - AXIS_W) / COL_W);
        while (columns.length > max) columns.shift();
        canvas.dataset.columns = String(columns.length);
        canvas.dataset.mid = String(mid);
        draw();
        say(`${symbol} · ${columns.length} snapshots · step ${fmtPrice(bucket)}`);
    }

    function draw() {
        const W = canvas.width, H = canvas.height;
        ctx.fillStyle = '#05080d';
        ctx.fillRect(0, 0, W, H);
        if (!columns.length || !bucket) return;
        const rowH = H / rows;
        const topIndex = Math.round(center / bucket) + Math.floor(rows / 2);
        let maxQty = 0;
        for (const c of columns) for (const v of c.levels.values()) maxQty = Math.max(maxQty, v.bid, v.ask);
        if (maxQty <= 0) return;
        const plotW = W - AXIS_W;
        const x0 = plotW - columns.length * COL_W;
        columns.forEach((c, ci) => {
            const x = x0 + ci * COL_W;
            for (const [i, v] of c.levels) {
                const r = topIndex - i;
                if (r < 0 || r >= rows) continue;
                const y = r * rowH;
                if (v.bid > 0) {
                    ctx.fillStyle = `rgba(38,194,129,${(0.12 + 0.88 * Math.sqrt(v.bid / maxQty)).toFixed(3)})`;
                    ctx.fillRect(x, y, COL_W, Math.max(1, rowH));
                }
                if (v.ask > 0) {
                    ctx.fillStyle = `rgba(240,80,110,${(0.12 + 0.88 * Math.sqrt(v.ask / maxQty)).toFixed(3)})`;
                    ctx.fillRect(x, y, COL_W, Math.max(1, rowH));
                }
            }
        });
        // Mid-price trail
        ctx.strokeStyle = 'rgba(230,236,245,.85)';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        columns.forEach((c, ci) => {
            const y = (topIndex - c.mid / bucket + 0.5) * rowH;
            if (ci === 0) ctx.moveTo(x0 + ci * COL_W, y); else ctx.lineTo(x0 + ci * COL_W + COL_W, y);
        });
        ctx.stroke();
        // Price axis
        ctx.fillStyle = '#0f151f';
        ctx.fillRect(plotW, 0, AXIS_W, H);
        ctx.fillStyle = '#7d8ca1';
        const font = Math.round(10 * (window.devicePixelRatio || 1));
        ctx.font = `${font}px ui-monospace, monospace`;
        ctx.textBaseline = 'middle';
        const labelEvery = Math.max(1, Math.round(rows / 8));
        for (let r = Math.ceil(font / rowH); r < rows; r += labelEvery) {
            const y = r * rowH + rowH / 2;
            if (y > H - font / 2) break;
            ctx.fillText(fmtPrice((topIndex - r) * bucket), plotW + 6, y);
        }
    }

    async function poll() {
        try {
            add(await api(`/api/coins/${encodeURIComponent(symbol)}/orderbook?depth=100`));
        } catch (e) {
            say(`Order book unavailable: ${e.message}`);
        }
    }

    function schedulePoll() {
        clearTimeout(pollTimer);
        // Poll while the socket brings no book (e.g. reconnecting), so the heatmap keeps scrolling.
        pollTimer = setTimeout(async () => {
            if (Date.now() - lastFrameAt > 3000) await poll();
            schedulePoll();
        }, 2000);
    }

    resize();
    window.addEventListener('resize', resize);
    poll();
    subscribe(`orderbook:${symbol}`, frame => { lastFrameAt = Date.now(); add(frame.data); });
    onStatus(s => { if (s === 'closed') say('live book paused: reconnecting… (polling)'); });
    schedulePoll();
}
