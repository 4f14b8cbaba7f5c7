-- Retention deletes by open_time across symbols.
CREATE INDEX IF NOT EXISTS candles_1m_open_time ON candles_1m (open_time);

-- The newest candle open time whose metrics event reached the Redis stream: candles stored after it are
-- re-published on start, so a crash between the PostgreSQL commit and the XADD loses no event.
CREATE TABLE IF NOT EXISTS publish_state (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    published_open_time bigint NOT NULL
);
