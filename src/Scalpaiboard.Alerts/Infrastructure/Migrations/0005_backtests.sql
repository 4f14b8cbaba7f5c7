-- Backtests run as Hangfire jobs (BACKTEST.md): the inputs, the progress while running, and the results (statistics,
-- equity curve, trades) kept Alerts:Backtests:RetentionDays after they finish.
CREATE TABLE backtests (
    id uuid PRIMARY KEY,
    user_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    inputs jsonb NOT NULL,
    progress double precision NOT NULL DEFAULT 0,
    candles_processed bigint NOT NULL DEFAULT 0,
    summary jsonb,
    equity jsonb,
    error text,
    job_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX backtests_user_created ON backtests (user_id, created_at DESC);
CREATE INDEX backtests_finished ON backtests (finished_at) WHERE finished_at IS NOT NULL;
-- One queued or running backtest per user: a second POST meets this index and answers 409.
CREATE UNIQUE INDEX backtests_one_active_per_user ON backtests (user_id) WHERE status IN ('queued', 'running');

CREATE TABLE backtest_trades (
    backtest_id uuid NOT NULL REFERENCES backtests (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    symbol text NOT NULL,
    side text NOT NULL,
    entry_time bigint NOT NULL,
    entry_price double precision NOT NULL,
    exit_time bigint NOT NULL,
    exit_price double precision NOT NULL,
    reason text NOT NULL,
    return double precision NOT NULL,
    r_multiple double precision NOT NULL,
    PRIMARY KEY (backtest_id, seq)
);
