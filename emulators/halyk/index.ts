// The Halyk ePay emulator: real loopback HTTP speaking the documented contract (see server.ts).
export { HalykEmulator, type HalykFault, type HalykInvoice } from './server';
