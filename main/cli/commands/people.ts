// `paydesk people list` and `paydesk people add --name N --role R`: enrol the first people of a till
// (sign-in on with nobody enrolled locks everyone out) from the machine itself. The PIN (first line) and
// an optional staff card (second line) are read from stdin, never from argv (docs/people-and-audit.md).
import fs from 'node:fs';
import type { Command } from 'commander';
import { appendAudit } from '../../audit/log';
import { ensurePrivateDir, privateJournalFiles } from '../../core/files';
import { openJournal, type Journal } from '../../journal/database';
import { loadOrCreateCardKey } from '../../people/card-key';
import { PeopleStore, type Person } from '../../people/store';
import { resolvePaths } from './report';

/** The journal as the core opens it: a private folder and files (they hold PIN hashes). */
function open(dataDir: string): Journal {
  ensurePrivateDir(dataDir);
  const file = `${dataDir}/journal.db`;
  privateJournalFiles(file);
  const journal = openJournal(file);
  privateJournalFiles(file);
  return journal;
}

export async function addPersonFromCli(dataDir: string, input: { name: string; role: string }, stdin: string): Promise<Person> {
  const [pin = '', card = ''] = stdin.split(/\r?\n/).map((l) => l.trim());
  if (!pin) throw new Error('type the PIN on the first line of stdin (and a staff card on the second, if any)');
  const journal = open(dataDir);
  try {
    const people = new PeopleStore({ sqlite: journal.sqlite, cardKey: loadOrCreateCardKey(dataDir) });
    const person = await people.create({ name: input.name, role: input.role, pin, ...(card ? { card } : {}) });
    appendAudit(journal.sqlite, { kind: 'person_change', actor: null, data: { change: 'create', via: 'cli', person: person.id, role: person.role, card: person.hasCard } });
    return person;
  } finally {
    journal.close();
  }
}

export function listPeople(dataDir: string): Person[] {
  const journal = open(dataDir);
  try {
    return new PeopleStore({ sqlite: journal.sqlite, cardKey: loadOrCreateCardKey(dataDir) }).list();
  } finally {
    journal.close();
  }
}

export function registerPeople(program: Command): void {
  const people = program.command('people').description('people who sign in at the till (docs/people-and-audit.md)');
  people.command('list').description('everyone enrolled: id, name, role, active, card').action(() => {
    for (const p of listPeople(resolvePaths(program.opts<{ data?: string; config?: string }>()).dataDir)) {
      console.log(`${p.id}\t${p.name}\t${p.role}\t${p.active ? 'active' : 'inactive'}\t${p.hasCard ? 'card' : '-'}`);
    }
  });
  people.command('add')
    .description('enrol a person; PIN on the first line of stdin, optional staff card on the second')
    .requiredOption('--name <name>', 'full name as shown at the till')
    .requiredOption('--role <role>', 'cashier | senior_cashier | manager | administrator | super_administrator')
    .action(async (opts: { name: string; role: string }) => {
      const person = await addPersonFromCli(resolvePaths(program.opts<{ data?: string; config?: string }>()).dataDir, opts, fs.readFileSync(0, 'utf8'));
      console.log(`enrolled ${person.id} ${person.name} (${person.role})`);
    });
}
