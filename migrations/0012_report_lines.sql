-- An X report's lines stored beside their rows, and an index for its totals (docs/reports.md "X from stored lines"): each finished
-- operation's line of the report contract is kept as JSON text in report_lines, so an X over a
-- 10,000-operation shift joins stored text instead of building 10,000 JSON objects (~30 ms of a ~40 ms
-- X). A table of its own, not a column: a report row with its ~600-byte line no longer fits a 4 KiB
-- page's local payload and would spill to an overflow page, slowing every other read of the rows (the
-- totals, a Z's cover hash).
--
-- A line is a function of its report row alone, made by report_lines_source and kept by the triggers
-- below in the statement that writes the row, so it can never be stale: a row inserted (the finish
-- upkeep deletes and inserts), changed in any column or deleted has its line made again or dropped.
-- line_json is NULL when the row breaks the line contract (an unknown kind, an amount out of bounds or
-- not an integer, a currency that is no ISO code, a parent's shift that is no integer, a BLOB where text
-- belongs): the X refuses that shift, and the write that made the row never fails for it.
-- refs_unreadable is 1 when the slip's refs are not an object of strings: the line shows `{}` and the X
-- names the row in a warning (as load.ts parseSlipRefs does).
--
-- The line is compute.ts toLine for a finished row, field for field and in the schema's order; the bytes
-- are those of checkedReportJson (x-text.test.ts). A change to the line contract is a migration that
-- recreates report_lines_source and fills report_lines again.
CREATE TABLE report_lines (
  shift_id         INTEGER NOT NULL,
  created_at       TEXT NOT NULL,
  id               TEXT NOT NULL,
  line_json        TEXT,
  refs_unreadable  INTEGER NOT NULL,
  PRIMARY KEY (shift_id, created_at, id)
) WITHOUT ROWID;

-- refs: an object of strings, as stored (json() only re-minifies the text JSON.stringify wrote). A value
-- that is not a string follows a `":` with no `"` after it; the GLOB finds every such text (and a few
-- harmless ones, e.g. a value containing `\":1`, which json_each clears). CASE, not AND: only CASE
-- promises json_type never sees text that is not JSON, which it would refuse.
CREATE VIEW report_lines_source (shift_id, created_at, id, line_json, refs_unreadable) AS
SELECT shift_id, created_at, id,
  CASE WHEN kind IN ('payment', 'cancel', 'refund') AND typeof(amount_kop) = 'integer' AND amount_kop BETWEEN 0 AND 9999999999
      AND currency GLOB '[A-Z][A-Z][A-Z]' AND (NOT has_parent OR typeof(parent_shift_id) IN ('integer', 'null'))
      AND 'blob' NOT IN (typeof(id), typeof(provider), typeof(created_at), typeof(finished_at), typeof(outcome), typeof(order_id),
        typeof(transaction_id), typeof(ref_transaction_id), typeof(parent_transaction_id), typeof(slip_payment_transaction_id),
        typeof(slip_refund_transaction_id), typeof(request_id), typeof(payment_type), typeof(slip_payment_type),
        typeof(parent_payment_type), typeof(error_code), typeof(parent_id), typeof(has_slip), typeof(has_parent))
    THEN json_object('id', id, 'kind', kind, 'provider', provider, 'createdAt', created_at, 'finishedAt', finished_at,
      'status', COALESCE(outcome, 'unknown'), 'amountKop', amount_kop, 'currency', currency,
      'signedKop', CASE WHEN kind = 'payment' AND outcome IN ('paid', 'refunded') THEN amount_kop WHEN kind = 'refund' AND outcome = 'refunded' THEN -amount_kop ELSE 0 END,
      'orderId', order_id,
      'paymentTransactionId', COALESCE(slip_payment_transaction_id, CASE WHEN kind = 'payment' THEN transaction_id ELSE COALESCE(transaction_id, parent_transaction_id) END),
      'refundTransactionId', COALESCE(slip_refund_transaction_id, CASE WHEN kind = 'payment' THEN NULL ELSE ref_transaction_id END),
      'requestId', request_id, 'paymentType', COALESCE(payment_type, slip_payment_type, parent_payment_type),
      'refs', CASE WHEN has_slip AND refs_ok THEN json(slip_refs_json) ELSE json('{}') END,
      'errorCode', error_code, 'parentId', parent_id, 'parentShiftId', CASE WHEN has_parent THEN parent_shift_id END,
      'crossShift', CASE WHEN has_parent AND parent_shift_id IS NOT shift_id THEN json('true') ELSE json('false') END)
  END,
  (has_slip AND slip_refs_json IS NOT NULL AND slip_refs_json NOT IN ('', '{}') AND NOT refs_ok)
FROM (SELECT *, CASE WHEN json_valid(slip_refs_json) THEN json_type(slip_refs_json) = 'object'
        AND (slip_refs_json NOT GLOB '*":[^"]*' OR NOT EXISTS (SELECT 1 FROM json_each(slip_refs_json) WHERE type <> 'text'))
        ELSE 0 END AS refs_ok
        FROM report_operations);

CREATE TRIGGER report_lines_on_insert AFTER INSERT ON report_operations
BEGIN
  DELETE FROM report_lines WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
  INSERT INTO report_lines SELECT * FROM report_lines_source
   WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
END;
CREATE TRIGGER report_lines_on_update AFTER UPDATE ON report_operations
BEGIN
  DELETE FROM report_lines WHERE shift_id = OLD.shift_id AND created_at = OLD.created_at AND id = OLD.id;
  DELETE FROM report_lines WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
  INSERT INTO report_lines SELECT * FROM report_lines_source
   WHERE shift_id = NEW.shift_id AND created_at = NEW.created_at AND id = NEW.id;
END;
CREATE TRIGGER report_lines_on_delete AFTER DELETE ON report_operations
BEGIN
  DELETE FROM report_lines WHERE shift_id = OLD.shift_id AND created_at = OLD.created_at AND id = OLD.id;
END;

-- (Not INSERT OR REPLACE: a trigger's conflict clause is overridden by the statement that fired it.)

-- The totals' GROUP BY (z-store.ts finishedGroups: every X and Z close) walks this index in group order
-- instead of sorting a shift's 10,000 rows, and reads nothing else: the grouping expressions are keys
-- (written exactly as the query writes them, so the planner matches them) and the raw columns they are
-- made of follow, so the index covers the query (~8 → ~1.5 ms). One more index entry (~150 bytes) in the
-- transaction that finishes an operation, none in a payment's intent.
CREATE INDEX report_operations_totals ON report_operations (shift_id, kind, provider, outcome,
  COALESCE(payment_type, slip_payment_type, parent_payment_type), (has_parent = 1 AND parent_shift_id IS NOT shift_id), currency, amount_kop,
  payment_type, slip_payment_type, parent_payment_type, has_parent, parent_shift_id);

-- Every finished operation already in the journal.
INSERT INTO report_lines SELECT * FROM report_lines_source ORDER BY shift_id, created_at, id;
