-- E-mail channels are user_webhooks rows of kind 'email' (url = the address). No mail goes to an address before its
-- owner opened the confirmation link: email_confirmed_at is set then. The nonce is the one in the pending link; it is
-- cleared when the link is used (a link works once) and replaced when the address changes.
ALTER TABLE user_webhooks ADD COLUMN email_confirmed_at timestamptz;
ALTER TABLE user_webhooks ADD COLUMN email_confirm_nonce text;
