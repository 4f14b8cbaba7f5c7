-- Browser push subscriptions are user_webhooks rows of kind 'push': url = the push service endpoint, protected_secret =
-- the subscription's auth secret (encrypted like every webhook secret), push_p256dh = the browser's public key. They
-- are managed by /api/settings/push-subscriptions, not by PUT /api/settings. An endpoint belongs to one row: the
-- browser profile that made it subscribes for whichever account subscribed it last.
ALTER TABLE user_webhooks ADD COLUMN push_p256dh text;
CREATE UNIQUE INDEX user_webhooks_push_endpoint ON user_webhooks (url) WHERE kind = 'push';
