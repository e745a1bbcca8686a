// The refund screen's search box helpers: pure, tested in search.test.ts.

/** "30.11.2026" / "30.11" (this year) → "2026-11-30"; empty → any day; anything else → null (refused). */
export function parseRuDate(text: string, now = new Date()): string | null | '' {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const m = /^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?$/.exec(trimmed);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = m[3] ? Number(m[3]) : now.getFullYear();
  const d = new Date(year, month - 1, day);
  if (d.getDate() !== day || d.getMonth() !== month - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Ids on one page often share a long prefix («POS-01-20261130-…»): show what tells them apart. */
export function distinctTail(id: string, others: readonly string[]): string {
  if (others.filter((o) => o !== id).length === 0) return id;
  let common = id.length;
  for (const other of others) {
    if (other === id) continue;
    let i = 0;
    while (i < common && i < other.length && other[i] === id[i]) i += 1;
    common = i;
  }
  const cut = id.lastIndexOf('-', common);
  const from = cut > 0 && cut >= common - 12 ? cut + 1 : common;
  return from > 6 ? `…${id.slice(from)}` : id;
}
