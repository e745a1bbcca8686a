// People who work the till: plain prepared statements on the journal's better-sqlite3 handle. Rows are
// parsed with zod; the PIN hash never leaves this module except to the sign-in check.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { PaydeskError } from '../errors/catalogue';
import { cardDigest, checkPinStrength, DEFAULT_PIN_COST, hashPin, normalizePin, type ScryptCost } from './pin';

export const roleIdSchema = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/);

const personRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  pin_hash: z.string(),
  card_hash: z.string().nullable(),
  yandex_login: z.string().nullable(),
  active: z.union([z.literal(0), z.literal(1)]),
  created_at: z.string(),
  updated_at: z.string(),
});

/** What other modules and the UI may see about a person: no secrets. */
export interface Person {
  id: string;
  name: string;
  role: string;
  active: boolean;
  hasCard: boolean;
  yandexLogin: string | null;
}

export const newPersonSchema = z.object({
  id: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(120),
  role: roleIdSchema,
  pin: z.string(),
  card: z.string().min(4).max(128).optional(),
  yandexLogin: z.string().min(1).max(120).optional(),
});
export type NewPerson = z.input<typeof newPersonSchema>;

function toPerson(row: z.infer<typeof personRowSchema>): Person {
  return { id: row.id, name: row.name, role: row.role, active: row.active === 1, hasCard: row.card_hash !== null, yandexLogin: row.yandex_login };
}

export interface PeopleStoreOptions {
  sqlite: Database.Database;
  /** The till's secret for staff-card digests (kept in the data folder, never in the database). */
  cardKey: Buffer;
  pinCost?: ScryptCost;
  now?: () => Date;
  /** Called after any change, so the access table can be recompiled. */
  onChange?: () => void;
}

export class PeopleStore {
  private readonly sqlite: Database.Database;
  private readonly cardKey: Buffer;
  readonly pinCost: ScryptCost;
  private readonly now: () => Date;
  private readonly onChange: () => void;

  constructor(options: PeopleStoreOptions) {
    this.sqlite = options.sqlite;
    this.cardKey = options.cardKey;
    this.pinCost = options.pinCost ?? DEFAULT_PIN_COST;
    this.now = options.now ?? (() => new Date());
    this.onChange = options.onChange ?? (() => undefined);
  }

  private async pinHashFor(pin: string): Promise<string> {
    const normalized = normalizePin(pin);
    if (checkPinStrength(normalized) !== null) throw new PaydeskError('signin.pin_weak');
    return hashPin(normalized, this.pinCost);
  }

  async create(input: NewPerson): Promise<Person> {
    const p = newPersonSchema.parse(input);
    const pinHash = await this.pinHashFor(p.pin);
    const at = this.now().toISOString();
    const id = p.id ?? randomUUID();
    try {
      this.sqlite
        .prepare('INSERT INTO people (id, name, role, pin_hash, card_hash, yandex_login, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)')
        .run(id, p.name, p.role, pinHash, p.card ? cardDigest(p.card, this.cardKey) : null, p.yandexLogin ?? null, at, at);
    } catch (error) {
      if (error instanceof Error && /UNIQUE/.test(error.message)) throw new PaydeskError('people.duplicate', error.message.replace(/^.*UNIQUE constraint failed: /, ''));
      throw error;
    }
    this.onChange();
    return this.get(id) as Person;
  }

  async setPin(id: string, pin: string): Promise<void> {
    const pinHash = await this.pinHashFor(pin);
    this.update(id, 'pin_hash = ?', pinHash);
  }

  /** Used after a good sign-in when the stored hash is cheaper than the configured cost. */
  replacePinHash(id: string, pinHash: string): void {
    this.update(id, 'pin_hash = ?', pinHash);
  }

  setCard(id: string, card: string | null): void {
    this.update(id, 'card_hash = ?', card === null ? null : cardDigest(card, this.cardKey));
  }

  setRole(id: string, role: string): void {
    this.update(id, 'role = ?', roleIdSchema.parse(role));
  }

  setActive(id: string, active: boolean): void {
    this.update(id, 'active = ?', active ? 1 : 0);
  }

  setYandexLogin(id: string, login: string | null): void {
    this.update(id, 'yandex_login = ?', login);
  }

  private update(id: string, assignment: string, value: string | number | null): void {
    const info = this.sqlite.prepare(`UPDATE people SET ${assignment}, updated_at = ? WHERE id = ?`).run(value, this.now().toISOString(), id);
    if (info.changes === 0) throw new PaydeskError('people.not_found', id);
    this.onChange();
  }

  get(id: string): Person | null {
    const row = this.sqlite.prepare('SELECT * FROM people WHERE id = ?').get(id);
    return row ? toPerson(personRowSchema.parse(row)) : null;
  }

  list(): Person[] {
    return this.sqlite.prepare('SELECT * FROM people ORDER BY name, id').all().map((row) => toPerson(personRowSchema.parse(row)));
  }

  /** For the sign-in check only. */
  secretsOf(id: string): { person: Person; pinHash: string } | null {
    const row = this.sqlite.prepare('SELECT * FROM people WHERE id = ?').get(id);
    if (!row) return null;
    const parsed = personRowSchema.parse(row);
    return { person: toPerson(parsed), pinHash: parsed.pin_hash };
  }

  findByCard(card: string): Person | null {
    const row = this.sqlite.prepare('SELECT * FROM people WHERE card_hash = ?').get(cardDigest(card, this.cardKey));
    return row ? toPerson(personRowSchema.parse(row)) : null;
  }

  findByYandexLogin(login: string): Person | null {
    const row = this.sqlite.prepare('SELECT * FROM people WHERE yandex_login = ?').get(login);
    return row ? toPerson(personRowSchema.parse(row)) : null;
  }
}
