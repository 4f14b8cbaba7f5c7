-- Conversations, provider entries (API keys protected with ASP.NET Core Data Protection), usage, exports,
-- and the Data Protection key ring itself.
CREATE TABLE ai.conversations (
    id uuid PRIMARY KEY,
    user_id text NOT NULL,
    title text NOT NULL,
    provider text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX conversations_user_idx ON ai.conversations (user_id, updated_at DESC);

CREATE TABLE ai.messages (
    id bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES ai.conversations (id) ON DELETE CASCADE,
    role text NOT NULL,
    content text,
    tool_calls jsonb,
    tool_call_id text,
    tool_name text,
    status text NOT NULL DEFAULT 'ok',
    error text,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX messages_conversation_idx ON ai.messages (conversation_id, id);

CREATE TABLE ai.providers (
    id uuid PRIMARY KEY,
    user_id text NOT NULL,
    name text NOT NULL,
    preset text NOT NULL,
    base_url text,
    model text,
    api_key_protected text,
    key_hint text,
    monthly_budget numeric(18, 6),
    input_price_per_1m numeric(18, 6),
    output_price_per_1m numeric(18, 6),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX providers_user_idx ON ai.providers (user_id);

CREATE TABLE ai.usage_daily (
    user_id text NOT NULL,
    provider text NOT NULL,
    day date NOT NULL,
    requests integer NOT NULL DEFAULT 0,
    failed_requests integer NOT NULL DEFAULT 0,
    prompt_tokens bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    cost numeric(18, 8) NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, provider, day));

CREATE TABLE ai.exports (
    id uuid PRIMARY KEY,
    user_id text NOT NULL,
    conversation_id uuid,
    format text NOT NULL,
    file_name text NOT NULL,
    content text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE ai.data_protection_keys (
    friendly_name text PRIMARY KEY,
    xml text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
