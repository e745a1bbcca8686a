-- Till records kept with the shift: the payment environment a shift was opened in (so reports made on
-- the emulator say so and a mid-shift switch is refused), voids of wrongly entered tenders (who, when,
-- why; the tender row itself stays, append-only), and the cashier's calls for an administrator.

CREATE TABLE shift_environments (
  shift_id    INTEGER PRIMARY KEY REFERENCES shifts(id),
  mode        TEXT NOT NULL CHECK (mode IN ('emulator', 'test', 'production')),
  recorded_at TEXT NOT NULL
);
CREATE TRIGGER shift_environments_fixed BEFORE UPDATE ON shift_environments
BEGIN
  SELECT RAISE(ABORT, 'shift_environments: the environment of a shift is fixed when it opens');
END;
CREATE TRIGGER shift_environments_no_delete BEFORE DELETE ON shift_environments
BEGIN
  SELECT RAISE(ABORT, 'shift_environments: records are never deleted');
END;

-- A void cancels one tender entry of the open shift; a tender is voided at most once.
CREATE TABLE tender_voids (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  tender_id   INTEGER NOT NULL UNIQUE REFERENCES tenders(id),
  shift_id    INTEGER NOT NULL REFERENCES shifts(id),
  voided_by   TEXT NOT NULL CHECK (length(trim(voided_by)) > 0),
  reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_at  TEXT NOT NULL
);
CREATE TRIGGER tender_voids_same_shift BEFORE INSERT ON tender_voids
  WHEN (SELECT shift_id FROM tenders WHERE id = NEW.tender_id) IS NOT NEW.shift_id
BEGIN
  SELECT RAISE(ABORT, 'tender_voids: the tender belongs to another shift');
END;
CREATE TRIGGER tender_voids_not_in_closed_shift BEFORE INSERT ON tender_voids
  WHEN (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'tender_voids: the shift is closed');
END;
CREATE TRIGGER tender_voids_no_update BEFORE UPDATE ON tender_voids
BEGIN
  SELECT RAISE(ABORT, 'tender_voids: entries are append-only');
END;
CREATE TRIGGER tender_voids_no_delete BEFORE DELETE ON tender_voids
BEGIN
  SELECT RAISE(ABORT, 'tender_voids: entries are append-only');
END;

-- «Вызвать администратора»: when the cashier called and when the call was marked answered.
CREATE TABLE admin_calls (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  shift_id    INTEGER REFERENCES shifts(id),
  called_at   TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  answered_at TEXT
);
CREATE TRIGGER admin_calls_answer_once BEFORE UPDATE ON admin_calls
  WHEN OLD.answered_at IS NOT NULL OR NEW.called_at IS NOT OLD.called_at OR NEW.reason IS NOT OLD.reason
BEGIN
  SELECT RAISE(ABORT, 'admin_calls: a call is only ever marked answered, once');
END;
CREATE TRIGGER admin_calls_no_delete BEFORE DELETE ON admin_calls
BEGIN
  SELECT RAISE(ABORT, 'admin_calls: calls are never deleted');
END;
