-- Operation ends still owed to the audit trail, kept by the journal itself (docs/people-and-audit.md
-- "kill -9"). The start-up catch-up used to find them by joining every operation with operation_people:
-- a scan of the whole journal at each start (~450 ms on 1M operations). Now an operation that becomes
-- final is put here by a trigger, in the very statement that makes it final, and taken out in the
-- transaction that appends its end to the trail (OperationAudit.observe). So the catch-up reads only this
-- table, which holds the ends of the last few moments, and no kill can fall between the two.
--
-- The triggers fire when an operation becomes final, not when it is created: the intent commit a press
-- waits for writes nothing here (docs/architecture.md "Few pages per intent").
CREATE TABLE audit_pending_ends (
  operation_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Created final in one statement (the refund of a card binding's charge, written by its job).
CREATE TRIGGER audit_pending_on_final_insert AFTER INSERT ON operations WHEN NEW.is_final = 1
BEGIN
  INSERT OR IGNORE INTO audit_pending_ends (operation_id) VALUES (NEW.id);
END;

-- Finished by an update (also the DO UPDATE of the journal's upsert, which fires update triggers).
CREATE TRIGGER audit_pending_on_final_update AFTER UPDATE OF is_final ON operations WHEN NEW.is_final = 1 AND OLD.is_final = 0
BEGIN
  INSERT OR IGNORE INTO audit_pending_ends (operation_id) VALUES (NEW.id);
END;

CREATE TRIGGER audit_pending_on_delete AFTER DELETE ON operations
BEGIN
  DELETE FROM audit_pending_ends WHERE operation_id = OLD.id;
END;

-- What the previous catch-up would have found: ended operations whose end is not on the trail, either
-- with a people row not yet marked, or with no people row though created since people were tracked
-- (older operations predate the trail and are never appended).
INSERT INTO audit_pending_ends (operation_id)
SELECT o.id FROM operations o LEFT JOIN operation_people p ON p.operation_id = o.id
WHERE o.is_final = 1 AND ((p.operation_id IS NOT NULL AND p.final_seq IS NULL)
  OR (p.operation_id IS NULL AND o.created_at >= (SELECT MIN(created_at) FROM operation_people)));
