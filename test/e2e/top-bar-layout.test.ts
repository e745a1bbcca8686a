// Known bug: with sign-in on (access.signIn) the till's top bar (F-key nav + the person's buttons) and the
// status bar overflowed a 1024 px wide window — buttons pushed past the edge or clipped by the bar, the page
// wider than the window. This measures the real layout in Chromium at 1024×768, signed in as the person with
// the most buttons (the administrator: Payments, Rights, lock), in Russian and in English (longer words), with
// the status bar at its fullest (administrator called, a rejected config edit).
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTill, type Till } from './harness';

let till: Till;

beforeAll(async () => {
  till = await startTill({ serial: false, page: false });
  const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(till.configFile, JSON.stringify({ ...config, access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } } }, null, 2));
  await till.restartShell(); // demo people are enrolled at start in the emulator environment
}, 60_000);
afterAll(async () => {
  await till?.close();
});

interface Box { id: string; left: number; right: number; top: number; bottom: number; clipped: boolean }

/** Every control and pill of both bars: its box, and whether its own content is cut (wider than it shows). */
function measure(page: Page): Promise<{ scrollWidth: number; innerWidth: number; bars: { id: string; left: number; right: number; top: number; bottom: number }[]; items: Box[] }> {
  return page.evaluate(() => {
    const box = (el: Element, id: string) => {
      const r = el.getBoundingClientRect();
      return { id, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const bars = [...document.querySelectorAll('.nav, .statusbar')];
    const items: Box[] = [];
    bars.forEach((bar, b) => {
      bar.querySelectorAll('button, .pill, .clock, .muted, [data-testid="signin-who"]').forEach((el, i) => {
        const html = el as HTMLElement;
        if (html.offsetParent === null) return; // not rendered
        const id = html.dataset.testid ?? `${b === 0 ? 'nav' : 'status'}[${i}] ${html.className} «${(html.textContent ?? '').slice(0, 30)}»`;
        // Cut on purpose, the whole text one step away: the signed-in name (full name and role in its title) and a
        // config problem (the pill opens the full list). Nothing else may be cut.
        const clipped = id !== 'signin-who' && id !== 'status-config' && html.scrollWidth > html.clientWidth + 1;
        items.push({ ...box(el, id), clipped });
      });
    });
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, bars: bars.map((bar, i) => box(bar, i === 0 ? 'nav' : 'statusbar')), items };
  });
}

function problems(m: Awaited<ReturnType<typeof measure>>): string[] {
  const out: string[] = [];
  if (m.scrollWidth > m.innerWidth) out.push(`page ${m.scrollWidth} px wide in a ${m.innerWidth} px window`);
  for (const it of m.items) {
    if (it.left < 0 || it.right > m.innerWidth + 0.5) out.push(`${it.id} outside the window (${Math.round(it.left)}–${Math.round(it.right)})`);
    const bar = m.bars.find((b) => it.top >= b.top - 0.5 && it.bottom <= b.bottom + 0.5);
    if (!bar) out.push(`${it.id} sticks out of its bar (${Math.round(it.top)}–${Math.round(it.bottom)})`);
    else if (it.left < bar.left - 0.5 || it.right > bar.right + 0.5) out.push(`${it.id} cut off by ${bar.id}`);
    if (it.clipped) out.push(`${it.id} text cut`);
  }
  for (let i = 0; i < m.items.length; i++) {
    for (let j = i + 1; j < m.items.length; j++) {
      const a = m.items[i] as Box;
      const b = m.items[j] as Box;
      const nested = (x: Box, y: Box) => x.left >= y.left - 0.5 && x.right <= y.right + 0.5 && x.top >= y.top - 0.5 && x.bottom <= y.bottom + 0.5;
      if (nested(a, b) || nested(b, a)) continue; // a button inside a pill
      const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (overlapX > 1 && overlapY > 1) out.push(`${a.id} overlaps ${b.id}`);
    }
  }
  return out;
}

describe('top bar and status bar at 1024×768 with sign-in on', () => {
  it('nothing overflows, is cut off or overlaps — Russian and English, status bar at its fullest', async () => {
    const { page } = till;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('signin').waitFor();
    await page.getByTestId('signin-person-demo-admin').click();
    await page.getByTestId('signin-pin').fill('8402');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('signin-who').getAttribute('data-person')).toBe('demo-admin');
    await page.getByTestId('nav-access').waitFor();
    await page.getByTestId('status-call-admin').click();
    await page.getByTestId('status-admin-called').waitFor();
    // A typo in the config: the status bar carries the problem pill too (the last good config stays live).
    const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(till.configFile, JSON.stringify({ ...config, tilll: {} }, null, 2));
    await page.getByTestId('status-config').waitFor();
    await till.screenshot('top-bar-1024-ru');
    expect(problems(await measure(page))).toEqual([]);

    await page.keyboard.press('F4');
    await expect.poll(() => page.getByTestId('app').getAttribute('data-lang')).toBe('en');
    await till.screenshot('top-bar-1024-en');
    expect(problems(await measure(page))).toEqual([]);
    // Everything stays reachable: the people's buttons and the status bar's admin button are clickable in place.
    for (const id of ['nav-payments', 'nav-access', 'nav-lock', 'nav-help', 'nav-lang', 'status-admin-came', 'status-config']) {
      await page.getByTestId(id).click({ trial: true, timeout: 2_000 });
    }
    await page.getByTestId('status-config').click();
    expect(await page.getByTestId('status-config-details').textContent()).toContain('tilll');
    expect(await page.getByTestId('nav-help').getAttribute('title')).toBe('Keys');
    fs.writeFileSync(till.configFile, JSON.stringify(config, null, 2));
  }, 60_000);
});
