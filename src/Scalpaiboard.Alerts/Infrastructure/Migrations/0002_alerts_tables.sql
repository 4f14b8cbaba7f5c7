-- Preset and system signals. Identity (symbol, type, open_time): replays and redelivery never duplicate.
CREATE TABLE IF NOT EXISTS signals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol      text             NOT NULL,
    type        text             NOT NULL,
    open_time   bigint           NOT NULL,
    price       double precision NOT NULL,
    metrics     jsonb            NOT NULL,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT signals_identity UNIQUE (symbol, type, open_time)
);
CREATE INDEX IF NOT EXISTS signals_open_time ON signals (open_time DESC, id DESC);

-- The last closed candle seen per symbol (stale-data watchdog, symbol directory, watchlist prices).
CREATE TABLE IF NOT EXISTS symbol_feed (
    symbol          text             PRIMARY KEY,
    last_open_time  bigint           NOT NULL,
    last_price      double precision NOT NULL,
    updated_at      timestamptz      NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_alerts (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                    text        NOT NULL,
    symbol                     text        NOT NULL,
    conditions                 jsonb       NOT NULL,
    recurring                  boolean     NOT NULL,
    cooldown_minutes           integer     NOT NULL,
    note                       text        NOT NULL DEFAULT '',
    enabled                    boolean     NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    last_triggered_open_time   bigint,
    last_triggered_at          timestamptz,
    trigger_count              integer     NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS user_alerts_user ON user_alerts (user_id, id);
CREATE INDEX IF NOT EXISTS user_alerts_enabled ON user_alerts (symbol) WHERE enabled;

CREATE TABLE IF NOT EXISTS alert_triggers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id    bigint           NOT NULL REFERENCES user_alerts (id) ON DELETE CASCADE,
    user_id     text             NOT NULL,
    symbol      text             NOT NULL,
    open_time   bigint           NOT NULL,
    price       double precision NOT NULL,
    metrics     jsonb            NOT NULL,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT alert_triggers_identity UNIQUE (alert_id, open_time)
);

CREATE TABLE IF NOT EXISTS user_settings (
    user_id                    text        PRIMARY KEY,
    preset_subscriptions       text[]      NOT NULL DEFAULT '{}',
    symbol_filter              text[]      NOT NULL DEFAULT '{}',
    notify_preset_signals      boolean     NOT NULL DEFAULT true,
    notify_user_alerts         boolean     NOT NULL DEFAULT true,
    max_notifications_per_hour integer,
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_webhooks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text        NOT NULL,
    kind        text        NOT NULL,
    url         text        NOT NULL,
    secret      text,
    chat_id     text,
    name        text        NOT NULL DEFAULT '',
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS user_webhooks_user ON user_webhooks (user_id);

CREATE TABLE IF NOT EXISTS watchlist (
    user_id      text             NOT NULL,
    symbol       text             NOT NULL,
    added_price  double precision,
    added_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, symbol)
);

-- Notification outbox: one row per (target, message), written in the transaction of the signal/trigger.
-- status: pending -> sending -> delivered | pending (retry) | dead; held = over the user's hourly budget,
-- later folded into a digest (digested).
CREATE TABLE IF NOT EXISTS outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target           text        NOT NULL,
    user_id          text,
    webhook_id       bigint,
    kind             text        NOT NULL,
    message_kind     text        NOT NULL,
    message_id       text        NOT NULL,
    ref_id           bigint,
    payload          json        NOT NULL,
    status           text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    digest_id        bigint,
    CONSTRAINT outbox_identity UNIQUE (target, message_id)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_user ON outbox (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_ref ON outbox (message_kind, ref_id);
CREATE INDEX IF NOT EXISTS outbox_target_recent ON outbox (target, created_at);
