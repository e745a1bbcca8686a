import { describe, expect, it } from 'vitest';
import { browserQuickExitReason, decideRestart, HEALTHY_RUN_MS, isStartMessage, isUpgradeMessage, MAX_START_FAILURES, MAX_UPGRADE_BYTES, noDisplayReason } from './supervise';

describe('kiosk supervisor rules', () => {
  it('restarts a core that died, with growing delays, and gives up on one that never starts', () => {
    let streak = 0;
    const delays: number[] = [];
    for (let i = 0; i < MAX_START_FAILURES - 1; i += 1) {
      const d = decideRestart({ wasReady: false, ranMs: 100, streak });
      expect(d.restart).toBe(true);
      if (d.restart) delays.push(d.delayMs);
      streak = d.streak;
    }
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(decideRestart({ wasReady: false, ranMs: 100, streak }).restart).toBe(false);
  });
  it('a core that served for a while starts a fresh streak (a crash a day never stops the till)', () => {
    const d = decideRestart({ wasReady: true, ranMs: HEALTHY_RUN_MS + 1, streak: 40 });
    expect(d).toEqual({ restart: true, delayMs: 250, streak: 1 });
    expect(decideRestart({ wasReady: true, ranMs: 10, streak: 40 }).restart).toBe(true);
  });
  it('says why no window can open', () => {
    expect(noDisplayReason({}, 'linux')).toContain('нет экрана');
    expect(noDisplayReason({ DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(noDisplayReason({}, 'win32')).toBeNull();
    expect(browserQuickExitReason(1, null, 0, '')).toContain('от root');
    expect(browserQuickExitReason(1, null, 1000, 'Missing X server or $DISPLAY')).toContain('нет доступа к экрану');
    // started through nice: a PAYDESK_BROWSER that does not exist is nice's exit 127, not a spawn error
    expect(browserQuickExitReason(127, null, 1000, "nice: '/opt/none/chromium': No such file or directory\n")).toContain('PAYDESK_BROWSER');
    expect(browserQuickExitReason(127, null, 1000, '')).not.toContain('PAYDESK_BROWSER');
  });
  it('takes only well-formed messages from the other process', () => {
    const start = { type: 'start', port: 4321, token: 't'.repeat(43) };
    expect(isStartMessage(start)).toBe(true);
    expect(isStartMessage({ ...start, launch: { code: 'c'.repeat(32), expiresAt: Date.now() } })).toBe(true);
    expect(isStartMessage({ ...start, launch: { code: 'bad code', expiresAt: 1 } })).toBe(false);
    expect(isStartMessage({ ...start, launch: { code: 'c'.repeat(32), expiresAt: '1' } })).toBe(false);
    expect(isStartMessage({ ...start, port: 0 })).toBe(false);
    expect(isStartMessage({ ...start, port: 70_000 })).toBe(false);
    const upgrade = { type: 'upgrade', method: 'GET', url: '/api', headers: { host: '127.0.0.1:1', 'x-two': ['a', 'b'] }, head: '' };
    expect(isUpgradeMessage(upgrade)).toBe(true);
    expect(isUpgradeMessage({ ...upgrade, headers: { host: 1 } })).toBe(false);
    expect(isUpgradeMessage({ ...upgrade, headers: [] })).toBe(false);
    expect(isUpgradeMessage({ ...upgrade, head: 'x'.repeat(MAX_UPGRADE_BYTES * 2) })).toBe(false);
  });
});
