-- 0009: provider-neutral journal columns (docs/journal-neutral.md).
--   operations.card_session   -> operations.pay_token (a one-time payment token the customer presented;
--                                at most one payment per (provider, pay_token))
--   slips.merchant_id, bank_operation_id, qrc_id, kzo -> slips.refs_json: one JSON object string -> string
--                                of the provider's slip ids (keys merchantId, bankOperationId, qrcId, kzo
--                                for the first provider; null values omitted)
--   report_operations.slip_qrc_id, slip_kzo -> report_operations.slip_refs_json (the slip's refs_json,
--                                NULL when there is no slip)
-- Every value moves without loss; report rows are copied, not recomputed, so a closed shift's rows stay
-- exactly what its Z report covered.

-- The report projection and its upkeep read the columns that change: dropped first (ALTER TABLE checks
-- every view and trigger), recreated at the end unchanged but for slip_refs_json.
DROP TRIGGER report_operations_on_insert;
DROP TRIGGER report_operations_on_update;
DROP TRIGGER report_operations_on_parent_update;
DROP TRIGGER report_operations_on_slip_insert;
DROP TRIGGER report_operations_on_slip_update;
DROP VIEW report_operations_source;

-- operations: a rename is a schema edit only, whatever the journal's size (the rows are not touched).
DROP INDEX operations_one_payment_per_card_session;
ALTER TABLE operations RENAME COLUMN card_session TO pay_token;
CREATE UNIQUE INDEX operations_one_payment_per_pay_token
  ON operations (provider, pay_token) WHERE kind = 'payment' AND pay_token IS NOT NULL;

-- slips: rebuilt in one pass (four DROP COLUMNs would rewrite the table four times), rowids kept.
-- json_patch onto '{}' drops the keys whose value is NULL; CAST keeps every value a string.
CREATE TABLE slips_new (
  operation_id           TEXT PRIMARY KEY REFERENCES operations(id),
  slip_id                TEXT,
  payment_transaction_id TEXT,
  refund_transaction_id  TEXT,
  payment_type           TEXT,
  order_id               TEXT,
  store_id               TEXT,
  terminal_id            TEXT,
  refs_json              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(refs_json) AND json_type(refs_json) = 'object'),
  operation_date_time    TEXT,
  total_amount_kop       INTEGER,
  currency               TEXT,
  raw_json               TEXT NOT NULL,
  received_at            TEXT NOT NULL
);
INSERT INTO slips_new (rowid, operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id,
                       terminal_id, refs_json, operation_date_time, total_amount_kop, currency, raw_json, received_at)
SELECT rowid, operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id, terminal_id,
       json_patch('{}', json_object(
         'merchantId', CAST(merchant_id AS TEXT),
         'bankOperationId', CAST(bank_operation_id AS TEXT),
         'qrcId', CAST(qrc_id AS TEXT),
         'kzo', CAST(kzo AS TEXT))),
       operation_date_time, total_amount_kop, currency, raw_json, received_at
  FROM slips ORDER BY rowid;
DROP INDEX slips_qrc;
DROP TABLE slips;
ALTER TABLE slips_new RENAME TO slips;
CREATE INDEX slips_payment_transaction ON slips (payment_transaction_id);

-- report_operations: same layout, slip_refs_json where slip_qrc_id and slip_kzo were. Rows are copied
-- as they are; slip_refs_json is the slip's refs_json, as the projection below would give it.
CREATE TABLE report_operations_new (
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
  slip_refs_json         TEXT,
  has_parent             INTEGER NOT NULL,
  parent_shift_id        INTEGER,
  parent_transaction_id  TEXT,
  parent_payment_type    TEXT,
  PRIMARY KEY (shift_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO report_operations_new
SELECT r.shift_id, r.created_at, r.id, r.kind, r.provider, r.parent_id, r.order_id, r.amount_kop, r.outcome, r.phase, r.request_id,
       r.transaction_id, r.ref_transaction_id, r.payment_type, r.error_code, r.finished_at,
       r.has_slip, r.slip_payment_transaction_id, r.slip_refund_transaction_id, r.slip_payment_type, s.refs_json,
       r.has_parent, r.parent_shift_id, r.parent_transaction_id, r.parent_payment_type
  FROM report_operations r
  LEFT JOIN slips s ON s.operation_id = r.id
 ORDER BY r.shift_id, r.created_at, r.id;
DROP TABLE report_operations;
ALTER TABLE report_operations_new RENAME TO report_operations;

-- The projection (0004's, with slip_refs_json) and its upkeep, as before.
CREATE VIEW report_operations_source (
  shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase, request_id,
  transaction_id, ref_transaction_id, payment_type, error_code, finished_at,
  has_slip, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, slip_refs_json,
  has_parent, parent_shift_id, parent_transaction_id, parent_payment_type
) AS
SELECT o.shift_id, o.created_at, o.id, o.kind, o.provider, o.parent_id, o.order_id, o.amount_kop, o.outcome, o.phase, o.request_id,
       o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.finished_at,
       s.operation_id IS NOT NULL, s.payment_transaction_id, s.refund_transaction_id, s.payment_type, s.refs_json,
       p.id IS NOT NULL, p.shift_id, p.transaction_id, p.payment_type
  FROM operations o
  LEFT JOIN slips s ON s.operation_id = o.id
  LEFT JOIN operations p ON p.id = o.parent_id
 WHERE o.is_final = 1 AND o.shift_id IS NOT NULL;

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
