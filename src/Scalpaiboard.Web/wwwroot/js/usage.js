// /settings: AI cost per day, stacked by provider, drawn on a canvas from GET /api/ai/usage (rendered into the page).
const COLORS = ['#3aa0ff', '#7c5cff', '#26c281', '#f0b429', '#f0506e', '#4dd0e1'];

export function init(canvas) {
    let days = [];
    try { days = JSON.parse(document.getElementById('usage-data')?.textContent || '[]'); } catch { /* empty chart */ }
    const draw = () => {
        const ratio = window.devicePixelRatio || 1;
        canvas.width = Math.max(300, Math.floor(canvas.clientWidth * ratio));
        canvas.height = Math.max(150, Math.floor(canvas.clientHeight * ratio));
        const ctx = canvas.getContext('2d');
        const W = canvas.width, H = canvas.height, pad = 34 * ratio;
        ctx.fillStyle = '#0f151f';
        ctx.fillRect(0, 0, W, H);
        ctx.font = `${11 * ratio}px ui-monospace, monospace`;
        const byDay = new Map();
        const providers = [];
        for (const d of days) {
            if (!providers.includes(d.provider)) providers.push(d.provider);
            const m = byDay.get(d.day) || new Map();
            m.set(d.provider, (m.get(d.provider) || 0) + Number(d.cost || 0));
            byDay.set(d.day, m);
        }
        const list = [...byDay.keys()].sort();
        if (list.length === 0) {
            ctx.fillStyle = '#7d8ca1';
            ctx.fillText('No assistant usage this month yet.', pad, H / 2);
            canvas.dataset.bars = '0';
            return;
        }
        const totals = list.map(d => [...byDay.get(d).values()].reduce((a, b) => a + b, 0));
        const max = Math.max(...totals, 0.0001);
        const bw = (W - pad * 2) / list.length;
        list.forEach((day, i) => {
            let y = H - pad;
            providers.forEach((p, pi) => {
                const v = byDay.get(day).get(p) || 0;
                const h = (v / max) * (H - pad * 2);
                ctx.fillStyle = COLORS[pi % COLORS.length];
                ctx.fillRect(pad + i * bw + bw * 0.15, y - h, bw * 0.7, h);
                y -= h;
            });
            if (list.length <= 16 || i % Math.ceil(list.length / 16) === 0) {
                ctx.fillStyle = '#7d8ca1';
                ctx.fillText(day.slice(5), pad + i * bw, H - pad + 14 * ratio);
            }
        });
        ctx.fillStyle = '#7d8ca1';
        ctx.fillText('$' + max.toFixed(4), 2, pad);
        providers.forEach((p, pi) => {
            ctx.fillStyle = COLORS[pi % COLORS.length];
            ctx.fillRect(W - pad - 120 * ratio, 8 * ratio + pi * 16 * ratio, 10 * ratio, 10 * ratio);
            ctx.fillStyle = '#d7e0ea';
            ctx.fillText(p, W - pad - 104 * ratio, 17 * ratio + pi * 16 * ratio);
        });
        canvas.dataset.bars = String(list.length);
    };
    draw();
    window.addEventListener('resize', draw);
}
