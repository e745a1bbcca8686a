// operation.search: the refund screen's one search box. The journal query narrows by kind and day
// (indexed); the fragment / amount / time match runs over that day's views (a till makes hundreds of
// payments a day, not millions) and the page is cut here.
import type { OperationSearchInput, OperationSearchResult } from '../contract/api';
import { operationSearchSchema } from '../contract/api';
import type { OperationQuery, OperationView } from '../contract/checkout';
import { matchesSearch, parseSearchText } from '../checkout/views';

/** The most operations one search looks at; beyond that the result says `truncated` (pick a date). */
export const SEARCH_SCAN_MAX = 1000;

export function searchOperations(query: (q: OperationQuery) => OperationView[], raw: OperationSearchInput): OperationSearchResult {
  const input = operationSearchSchema.parse(raw);
  const scanned = query({ kind: input.kind, ...(input.date ? { date: input.date } : {}), limit: SEARCH_SCAN_MAX });
  const term = parseSearchText(input.text);
  const matching = scanned.filter((op) => matchesSearch(op, term));
  return {
    items: matching.slice(input.offset, input.offset + input.limit),
    total: matching.length,
    offset: input.offset,
    truncated: scanned.length >= SEARCH_SCAN_MAX,
  };
}
