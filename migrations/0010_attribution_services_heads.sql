-- Who did each operation (and who approved it), the service state of an order, and the audit-chain
-- head each Z stored (docs/people-and-audit.md "Wiring").

-- One row per till operation started while the till knew who was signed in. `final_seq` is the audit
-- entry that recorded the operation's end (NULL until then), so an end is audited exactly once.
CREATE TABLE operation_people (
  operation_id TEXT PRIMARY KEY,
  person_id TEXT,
  approver_id TEXT,
  approval_id TEXT,
  final_seq INTEGER,
  created_at TEXT NOT NULL
);
-- No index on person_id: one row per operation, read by person only in the Payments search (a scan of
-- a narrow table), and every index is a write on each sale.

-- A sale may be a service: its date and state decide whether it can be refunded. Goods have no row.
CREATE TABLE order_services (
  order_id TEXT PRIMARY KEY,
  service_date TEXT,
  state TEXT NOT NULL CHECK (state IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
  updated_by TEXT,
  updated_at TEXT NOT NULL
);

-- The audit chain head at each Z: a trail cut back after the Z no longer contains this entry.
CREATE TABLE z_audit_heads (
  shift_id INTEGER PRIMARY KEY,
  z_number INTEGER,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
