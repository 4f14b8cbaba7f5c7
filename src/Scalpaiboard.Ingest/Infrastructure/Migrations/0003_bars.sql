-- Every closed 4h/8h/1d bar per symbol: the seeds from before the 1m history (simulated, or Binance 4h klines) and
-- the bars the engine closed while running (aggregated from the 1m candles exactly as the engine builds them). A
-- restart seeds the engine's higher-timeframe indicators from here, so they survive the 1m retention. Doubles, so
-- the values read back bit for bit.
CREATE TABLE IF NOT EXISTS bars (
    symbol text NOT NULL,
    timeframe text NOT NULL,
    open_time bigint NOT NULL,
    open double precision NOT NULL,
    high double precision NOT NULL,
    low double precision NOT NULL,
    close double precision NOT NULL,
    volume double precision NOT NULL,
    quote_volume double precision NOT NULL,
    trades bigint NOT NULL,
    taker_buy_volume double precision NOT NULL DEFAULT 0,
    taker_buy_quote_volume double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (symbol, timeframe, open_time)
);
