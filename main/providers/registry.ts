// The provider registry: adding a provider is a folder and one line here (docs/providers.md).
// The composition root (main/core) reads it; checkout, journal, reports, contract, api and the
// renderer never import provider folders (enforced in eslint.config.js).
import { extpayProvider } from '../payapi/extpay/descriptor';
import { halykProvider } from '../payapi/halyk/descriptor';
import { tochkaProvider } from '../payapi/tochka/descriptor';
import { koshelekProvider } from '../payapi/koshelek/descriptor';
import { terminalProvider } from '../payapi/terminal/descriptor';
import { register, type RegisteredProvider } from './types';

export const PROVIDERS: readonly RegisteredProvider[] = [
  register(koshelekProvider),
  register(terminalProvider),
  register(extpayProvider),
  register(tochkaProvider),
  register(halykProvider),
];

export function findProvider(name: string): RegisteredProvider | null {
  return PROVIDERS.find((p) => p.name === name) ?? null;
}
