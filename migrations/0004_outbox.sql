-- The durable outbox: one job queue for the whole till (fiscal receipts now; status checks, webhooks,
-- partner tasks later). A job is inserted in the same transaction as the state change that creates it.
-- Times that must survive a restart are wall-clock epoch milliseconds; see docs/outbox.md.

CREATE TABLE outbox_jobs (
  id                    INTEGER PRIMARY KEY AUTOINCREMENT,
  kind                  TEXT NOT NULL,               -- handler name, e.g. 'fiscal.sell'
  queue_key             TEXT NOT NULL,               -- jobs with one key run one at a time, in id order
  dedupe_key            TEXT NOT NULL UNIQUE,        -- one job per effect, ever (e.g. 'fiscal.sell:<operation id>')
  operation_external_id TEXT NOT NULL,               -- traces the job to its sale/refund
  payload_version       INTEGER NOT NULL,
  payload_json          TEXT NOT NULL,
  state                 TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts              INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  run_after_ms          INTEGER NOT NULL,            -- earliest next attempt (epoch ms)
  remote_ref            TEXT,                        -- the remote side's id once known (ATOL uuid, ЮKassa receipt id)
  last_error_key        TEXT,                        -- error catalogue key of the last failure
  last_error            TEXT,                        -- technical detail for IT, never secrets
  result_json           TEXT,                        -- handler result when done (fiscal sign, document number, ...)
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  finished_at           TEXT
);
-- At most one job in flight per key, enforced by SQLite rather than by a lock in memory.
CREATE UNIQUE INDEX outbox_one_running_per_key ON outbox_jobs (queue_key) WHERE state = 'running';
CREATE INDEX outbox_due ON outbox_jobs (run_after_ms, id) WHERE state = 'queued';
CREATE INDEX outbox_key_order ON outbox_jobs (queue_key, id) WHERE state <> 'done';
CREATE INDEX outbox_operation ON outbox_jobs (operation_external_id);
CREATE INDEX outbox_remote_ref ON outbox_jobs (remote_ref) WHERE remote_ref IS NOT NULL;

-- One row per attempt; an attempt with no finished_at after a restart was interrupted mid side effect.
CREATE TABLE outbox_attempts (
  job_id                INTEGER NOT NULL REFERENCES outbox_jobs(id),
  attempt               INTEGER NOT NULL CHECK (attempt >= 1),
  operation_external_id TEXT NOT NULL,
  started_at            TEXT NOT NULL,
  finished_at           TEXT,
  duration_ms           REAL,                        -- monotonic
  reconciled            INTEGER NOT NULL DEFAULT 0 CHECK (reconciled IN (0, 1)), -- asked the remote side first
  outcome               TEXT CHECK (outcome IN ('done', 'retry', 'failed', 'interrupted')),
  error_key             TEXT,
  error                 TEXT,
  remote_ref            TEXT,
  PRIMARY KEY (job_id, attempt)
);
CREATE INDEX outbox_attempts_operation ON outbox_attempts (operation_external_id);
