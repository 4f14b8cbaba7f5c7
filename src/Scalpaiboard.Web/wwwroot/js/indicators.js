// Indicators computed in the browser from the chart's candles (same definitions as the market engine:
// EMA seeded with the SMA, Bollinger with population deviation, Wilder's RSI, MACD 12/26/9).
// Each returns an array aligned with the input, null during warm-up.
export function ema(values, n) {
    const out = new Array(values.length).fill(null);
    if (values.length < n) return out;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i];
    let prev = sum / n;
    out[n - 1] = prev;
    const k = 2 / (n + 1);
    for (let i = n; i < values.length; i++) {
        prev = values[i] * k + prev * (1 - k);
        out[i] = prev;
    }
    return out;
}

export function bollinger(values, n = 20, mult = 2) {
    const upper = new Array(values.length).fill(null), middle = upper.slice(), lower = upper.slice();
    for (let i = n - 1; i < values.length; i++) {
        let s = 0;
        for (let j = i - n + 1; j <= i; j++) s += values[j];
        const mean = s / n;
        let v = 0;
        for (let j = i - n + 1; j <= i; j++) v += (values[j] - mean) ** 2;
        const sd = Math.sqrt(v / n);
        middle[i] = mean; upper[i] = mean + mult * sd; lower[i] = mean - mult * sd;
    }
    return { upper, middle, lower };
}

export function rsi(values, n = 14) {
    const out = new Array(values.length).fill(null);
    if (values.length <= n) return out;
    let gain = 0, loss = 0;
    for (let i = 1; i <= n; i++) {
        const d = values[i] - values[i - 1];
        if (d > 0) gain += d; else loss -= d;
    }
    gain /= n; loss /= n;
    out[n] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    for (let i = n + 1; i < values.length; i++) {
        const d = values[i] - values[i - 1];
        gain = (gain * (n - 1) + Math.max(d, 0)) / n;
        loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
        out[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    }
    return out;
}

export function macd(values, fast = 12, slow = 26, signal = 9) {
    const f = ema(values, fast), s = ema(values, slow);
    const line = values.map((_, i) => f[i] !== null && s[i] !== null ? f[i] - s[i] : null);
    const start = line.findIndex(v => v !== null);
    const sig = new Array(values.length).fill(null);
    if (start >= 0) {
        const tail = ema(line.slice(start), signal);
        for (let i = 0; i < tail.length; i++) sig[start + i] = tail[i];
    }
    const hist = line.map((v, i) => v !== null && sig[i] !== null ? v - sig[i] : null);
    return { line, signal: sig, hist };
}
