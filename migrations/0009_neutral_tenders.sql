-- STAND-IN on the `reports` branch (issue 11): only the report half of 0009_neutral_tenders, so the
-- provider-neutral reports can be tested before the journal's migration lands. At merge the journal
-- helper's 0009_neutral_tenders.sql replaces this file whole.
-- Differences from the real one: slips keeps its old id columns (this branch's slip writers still fill
-- them) and a trigger copies them into refs_json; operations.card_session is not renamed.

ALTER TABLE slips ADD COLUMN refs_json TEXT NOT NULL DEFAULT '{}';

-- The provider's slip ids as one JSON object (null values left out).
UPDATE slips SET refs_json = (SELECT json_group_object(k, v) FROM (
  SELECT 'merchantId' AS k, merchant_id AS v UNION ALL SELECT 'bankOperationId', bank_operation_id
  UNION ALL SELECT 'qrcId', qrc_id UNION ALL SELECT 'kzo', kzo) WHERE v IS NOT NULL);

CREATE TRIGGER slips_refs_on_insert AFTER INSERT ON slips
  WHEN NEW.refs_json = '{}' AND COALESCE(NEW.merchant_id, NEW.bank_operation_id, NEW.qrc_id, NEW.kzo) IS NOT NULL
BEGIN
  UPDATE slips SET refs_json = (SELECT json_group_object(k, v) FROM (
    SELECT 'merchantId' AS k, NEW.merchant_id AS v UNION ALL SELECT 'bankOperationId', NEW.bank_operation_id
    UNION ALL SELECT 'qrcId', NEW.qrc_id UNION ALL SELECT 'kzo', NEW.kzo) WHERE v IS NOT NULL)
  WHERE operation_id = NEW.operation_id;
END;
CREATE TRIGGER slips_refs_on_update AFTER UPDATE OF merchant_id, bank_operation_id, qrc_id, kzo ON slips
  WHEN COALESCE(NEW.merchant_id, NEW.bank_operation_id, NEW.qrc_id, NEW.kzo) IS NOT NULL
BEGIN
  UPDATE slips SET refs_json = (SELECT json_group_object(k, v) FROM (
    SELECT 'merchantId' AS k, NEW.merchant_id AS v UNION ALL SELECT 'bankOperationId', NEW.bank_operation_id
    UNION ALL SELECT 'qrcId', NEW.qrc_id UNION ALL SELECT 'kzo', NEW.kzo) WHERE v IS NOT NULL)
  WHERE operation_id = NEW.operation_id;
END;

DROP TRIGGER report_operations_on_insert;
DROP TRIGGER report_operations_on_update;
DROP TRIGGER report_operations_on_parent_update;
DROP TRIGGER report_operations_on_slip_insert;
DROP TRIGGER report_operations_on_slip_update;
DROP VIEW report_operations_source;

ALTER TABLE report_operations ADD COLUMN slip_refs_json TEXT;
UPDATE report_operations SET slip_refs_json = (SELECT s.refs_json FROM slips s WHERE s.operation_id = report_operations.id)
 WHERE has_slip = 1;
ALTER TABLE report_operations DROP COLUMN slip_qrc_id;
ALTER TABLE report_operations DROP COLUMN slip_kzo;

CREATE VIEW report_operations_source (
  shift_id, created_at, id, kind, provider, parent_id, order_id, amount_kop, outcome, phase, request_id,
  transaction_id, ref_transaction_id, payment_type, error_code, finished_at,
  has_slip, slip_payment_transaction_id, slip_refund_transaction_id, slip_payment_type,
  has_parent, parent_shift_id, parent_transaction_id, parent_payment_type, slip_refs_json
) AS
SELECT o.shift_id, o.created_at, o.id, o.kind, o.provider, o.parent_id, o.order_id, o.amount_kop, o.outcome, o.phase, o.request_id,
       o.transaction_id, o.ref_transaction_id, o.payment_type, o.error_code, o.finished_at,
       s.operation_id IS NOT NULL, s.payment_transaction_id, s.refund_transaction_id, s.payment_type,
       p.id IS NOT NULL, p.shift_id, p.transaction_id, p.payment_type, s.refs_json
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
