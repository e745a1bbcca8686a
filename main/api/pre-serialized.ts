// A method's result that is already JSON text, checked against the contract where it was made (the report
// worker checks an X report with the contract's own schema before it leaves the worker). The dispatcher does
// not parse it again and the shells splice the text into their response frame as it is, so a 5.7 MB report
// never becomes an object on the core's heap (docs/reports.md «Bench»).
import { apiResponseSchema, type ApiResponse } from '../contract/api';

export class PreSerialized<T> {
  /** Never read: ties the text to the output type it was checked against. */
  declare readonly output?: T;

  /**
   * @param known what the core itself holds of the result, for a caller that acts on it without parsing the
   * text (a closed Z: its closing transaction's report, the same head without lines).
   */
  constructor(readonly json: string, readonly known?: T) {
    // A cheap guard on the splice only (the content was checked in the worker): text that is not one JSON
    // object would corrupt the frame it is spliced into. Its two ends, not a regular expression: a pattern
    // over the whole text walked 6 MB on the core's loop (~2.5 ms per X).
    if (json.length < 2 || !json.startsWith('{') || !json.endsWith('}')) throw new Error('pre-serialised result is not a JSON object text');
  }
}

/** A response as JSON text: pre-serialised data is spliced in unchanged, anything else stringified. */
export function responseJson(response: ApiResponse): string {
  if (response.ok && response.data instanceof PreSerialized) return `{"ok":true,"data":${response.data.json}}`;
  return JSON.stringify(response);
}

/** A kiosk WebSocket response frame (`{ id, response }`, docs/ui.md) with its data spliced in. */
export function responseFrameJson(id: number, response: ApiResponse): string {
  return `{"id":${JSON.stringify(id)},"response":${responseJson(response)}}`;
}

/** The response as plain values, for in-process callers that read the data (tests, the Electron bridge). */
export function plainResponse(response: ApiResponse): ApiResponse {
  if (response.ok && response.data instanceof PreSerialized) return apiResponseSchema.parse(JSON.parse(responseJson(response)));
  return response;
}
