-- People, sign-in throttling, the access matrix, per-person rights, the tamper-evident audit trail and
-- customer balance ledgers (docs/people-and-audit.md).

CREATE TABLE people (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  -- "scrypt$N$r$p$salt_b64$hash_b64": the PIN itself is never stored.
  pin_hash TEXT NOT NULL,
  -- keyed SHA-256 of the staff barcode, so a card identifies its owner without being stored in clear.
  card_hash TEXT UNIQUE,
  yandex_login TEXT UNIQUE,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Failed sign-ins per scope ("person:<id>" or "till:<id>"), persisted so a restart does not reset a lockout.
CREATE TABLE signin_throttle (
  scope TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_ms INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL
);

-- The access matrix as one versioned JSON document (defaults live in code until the first edit).
CREATE TABLE access_matrix (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  matrix_json TEXT NOT NULL,
  updated_by TEXT,
  updated_at TEXT NOT NULL
);

-- One right granted to or taken from one person, on top of their role.
CREATE TABLE person_rights (
  person_id TEXT NOT NULL REFERENCES people(id),
  permission TEXT NOT NULL,
  effect TEXT NOT NULL CHECK (effect IN ('grant', 'revoke')),
  changed_by TEXT,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (person_id, permission)
);

-- Append-only, hash-chained audit trail. `entry_json` is the canonical JSON that was hashed; the hash
-- never depends on this table's layout, so later migrations cannot break verification.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  entry_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);

CREATE TRIGGER audit_log_gap_free BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
BEGIN SELECT RAISE(ABORT, 'audit_log: sequence must be gap-free'); END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Customer balance ledger: entries only; the balance is their sum.
CREATE TABLE balance_entries (
  id INTEGER PRIMARY KEY,
  store_id TEXT NOT NULL,
  loyalty_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('topup', 'debit', 'refund')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  -- One entry per (store, operation, kind): a retried write returns the first one.
  operation_ref TEXT NOT NULL,
  person_id TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (store_id, operation_ref, kind)
);
CREATE INDEX balance_entries_account ON balance_entries (store_id, loyalty_id);

-- Second line of defence behind the service's IMMEDIATE transaction: no entry may take a balance below zero.
CREATE TRIGGER balance_entries_not_negative BEFORE INSERT ON balance_entries
WHEN NEW.kind != 'topup' AND NEW.amount_minor > (
  SELECT COALESCE(SUM(CASE kind WHEN 'topup' THEN amount_minor ELSE -amount_minor END), 0)
  FROM balance_entries WHERE store_id = NEW.store_id AND loyalty_id = NEW.loyalty_id)
BEGIN SELECT RAISE(ABORT, 'balance_entries: balance would go below zero'); END;

CREATE TRIGGER balance_entries_no_update BEFORE UPDATE ON balance_entries
BEGIN SELECT RAISE(ABORT, 'balance_entries is append-only'); END;

CREATE TRIGGER balance_entries_no_delete BEFORE DELETE ON balance_entries
BEGIN SELECT RAISE(ABORT, 'balance_entries is append-only'); END;
