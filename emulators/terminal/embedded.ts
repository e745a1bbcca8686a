// The embedded terminal emulator (demos only, when the config sets terminal.embeddedEmulator). Kept
// apart from index.ts so the composition root can import it without the test-only build helpers.
import type { TerminalLaunch } from '../../main/payapi/terminal/config';
import { Ledger } from './ledger';
import { serveHttp, type RunningTerminal } from './server';

/**
 * In-process emulator for demos: started by the composition root only when the config sets
 * terminal.embeddedEmulator. A crash fault here loses the answer but cannot kill the till.
 */
export async function startEmbeddedTerminalEmulator(stateDir: string): Promise<RunningTerminal & { launch: TerminalLaunch }> {
  const running = await serveHttp({
    ledger: new Ledger(stateDir), defaultFault: 'approve', processingMs: 800, slowMs: 5_000,
    terminalId: 'EMU00001', merchantId: '200000000001056', crash: 'connection',
  }, 0);
  return { ...running, launch: { mode: 'http', url: `http://127.0.0.1:${running.port}/terminal` } };
}
