-- Bank acquiring: webhook deliveries kept raw before anything else looks at them, the events they carry
-- (one row per provider + dedupe key, so 30 re-deliveries act once), and customers' saved cards
-- (the bank's card id only; card data stays at the bank). See docs/banks.md.

CREATE TABLE webhook_deliveries (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  provider      TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  remote_addr   TEXT,
  content_type  TEXT,
  raw_body      BLOB NOT NULL,              -- exactly the bytes received (a JWT for Tochka)
  verdict       TEXT NOT NULL DEFAULT 'received' CHECK (verdict IN ('received', 'accepted', 'duplicate', 'rejected')),
  reason        TEXT,                       -- why it was rejected (bad signature, unknown provider, ...)
  dedupe_key    TEXT
);
CREATE INDEX webhook_deliveries_provider ON webhook_deliveries (provider, received_at);

CREATE TABLE webhook_events (
  provider      TEXT NOT NULL,
  dedupe_key    TEXT NOT NULL,              -- e.g. Tochka operationId + status
  delivery_id   INTEGER NOT NULL REFERENCES webhook_deliveries (id),
  subject       TEXT NOT NULL,              -- the operation to re-read at the bank
  payload_json  TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  handled_at    TEXT,                       -- set once the callback ran; NULL rows are replayed at start-up
  PRIMARY KEY (provider, dedupe_key)
);

CREATE TABLE saved_cards (
  provider      TEXT NOT NULL,
  customer_id   TEXT NOT NULL,              -- our customer (loyalty id, phone hash, ...)
  consumer_id   TEXT NOT NULL,              -- the bank's saved-card id (Tochka consumerId)
  bound_by      TEXT NOT NULL,              -- the binding payment's operation id
  created_at    TEXT NOT NULL,
  removed_at    TEXT,
  PRIMARY KEY (provider, consumer_id)
);
CREATE INDEX saved_cards_customer ON saved_cards (customer_id) WHERE removed_at IS NULL;
