import { describe, expect, it } from 'vitest';
import { browserQuickExitReason, decideRestart, HEALTHY_RUN_MS, MAX_START_FAILURES, noDisplayReason } from './supervise';

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
});
