// The Tochka emulator: real loopback HTTP speaking the documented contract (see server.ts).
export { TochkaEmulator, type TochkaEmulatorOptions, type TochkaFault, type EmulatedOperation, type WebhookAttempt } from './server';
