// Kysely as a typed query builder only: queries whose WHERE depends on the caller (search filters,
// lookups) are built against the journal's table types (main/journal/tables.ts), compiled to SQL + params,
// and run synchronously on the same better-sqlite3 handle, so a typo in a column is a compile error and
// no SQL text is assembled by hand. Kysely's own executor is async; the journal's reads and writes are
// synchronous by design (one fsync per transition, no await between intent and request), hence the
// DummyDriver: Kysely never opens a connection.
import type Database from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from 'kysely';
import type { JournalSchema } from './tables';

export const journalQueries = new Kysely<JournalSchema>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

// Statements are prepared once per SQL text and handle (a filter has a handful of shapes).
const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function statement(sqlite: Database.Database, sql: string): Database.Statement {
  let cache = prepared.get(sqlite);
  if (!cache) {
    cache = new Map();
    prepared.set(sqlite, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = sqlite.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Every row of a built query, typed by the query itself. */
export function allRows<R>(sqlite: Database.Database, query: Compilable<R>): R[] {
  const { sql, parameters } = query.compile();
  return statement(sqlite, sql).all(...parameters) as R[];
}
