import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../audit/log';
import { openJournal } from '../../journal/database';
import { addPersonFromCli, listPeople } from './people';

describe('paydesk people', () => {
  it('enrols the first super-administrator with the PIN from stdin; a weak PIN is refused; audited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-cli-people-'));
    await expect(addPersonFromCli(dir, { name: 'Ирина', role: 'super_administrator' }, '1234\n')).rejects.toMatchObject({ key: 'signin.pin_weak' });
    await expect(addPersonFromCli(dir, { name: 'Ирина', role: 'super_administrator' }, '')).rejects.toThrow(/first line of stdin/);
    const person = await addPersonFromCli(dir, { name: 'Ирина', role: 'super_administrator' }, '7315\nCARD-IRINA\n');
    expect(listPeople(dir)).toEqual([expect.objectContaining({ id: person.id, name: 'Ирина', role: 'super_administrator', hasCard: true })]);
    const journal = openJournal(path.join(dir, 'journal.db'));
    expect(verifyChain(journal.sqlite)).toMatchObject({ ok: true, count: 1 });
    expect(JSON.stringify(journal.sqlite.prepare('SELECT * FROM audit_log').all())).not.toContain('7315');
    journal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
