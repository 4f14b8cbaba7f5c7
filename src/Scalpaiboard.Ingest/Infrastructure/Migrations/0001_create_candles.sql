CREATE TABLE IF NOT EXISTS candles_1m (
    symbol text NOT NULL,
    open_time bigint NOT NULL,
    open double precision NOT NULL,
    high double precision NOT NULL,
    low double precision NOT NULL,
    close double precision NOT NULL,
    volume double precision NOT NULL,
    quote_volume double precision NOT NULL,
    trades bigint NOT NULL,
    taker_buy_volume double precision NOT NULL,
    taker_buy_quote_volume double precision NOT NULL,
    PRIMARY KEY (symbol, open_time)
);
