-- Shift reports per currency (docs/reports.md "Currencies"): a report row carries its operation's
-- currency (operations.currency: RUB kopecks, KZT tiyn, USD cents; payments, extra charges — payments
-- with a parent — refunds and cancels alike), so X / Z never add a tenge sale into the rouble totals.
-- ADD COLUMN is a schema edit (no row rewritten); only rows of operations in another currency than
-- the default are updated by the backfill. The projection gains the column last, where ADD COLUMN put
-- it, so the triggers' `SELECT *` still lines up; the triggers are recreated unchanged.
DROP TRIGGER report_operations_on_insert;
DROP TRIGGER report_operations_on_update;
DROP TRIGGER report_operations_on_parent_update;
DROP TRIGGER report_operations_on_slip_insert;
DROP TRIGGER report_operations_on_slip_update;
DROP VIEW report_operations_source;

ALTER TABLE report_operations ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';
UPDATE report_operations
   SET currency = (SELECT o.currency FROM operations o WHERE o.id = report_operations.id)
 WHERE id IN (SELECT id FROM operations WHERE currency <> 'RUB' AND is_final = 1);

CREATE VIEW report_operations_source (
  shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase, request_id,
  transaction_id, ref_transaction_id, payment_type, error_code, finished_at,
  has_slip, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type, slip_refs_json,
  has_parent, parent_shift_id, parent_transaction_id, parent_payment_type, currency
) AS
SELECT o.shift_id, o.created_at, o.id, o.kind, o.provider, o.parent_id, o.order_id, o.amount_kop, o.outcome, o.phase, o.request_id,
       o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.finished_at,
       s.operation_id IS NOT NULL, s.payment_transaction_id, s.refund_transaction_id, s.payment_type, s.refs_json,
       p.id IS NOT NULL, p.shift_id, p.transaction_id, p.payment_type, o.currency
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
