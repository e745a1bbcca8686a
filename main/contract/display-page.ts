// The display page's address on its own, free of schemas: the kiosk core's first stage serves pages before
// the validators are loaded (docs/architecture.md "Start-up").

/** The display page's file in the built renderer (both shells). */
export const DISPLAY_PAGE = '/display.html';
