// Thin adapters that move bytes to a printer: a serial port (serialport) or a device file the OS
// exposes for a USB printer. Both time out rather than hang the till.
import fs from 'node:fs/promises';
import type { PrinterConfig } from './config';

export interface PrinterTransport {
  readonly target: string;
  write(data: Buffer): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what}: no completion within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function serialTransport(path: string, baudRate: number, timeoutMs: number): PrinterTransport {
  return {
    target: path,
    async write(data: Buffer): Promise<void> {
      // serialport is loaded at the first print to a serial printer, not at start-up.
      const { SerialPort } = await import('serialport');
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      const run = async (): Promise<void> => {
        await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
        try {
          await new Promise<void>((resolve, reject) => port.write(data, (error) => (error ? reject(error) : resolve())));
          await new Promise<void>((resolve, reject) => port.drain((error) => (error ? reject(error) : resolve())));
        } finally {
          await new Promise<void>((resolve) => port.close(() => resolve()));
        }
      };
      await withTimeout(run(), timeoutMs, `printer ${path}`, () => {
        if (port.isOpen) port.close(() => undefined);
      });
    },
  };
}

export function deviceTransport(path: string, timeoutMs: number): PrinterTransport {
  return {
    target: path,
    async write(data: Buffer): Promise<void> {
      const run = async (): Promise<void> => {
        const handle = await fs.open(path, 'w');
        try {
          await handle.write(data);
        } finally {
          await handle.close();
        }
      };
      await withTimeout(run(), timeoutMs, `printer ${path}`, () => undefined);
    },
  };
}

export function transportFor(config: PrinterConfig): PrinterTransport {
  return config.transport === 'device' ? deviceTransport(config.path, config.timeoutMs) : serialTransport(config.path, config.baudRate, config.timeoutMs);
}
