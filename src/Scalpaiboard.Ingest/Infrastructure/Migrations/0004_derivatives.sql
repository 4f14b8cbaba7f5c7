-- Derivatives data (../docs/DERIVATIVES.md), kept like the candles (Ingest:RetentionDays) and read back into the
-- engine at start-up. Times are Unix ms, when the value became known. NULL = the source did not give the value.

-- 5-minute open interest and long/short ratios (Binance public-data "metrics" rows, or the REST endpoints live).
CREATE TABLE IF NOT EXISTS open_interest (
    symbol text NOT NULL,
    time bigint NOT NULL,
    open_interest double precision,
    open_interest_value double precision,
    long_short_ratio double precision,
    top_trader_long_short_ratio double precision,
    taker_buy_sell_ratio double precision,
    PRIMARY KEY (symbol, time)
);

-- Funding rates as settled (calc_time); the live stream's current rate is not stored.
CREATE TABLE IF NOT EXISTS funding_rates (
    symbol text NOT NULL,
    time bigint NOT NULL,
    rate double precision NOT NULL,
    PRIMARY KEY (symbol, time)
);

-- Forced orders: side 0 = closed a long (SELL order), 1 = closed a short (BUY order).
CREATE TABLE IF NOT EXISTS liquidations (
    symbol text NOT NULL,
    time bigint NOT NULL,
    side smallint NOT NULL,
    price double precision NOT NULL,
    quantity double precision NOT NULL,
    PRIMARY KEY (symbol, time, side, price, quantity)
);

CREATE INDEX IF NOT EXISTS open_interest_time ON open_interest (time);
CREATE INDEX IF NOT EXISTS funding_rates_time ON funding_rates (time);
CREATE INDEX IF NOT EXISTS liquidations_time ON liquidations (time);
