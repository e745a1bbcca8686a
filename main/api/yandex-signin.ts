// Yandex ID sign-in at the till (docs/people-and-audit.md "Yandex ID"): the device flow split into a
// start (code + address for the screen) and one poll per API call, so the renderer drives the pace
// and nothing waits on the core's loop. Network failures are counted; after `maxNetworkFailures` in a
// row the matrix's offline fallback (`offline_admin_sign_in`) may let a PIN alone through.
import { randomUUID } from 'node:crypto';
import type { TillPeople } from '../access/till';
import { pollToken, requestDeviceCode, yandexRequirement, type DeviceAuthorization } from '../auth/yandex/device-flow';
import { personForYandexToken } from '../auth/yandex/signin';
import { PaydeskError } from '../errors/catalogue';
import type { Person } from '../people/store';
import type { SessionCore } from './shift-api';

/** Attempts kept at once: a till has one screen; old ones are dropped. */
const MAX_ATTEMPTS = 4;

export interface YandexSignIn {
  start(): Promise<{ attempt: string; userCode: string; verificationUrl: string; expiresInSec: number }>;
  poll(attempt: string): Promise<{ state: 'pending' | 'signed_in'; person: { id: string; name: string } | null }>;
  /** The PIN / card sign-in gate: throws when this person must use Yandex ID now. */
  requirementFor(person: Person): 'ok' | 'offline_fallback';
}

export function createYandexSignIn(core: SessionCore & { readonly people: TillPeople }, nowMs: () => number = () => Date.now()): YandexSignIn {
  const attempts = new Map<string, DeviceAuthorization>();
  let networkFailures = 0;
  const config = () => core.config.current().yandexId;
  const counted = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      networkFailures = 0;
      return result;
    } catch (error) {
      if (error instanceof PaydeskError && error.key === 'yandex.unavailable') networkFailures += 1;
      throw error;
    }
  };
  return {
    async start() {
      const auth = await counted(() => requestDeviceCode(config(), core.config.current().till.terminalId));
      const attempt = randomUUID();
      attempts.set(attempt, auth);
      while (attempts.size > MAX_ATTEMPTS) attempts.delete(attempts.keys().next().value as string);
      return { attempt, userCode: auth.userCode, verificationUrl: auth.verificationUrl, expiresInSec: Math.max(0, Math.round((auth.expiresAtMs - nowMs()) / 1000)) };
    },
    async poll(attempt) {
      const auth = attempts.get(attempt);
      if (!auth) throw new PaydeskError('yandex.expired', 'unknown attempt');
      if (nowMs() >= auth.expiresAtMs) {
        attempts.delete(attempt);
        throw new PaydeskError('yandex.expired');
      }
      const result = await counted(() => pollToken(config(), auth.deviceCode));
      if (result.state === 'pending' || result.state === 'slow_down') return { state: 'pending', person: null };
      attempts.delete(attempt);
      if (result.state === 'denied') {
        core.people.audit({ kind: 'sign_in_failed', actor: null, data: { method: 'yandex', reason: 'yandex.denied' } });
        throw new PaydeskError('yandex.denied');
      }
      if (result.state === 'expired') throw new PaydeskError('yandex.expired');
      const person = await counted(() => personForYandexToken(config(), core.people.people, result.accessToken));
      core.people.signInConfirmed(person);
      return { state: 'signed_in', person: { id: person.id, name: person.name } };
    },
    requirementFor(person) {
      const table = core.people.access.table;
      const need = yandexRequirement({
        enabled: config().enabled,
        roleRequiresYandex: table.requiresYandex(person.role),
        yandexReachable: networkFailures < config().maxNetworkFailures,
        offlineAllowed: table.rule(person.id, 'offline_admin_sign_in') === 'allow',
      });
      if (need === 'required') throw new PaydeskError('signin.yandex_required', person.id);
      if (need === 'refused') throw new PaydeskError('yandex.unavailable', 'offline sign-in not allowed for this person');
      return need === 'offline_fallback' ? 'offline_fallback' : 'ok';
    },
  };
}
