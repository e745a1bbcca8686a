-- 0002: shifts, immutable numbered Z reports, tenders taken outside Koshelek Pay, and the history of
-- every printed / exported report (so a failed print can be reprinted). One journal = one till, so
-- "one open shift per till" is "one open shift per database".

CREATE TABLE shifts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- the shift number shown on reports
  opened_at   TEXT NOT NULL,                      -- ISO UTC
  opened_by   TEXT NOT NULL,
  closed_at   TEXT,
  closed_by   TEXT,
  z_number    INTEGER
);
-- At most one open shift: every open row indexes the same value.
CREATE UNIQUE INDEX shifts_one_open ON shifts ((closed_at IS NULL)) WHERE closed_at IS NULL;

-- A closed shift stays closed and keeps its times.
CREATE TRIGGER shifts_closed_is_final BEFORE UPDATE ON shifts
  WHEN OLD.closed_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'shifts: a closed shift cannot be changed');
END;
CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts
BEGIN
  SELECT RAISE(ABORT, 'shifts: shifts are never deleted');
END;

-- Z reports: numbered without gaps, written once, never changed or deleted.
CREATE TABLE z_reports (
  number      INTEGER PRIMARY KEY CHECK (number >= 1),
  shift_id    INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
  created_at  TEXT NOT NULL,
  cashier     TEXT NOT NULL,
  body_json   TEXT NOT NULL,                      -- the whole report as computed at close
  sha256      TEXT NOT NULL                       -- of body_json, to spot tampering outside SQLite
);
CREATE TRIGGER z_reports_gapless BEFORE INSERT ON z_reports
  WHEN NEW.number <> (SELECT COALESCE(MAX(number), 0) + 1 FROM z_reports)
BEGIN
  SELECT RAISE(ABORT, 'z_reports: numbers must be consecutive');
END;
CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
BEGIN
  SELECT RAISE(ABORT, 'z_reports: a Z report is immutable');
END;
CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
BEGIN
  SELECT RAISE(ABORT, 'z_reports: a Z report is immutable');
END;

-- Operations belong to the shift in which they were started: no new operation in a closed shift,
-- and an operation never moves to another shift once assigned.
CREATE TRIGGER operations_not_in_closed_shift BEFORE INSERT ON operations
  WHEN NEW.shift_id IS NOT NULL AND (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'operations: the shift is closed');
END;
CREATE TRIGGER operations_shift_fixed BEFORE UPDATE OF shift_id ON operations
  WHEN OLD.shift_id IS NOT NULL AND NEW.shift_id IS NOT OLD.shift_id
BEGIN
  SELECT RAISE(ABORT, 'operations: an operation stays in the shift it was started in');
END;

-- Tenders taken outside Koshelek Pay (cash, a separate card terminal, ...), as the cashier enters them.
-- Append-only: a mistake is corrected by an entry in the other direction.
CREATE TABLE tenders (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  shift_id    INTEGER NOT NULL REFERENCES shifts(id),
  kind        TEXT NOT NULL,                      -- cash | card_terminal | other
  direction   TEXT NOT NULL CHECK (direction IN ('sale', 'refund')),
  amount_kop  INTEGER NOT NULL CHECK (amount_kop > 0),
  note        TEXT NOT NULL DEFAULT '',
  cashier     TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);
CREATE INDEX tenders_shift ON tenders (shift_id, id);
CREATE TRIGGER tenders_no_update BEFORE UPDATE ON tenders
BEGIN
  SELECT RAISE(ABORT, 'tenders: entries are append-only');
END;
CREATE TRIGGER tenders_no_delete BEFORE DELETE ON tenders
BEGIN
  SELECT RAISE(ABORT, 'tenders: entries are append-only');
END;
CREATE TRIGGER tenders_not_in_closed_shift BEFORE INSERT ON tenders
  WHEN (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'tenders: the shift is closed');
END;

-- Every report output attempt (print, PDF, CSV, text). X snapshots are kept here so a report whose
-- print failed can be printed again exactly as it was; Z bodies stay in z_reports.
CREATE TABLE report_outputs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  report_type TEXT NOT NULL CHECK (report_type IN ('x', 'z')),
  shift_id    INTEGER NOT NULL REFERENCES shifts(id),
  z_number    INTEGER REFERENCES z_reports(number),
  format      TEXT NOT NULL,                      -- escpos | pdf | csv | txt
  target      TEXT NOT NULL DEFAULT '',           -- device or file
  status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  error       TEXT,
  body_json   TEXT,                               -- X snapshot (NULL for Z: see z_reports)
  created_at  TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX report_outputs_shift ON report_outputs (shift_id, id);
CREATE INDEX report_outputs_status ON report_outputs (status) WHERE status <> 'done';

-- Unresolved operations of a shift (close check) without scanning the shift.
CREATE INDEX operations_shift_open ON operations (shift_id) WHERE is_final = 0;
