// USB-serial / RS-232 scanner reader (anchors C.6): opens the configured port, frames scans by suffix,
// survives unplug/replug by reopening the same path every reconnectMs, and reports its state.
import fs from 'node:fs';
import type { SerialPort } from 'serialport';
import type { ScannerState, ScannerStatus } from '../contract/scan';
import type { SerialScannerConfig } from './config';
import { SuffixFramer, type FragmentReason, type Frame } from './framer';

export interface SerialReaderEvents {
  frame(frame: Frame): void;
  status(status: ScannerStatus): void;
  fragment?(text: string, reason: FragmentReason): void;
}

export class SerialScannerReader {
  private port: SerialPort | null = null;
  private framer: SuffixFramer;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private running = false;
  private everConnected = false;
  private attempts = 0;
  private openedRealPath: string | null = null;
  private current: ScannerStatus;

  constructor(private readonly config: SerialScannerConfig, private readonly events: SerialReaderEvents) {
    this.framer = new SuffixFramer(config, { frame: (f) => events.frame(f), fragment: (t, r) => events.fragment?.(t, r) });
    this.current = this.make('stopped');
  }

  get status(): ScannerStatus {
    return this.current;
  }

  /** Starts reading; resolves after the first open attempt (connected or not: it keeps retrying). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.setState('connecting');
    await this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopWatch();
    await this.closePort();
    this.framer.reset();
    this.setState('stopped');
  }

  private make(state: ScannerState, messageKey?: string, detail?: string): ScannerStatus {
    return {
      device: 'serial', state, path: this.config.path, at: new Date().toISOString(), attempts: this.attempts,
      ...(messageKey ? { messageKey } : {}), ...(detail ? { detail } : {}),
    };
  }

  private setState(state: ScannerState, messageKey?: string, detail?: string): void {
    const same = this.current.state === state && this.current.messageKey === messageKey;
    this.current = this.make(state, messageKey, detail);
    // Retries while unplugged repeat the same state: report it once, not every reconnectMs.
    if (!same) this.events.status(this.current);
  }

  private async open(): Promise<void> {
    // serialport (native) is loaded when a serial scanner is configured, not at every start-up.
    const { SerialPort: Port } = await import('serialport');
    return new Promise((resolve) => {
      const port = new Port({
        path: this.config.path, baudRate: this.config.baudRate, dataBits: this.config.dataBits,
        parity: this.config.parity, stopBits: this.config.stopBits, autoOpen: false, lock: true,
      });
      port.open((error) => {
        if (!this.running) {
          if (!error) port.close(() => undefined);
          resolve();
          return;
        }
        if (error) {
          this.attempts += 1;
          const first = !this.everConnected && this.attempts === 1;
          this.setState(this.everConnected ? 'reconnecting' : first ? 'disconnected' : 'reconnecting',
            this.everConnected ? 'scanner.disconnected' : 'scanner.open_failed', error.message);
          this.scheduleRetry();
          resolve();
          return;
        }
        this.port = port;
        this.openedRealPath = this.realPath();
        port.on('data', (chunk: Buffer) => this.framer.push(chunk));
        port.on('error', (e: Error) => this.lost(port, e.message));
        port.on('close', () => this.lost(port, 'port closed'));
        const wasLost = this.everConnected;
        this.everConnected = true;
        this.attempts = 0;
        this.setState('connected', wasLost ? 'scanner.reconnected' : undefined);
        this.startWatch(port);
        resolve();
      });
    });
  }

  private realPath(): string | null {
    try { return fs.realpathSync(this.config.path); } catch { return null; }
  }

  /**
   * USB re-enumeration can leave the old fd silent instead of failing it; a by-id link that now
   * points elsewhere (or nowhere) also means the device went away.
   */
  private startWatch(port: SerialPort): void {
    this.stopWatch();
    this.watchTimer = setInterval(() => {
      if (this.port !== port) return;
      const now = this.realPath();
      if (now !== this.openedRealPath) this.lost(port, now === null ? `${this.config.path} vanished` : `${this.config.path} now points to ${now}`);
    }, this.config.reconnectMs);
    this.watchTimer.unref();
  }

  private stopWatch(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  private lost(port: SerialPort, why: string): void {
    if (this.port !== port) return;
    this.port = null;
    this.stopWatch();
    this.framer.reset();
    port.removeAllListeners('data');
    if (port.isOpen) port.close(() => undefined);
    if (!this.running) return;
    this.setState('disconnected', 'scanner.disconnected', why);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.running) return;
      if (this.everConnected) this.setState('reconnecting', 'scanner.disconnected');
      void this.open();
    }, this.config.reconnectMs);
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }
}
