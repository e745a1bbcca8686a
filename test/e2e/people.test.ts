// People at the till end to end (Chromium → kiosk shell → core → SQLite, emulator environment with its
// demo people): sign-in with a wrong then right PIN, one right granted to one cashier by the
// administrator, a cashier's refund refused and then approved on the spot by the manager's PIN (both
// on the audit trail), and the matrix edited live by the super-administrator.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { startTill, type Till } from './harness';

let till: Till;
let saleOrder = '';

beforeAll(async () => {
  till = await startTill({ serial: false, page: false, confirmDelayMs: 200 });
  const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(till.configFile, JSON.stringify({ ...config, access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } } }, null, 2));
  await till.restartShell(); // demo people are enrolled at start in the emulator environment
}, 60_000);
afterAll(async () => {
  await till?.close();
});

async function signIn(personId: string, pin: string): Promise<void> {
  const { page } = till;
  // Lock the till (the person's button); another person signing in on the locked screen replaces the session.
  if (await page.getByTestId('nav-lock').isVisible()) await page.getByTestId('nav-lock').click();
  await page.getByTestId('signin').waitFor();
  await page.getByTestId(`signin-person-${personId}`).click();
  await page.getByTestId('signin-pin').fill(pin);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.getByTestId('signin-who').getAttribute('data-person')).toBe(personId);
}

function audit(): { kind: string; actor: string | null; data: Record<string, unknown> }[] {
  return (till.shell.core.journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as { entry_json: string }[])
    .map((r) => JSON.parse(r.entry_json) as { kind: string; actor: string | null; data: Record<string, unknown> });
}

