-- 0004: recovery reads only unfinished operations through their own small index, and reports read a
-- narrow table of finished operations instead of the wide journal rows (state JSON, slip JSON).
-- docs/architecture.md "Reports and recovery read narrow data" explains the split.

-- Unfinished operations, oldest first: start-up recovery (is_final = 0 ORDER BY created_at) and the
-- close check walk only these entries, however large the journal. Replaces operations_shift_open:
-- still one index entry per intent, removed again when the operation becomes final.
DROP INDEX IF EXISTS operations_shift_open;
CREATE INDEX operations_unfinished ON operations (created_at, shift_id) WHERE is_final = 0;
-- Reports read report_operations now and the close check reads operations_unfinished, so the index of
-- every operation by shift is one more page in each intent's commit that no query needs.
DROP INDEX IF EXISTS operations_shift;

-- What an X/Z report reads of a FINISHED operation, with its slip's and parent payment's fields
-- already joined, clustered by shift and time. Unfinished operations are read from `operations`
-- through operations_unfinished. Kept by the triggers below, inside the same transaction as the
-- state change that makes an operation final (or changes its slip), so it can never be stale.
-- Nothing is written here by a payment's intent.
CREATE TABLE report_operations (
  shift_id               INTEGER NOT NULL,
  created_at             TEXT NOT NULL,
  id                     TEXT NOT NULL,
  kind                   TEXT NOT NULL,
  provider               TEXT NOT NULL,
  parent_id              TEXT,
  order_id               TEXT NOT NULL,
  amount_kop             INTEGER NOT NULL,
  outcome                TEXT,
  phase                  TEXT NOT NULL,
  request_id             TEXT NOT NULL,
  transaction_id         TEXT,
  ref_transaction_id     TEXT,
  payment_type           TEXT,
  error_code             TEXT,
  finished_at            TEXT,
  has_slip               INTEGER NOT NULL,
  slip_payment_transaction_id TEXT,
  slip_refund_transaction_id  TEXT,
  slip_payment_type      TEXT,
  slip_qrc_id            TEXT,
  slip_kzo               TEXT,
  has_parent             INTEGER NOT NULL,
  parent_shift_id        INTEGER,
  parent_transaction_id  TEXT,
  parent_payment_type    TEXT,
  PRIMARY KEY (shift_id, created_at, id)
) WITHOUT ROWID;

-- The one projection every trigger (and the backfill) uses: a finished operation of a shift, joined.
CREATE VIEW report_operations_source (
  shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase, request_id,
  transaction_id, ref_transaction_id, payment_type, error_code, finished_at,
  has_slip, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, slip_qrc_id, slip_kzo,
  has_parent, parent_shift_id, parent_transaction_id, parent_payment_type
) AS
SELECT o.shift_id, o.created_at, o.id, o.kind, o.provider, o.parent_id, o.order_id, o.amount_kop, o.outcome, o.phase, o.request_id,
       o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.finished_at,
       s.operation_id IS NOT NULL, s.payment_transaction_id, s.refund_transaction_id, s.payment_type, s.qrc_id, s.kzo,
       p.id IS NOT NULL, p.shift_id, p.transaction_id, p.payment_type
  FROM operations o
  LEFT JOIN slips s ON s.operation_id = o.id
  LEFT JOIN operations p ON p.id = o.parent_id
 WHERE o.is_final = 1 AND o.shift_id IS NOT NULL;

-- An operation's shift and created_at never change once set (0002's triggers) and is_final never goes
-- back to 0, so the upkeep is "delete the operation's row, insert it again". (Not INSERT OR REPLACE: a
-- trigger's conflict clause is overridden by the statement that fired it, and the store upserts.)
CREATE TRIGGER report_operations_on_insert AFTER INSERT ON operations
  WHEN NEW.is_final = 1 AND NEW.shift_id IS NOT NULL
BEGIN
  DELETE FROM report_operations WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
  INSERT INTO report_operations SELECT * FROM report_operations_source WHERE id = NEW.id;
END;
CREATE TRIGGER report_operations_on_update AFTER UPDATE ON operations
  WHEN NEW.is_final = 1 AND NEW.shift_id IS NOT NULL
BEGIN
  DELETE FROM report_operations WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
  INSERT INTO report_operations SELECT * FROM report_operations_source WHERE id = NEW.id;
END;
-- A payment's transaction id and payment type are shown on its refunds' and cancels' lines.
CREATE TRIGGER report_operations_on_parent_update AFTER UPDATE ON operations
  WHEN NEW.kind = 'payment'
BEGIN
  DELETE FROM report_operations WHERE (shift_id, created_at, id) IN
    (SELECT shift_id, created_at, id FROM operations WHERE parent_id = NEW.id AND is_final = 1 AND shift_id IS NOT NULL);
  INSERT INTO report_operations
    SELECT * FROM report_operations_source WHERE id IN (SELECT id FROM operations WHERE parent_id = NEW.id);
END;
CREATE TRIGGER report_operations_on_slip_insert AFTER INSERT ON slips
BEGIN
  DELETE FROM report_operations WHERE (shift_id, created_at, id) IN
    (SELECT shift_id, created_at, id FROM operations WHERE id = NEW.operation_id AND is_final = 1 AND shift_id IS NOT NULL);
  INSERT INTO report_operations SELECT * FROM report_operations_source WHERE id = NEW.operation_id;
END;
CREATE TRIGGER report_operations_on_slip_update AFTER UPDATE ON slips
BEGIN
  DELETE FROM report_operations WHERE (shift_id, created_at, id) IN
    (SELECT shift_id, created_at, id FROM operations WHERE id = NEW.operation_id AND is_final = 1 AND shift_id IS NOT NULL);
  INSERT INTO report_operations SELECT * FROM report_operations_source WHERE id = NEW.operation_id;
END;

-- Every finished operation already in the journal.
INSERT INTO report_operations SELECT * FROM report_operations_source;
