-- 0001: the durable operation journal (payments, cancels, refunds of every provider).
-- Money is integer kopecks (*_kop). Operations are rows whose state changes are also appended to
-- operation_events, so any report can be recomputed from the journal.

CREATE TABLE operations (
  id                  TEXT PRIMARY KEY,            -- local id (UUID)
  kind                TEXT NOT NULL CHECK (kind IN ('payment', 'cancel', 'refund')),
  provider            TEXT NOT NULL,               -- 'koshelek', later other connectors
  parent_id           TEXT REFERENCES operations(id), -- cancel/refund -> its payment
  shift_id            INTEGER,                     -- set by the shifts capability
  order_id            TEXT NOT NULL,               -- merchant order id (shared by payment and refund)
  amount_kop          INTEGER NOT NULL CHECK (amount_kop >= 0),
  currency            TEXT NOT NULL DEFAULT 'RUB',
  phase               TEXT NOT NULL,               -- the provider state machine's state
  is_final            INTEGER NOT NULL DEFAULT 0 CHECK (is_final IN (0, 1)),
  outcome             TEXT,                        -- set when final: paid | rejected | canceled | failed | refunded | refund_rejected | cancel_rejected
  request_id          TEXT NOT NULL UNIQUE,        -- idempotency key of the operation's main request; reused on every retry
  transaction_id      TEXT,                        -- provider payment transaction id
  ref_transaction_id  TEXT,                        -- provider cancel/refund transaction id
  payment_type        TEXT,                        -- SBP, DOLYAME, ...
  provider_status     TEXT,
  provider_ref_status TEXT,
  error_code          TEXT,                        -- provider errorCode / 422 code, as received
  error_key           TEXT,                        -- error catalogue key shown to the cashier
  card_session        TEXT,
  loyalty_id          TEXT,
  attempts            INTEGER NOT NULL DEFAULT 0,  -- sends of the main request (same request_id)
  context_json        TEXT NOT NULL,               -- the state machine's full context
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  finished_at         TEXT,
  recovered           INTEGER NOT NULL DEFAULT 0   -- 1 when a restart resumed it
);

-- One live (or paid) payment per order: Pay pressed twice, or a sale retried after a crash, is one payment.
CREATE UNIQUE INDEX operations_one_live_payment_per_order
  ON operations (provider, order_id) WHERE kind = 'payment' AND (outcome IS NULL OR outcome = 'paid');
-- One transaction per cardSession (Koshelek refuses a second one).
CREATE UNIQUE INDEX operations_one_payment_per_card_session
  ON operations (provider, card_session) WHERE kind = 'payment' AND card_session IS NOT NULL;
CREATE INDEX operations_open ON operations (is_final) WHERE is_final = 0;
CREATE INDEX operations_parent ON operations (parent_id);
CREATE INDEX operations_shift ON operations (shift_id, created_at);
CREATE INDEX operations_created ON operations (created_at);
CREATE INDEX operations_transaction ON operations (transaction_id);
CREATE INDEX operations_order ON operations (order_id);

-- Append-only history: intents, requests, responses, faults, transitions.
CREATE TABLE operation_events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  operation_id TEXT NOT NULL REFERENCES operations(id),
  at           TEXT NOT NULL,
  type         TEXT NOT NULL,   -- intent | request | response | fault | transition | recovered | postback | note
  endpoint     TEXT,
  request_id   TEXT,
  http_status  INTEGER,
  phase_from   TEXT,
  phase_to     TEXT,
  body_json    TEXT             -- redacted: never credentials or tokens
);
CREATE INDEX operation_events_operation ON operation_events (operation_id, seq);

-- Every slip parameter (seed 003 §7.1), latest version per operation.
CREATE TABLE slips (
  operation_id           TEXT PRIMARY KEY REFERENCES operations(id),
  slip_id                TEXT,
  payment_transaction_id TEXT,
  refund_transaction_id  TEXT,
  payment_type           TEXT,
  order_id               TEXT,
  store_id               TEXT,
  terminal_id            TEXT,
  merchant_id            TEXT,
  bank_operation_id      TEXT,   -- slip.operationId
  operation_date_time    TEXT,
  qrc_id                 TEXT,
  kzo                    TEXT,
  total_amount_kop       INTEGER,
  currency               TEXT,
  raw_json               TEXT NOT NULL,
  received_at            TEXT NOT NULL
);
CREATE INDEX slips_payment_transaction ON slips (payment_transaction_id);
CREATE INDEX slips_qrc ON slips (qrc_id);

-- Basket lines of a payment, and returned lines of a refund (per-line refunds need them).
CREATE TABLE operation_items (
  operation_id  TEXT NOT NULL REFERENCES operations(id),
  line_no       INTEGER NOT NULL,
  name          TEXT NOT NULL,
  article       TEXT NOT NULL,
  price_kop     INTEGER NOT NULL,
  quantity      REAL NOT NULL,
  measure       TEXT NOT NULL DEFAULT 'PIECE',
  total_kop     INTEGER NOT NULL,
  discount_kop  INTEGER NOT NULL DEFAULT 0,
  subtotal_kop  INTEGER NOT NULL,
  tax           TEXT NOT NULL,
  PRIMARY KEY (operation_id, line_no)
);

CREATE TABLE app_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