describe('people, rights and approvals at the till', () => {
  it('sign-in refuses a wrong PIN, then the cashier is in; a sale is recorded under her name', async () => {
    const { page } = till;
    await page.getByTestId('signin').waitFor();
    await till.screenshot('people-01-signin');
    await page.getByTestId('signin-person-demo-cashier').click();
    await page.getByTestId('signin-pin').fill('1111');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('signin-error').getAttribute('data-error-key')).toBe('signin.wrong_pin');
    await page.getByTestId('signin-pin').fill('4821');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('signin-who').textContent()).toContain('Кассир (демо)');
    // The cashier may not open the Payments section by default.
    expect(await page.getByTestId('nav-payments').count()).toBe(0);
    const barcode = testCardBarcode('OK');
    saleOrder = `E2E-PEOPLE-${Date.now()}`;
    const paid = await till.shell.session.dispatch('sale.pay', { orderId: saleOrder, amountKop: 700_00, card: { loyaltyId: barcode.slice(2, 15), payToken: barcode.slice(15, 21) }, paymentType: 'SBP' });
    expect(paid.ok).toBe(true);
    const id = paid.ok ? (paid.data as { id: string }).id : '';
    expect((await till.shell.core.checkout.waitFinal(id, 10_000)).outcome).toBe('paid');
    await expect.poll(() => audit().find((e) => e.kind === 'sale')?.actor).toBe('demo-cashier');
  }, 60_000);

  it('the administrator grants the Payments section to this one cashier', async () => {
    const { page } = till;
    await signIn('demo-admin', '8402');
    await page.getByTestId('nav-access').click();
    await page.getByTestId('access-matrix').waitFor();
    await page.getByTestId('right-person').selectOption('demo-cashier');
    await page.getByTestId('right-permission').selectOption('payments_section');
    await page.getByTestId('right-grant').click();
    await expect.poll(() => page.getByTestId('access-person-rights-demo-cashier').textContent()).toContain('раздел «Платежи»');
    await expect.poll(() => page.getByTestId('access-person-rights-demo-senior').textContent()).toBe('');
    await till.screenshot('people-02-right-granted');
    expect(audit().filter((e) => e.kind === 'permission_change').at(-1)).toMatchObject({ actor: 'demo-admin', data: { person: 'demo-cashier', permission: 'payments_section', effect: 'grant' } });
  }, 60_000);

  it('the cashier\'s refund is refused alone, then approved by the manager\'s PIN; both are recorded', async () => {
    const { page } = till;
    await signIn('demo-cashier', '4821');
    await page.keyboard.press('Control+KeyP');
    const row = page.getByTestId('payments-row').first();
    await row.waitFor();
    expect(await row.getByTestId('payments-row-person').textContent()).toContain('Кассир (демо)');
    expect(await row.getByTestId('payments-refund').getAttribute('data-decision')).toBe('needs_approval');
    await row.getByTestId('payments-refund').click();
    await page.getByTestId('refund-dialog-amount').fill('250');
    // Refused alone: the core asks for a supervisor; closing the dialog leaves the refusal on screen.
    await page.getByTestId('refund-dialog-send').click();
    await page.getByTestId('approval-dialog').waitFor();
    expect(await page.getByTestId('approval-reason').textContent()).toContain('Нужно подтверждение старшего');
    await page.getByTestId('approval-cancel').click();
    await expect.poll(() => page.getByTestId('refund-dialog-error').getAttribute('data-error-key')).toBe('access.needs_approval');
    expect(till.shell.core.checkout.query({ kind: 'refund' })).toHaveLength(0);
    // A wrong supervisor PIN is refused and asked again; the manager's PIN approves.
    await page.getByTestId('refund-dialog-send').click();
    await page.getByTestId('approval-person').selectOption('demo-manager');
    await page.getByTestId('approval-pin').fill('0000');
    await page.getByTestId('approval-submit').click();
    await expect.poll(() => page.getByTestId('approval-reason').textContent()).toContain('Неверный PIN');
    await page.getByTestId('approval-person').selectOption('demo-manager');
    await page.getByTestId('approval-pin').fill('5937');
    await till.screenshot('people-03-approval');
    await page.getByTestId('approval-submit').click();
    await page.getByTestId('refund-dialog-done').waitFor();
    const refunds = till.shell.core.checkout.query({ kind: 'refund' });
    expect(refunds).toHaveLength(1);
    expect((await till.shell.core.checkout.waitFinal(refunds[0]?.id ?? '', 10_000)).outcome).toBe('refunded');
    await expect.poll(() => audit().some((e) => e.kind === 'refund')).toBe(true);
    expect(audit().find((e) => e.kind === 'approval')).toMatchObject({ actor: 'demo-cashier', data: { approver: 'demo-manager', amountMinor: 250_00, method: 'pin' } });
    expect(audit().find((e) => e.kind === 'refund')).toMatchObject({ actor: 'demo-cashier', data: { approver: 'demo-manager', amountMinor: 250_00 } });
    await page.getByTestId('refund-dialog-close').click();
    await expect.poll(() => page.getByTestId('payments-row').first().getAttribute('data-order-status')).toBe('partly_refunded');
  }, 60_000);

  it('the Refund screen (F2) gets the same on-the-spot approval: the manager\'s card', async () => {
    const { page } = till;
    await page.keyboard.press('F2');
    await page.getByTestId('refund-query').fill(saleOrder);
    await page.keyboard.press('Enter');
    await page.getByTestId('refund-selected').waitFor({ timeout: 5000 });
    await page.getByTestId('refund-amount').fill('100');
    // F7 acts on the screen's state: wait until the amount is in it and the button is live.
    await expect.poll(() => page.getByTestId('refund-partial').isEnabled()).toBe(true);
    await page.getByTestId('refund-partial').click();
    await page.getByTestId('refund-confirm').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('approval-dialog').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('approval-reason').textContent()).toContain('подтверждение старшего');
    await page.getByTestId('approval-card').fill('STAFF-DEMO-MANAGER');
    await till.screenshot('people-04-approval-dialog');
    await page.getByTestId('approval-card').press('Enter');
    await page.getByTestId('refund-result').waitFor({ timeout: 10_000 });
    await expect.poll(() => audit().filter((e) => e.kind === 'approval').length).toBe(2);
    expect(audit().filter((e) => e.kind === 'approval').at(-1)).toMatchObject({ actor: 'demo-cashier', data: { approver: 'demo-manager', method: 'card', amountMinor: 100_00 } });
  }, 60_000);

  it('the super-administrator edits the matrix live: cashiers may refund on their own from now on', async () => {
    const { page } = till;
    await signIn('demo-root', '7315');
    await page.getByTestId('nav-access').click();
    await page.getByTestId('matrix-cashier-refund').selectOption('allow');
    await page.getByTestId('matrix-save').click();
    await page.getByTestId('access-note').waitFor();
    await till.screenshot('people-05-matrix');
    await signIn('demo-cashier', '4821');
    await page.keyboard.press('Control+KeyP');
    const row = page.getByTestId('payments-row').first();
    await expect.poll(() => row.getByTestId('payments-refund').getAttribute('data-decision')).toBe('allow');
    expect(audit().filter((e) => e.kind === 'permission_change').at(-1)).toMatchObject({ actor: 'demo-root', data: { change: 'matrix' } });
  }, 60_000);

  it('a sale marked as a service under way cannot be refunded; cancelled, it can', async () => {
    const { page } = till;
    const row = page.getByTestId('payments-row').first();
    await row.getByTestId('payments-service').selectOption('in_progress');
    await expect.poll(() => row.getByTestId('payments-refund').getAttribute('data-decision')).toBe('deny');
    expect(await row.getByTestId('payments-refund').isDisabled()).toBe(true);
    await till.screenshot('people-06-service');
    await row.getByTestId('payments-service').selectOption('cancelled');
    await expect.poll(() => row.getByTestId('payments-refund').getAttribute('data-decision')).toBe('allow');
    expect(audit().filter((e) => e.kind === 'service_change').map((e) => e.data.to)).toEqual(['in_progress', 'cancelled']);
  }, 60_000);
});
