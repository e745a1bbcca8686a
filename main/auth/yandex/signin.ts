// From an approved Yandex ID to a person at the till: the Yandex login must be linked to an active
// person (people.yandex_login). The access token is used once here and never stored.
import { PaydeskError } from '../../errors/catalogue';
import type { Person, PeopleStore } from '../../people/store';
import type { YandexConfig } from './config';
import { fetchYandexUser, requestDeviceCode, waitForApproval, type DeviceAuthorization, type WaitOptions } from './device-flow';

export async function personForYandexToken(config: YandexConfig, people: PeopleStore, accessToken: string): Promise<Person> {
  const user = await fetchYandexUser(config, accessToken);
  const person = people.findByYandexLogin(user.login);
  if (!person) throw new PaydeskError('yandex.not_linked', user.login);
  if (!person.active) throw new PaydeskError('signin.inactive', person.id);
  return person;
}

/** The whole flow: `show` receives the code and URL for the screen (text + QR) before polling starts. */
export async function signInWithYandex(
  config: YandexConfig,
  people: PeopleStore,
  deviceId: string,
  show: (auth: DeviceAuthorization) => void,
  options: WaitOptions = {},
): Promise<Person> {
  const auth = await requestDeviceCode(config, deviceId, options.clock);
  show(auth);
  const token = await waitForApproval(config, auth, options);
  return personForYandexToken(config, people, token);
}
