-- The data-protection key ring that encrypts users' webhook secrets and bot tokens (its keys are themselves
-- encrypted with the AppHost's key-ring certificate, kept outside the database).
CREATE TABLE data_protection_keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Secrets are stored protected from now on; secrets stored before are encrypted by the service at its next start
-- (PlaintextSecretsMigration), which then empties plain_secret and rewrites the table.
ALTER TABLE user_webhooks RENAME COLUMN secret TO plain_secret;
ALTER TABLE user_webhooks ADD COLUMN protected_secret text;
