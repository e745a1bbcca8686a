// The Electron side of a pre-serialised answer (main/api/pre-serialized.ts): the core host sends the response as
// text and the shell's process reads it; text that is not a response is an error for the window, never a hang.
import { describe, expect, it } from 'vitest';
import { PreSerialized, responseJson } from '../api/pre-serialized';
import { connectCoreHost, type HostChannel } from './core-client';
import type { HostInbound, HostOutbound } from './core-host';

function fakeHost(): { channel: HostChannel; sent: HostInbound[]; reply: (m: HostOutbound) => void } {
  const sent: HostInbound[] = [];
  let listener: (m: HostOutbound) => void = () => undefined;
  return {
    sent,
    reply: (m) => listener(m),
    channel: { post: (m) => sent.push(m), onMessage: (l) => { listener = l; }, onExit: () => undefined },
  };
}

describe('core client: responses sent as text', () => {
  it('answers the invoke with the parsed response, and refuses unreadable text clearly', async () => {
    const host = fakeHost();
    const client = connectCoreHost(host.channel);
    const first = client.invoke('report.x', {});
    const second = client.invoke('report.x', {});
    const ids = host.sent.map((m) => (m.type === 'invoke' ? m.id : -1));
    host.reply({ type: 'responseText', id: ids[0]!, text: responseJson({ ok: true, data: new PreSerialized('{"type":"x","operations":[]}') }) });
    host.reply({ type: 'responseText', id: ids[1]!, text: '{"ok":true,"data":' });
    expect(await first).toEqual({ ok: true, data: { type: 'x', operations: [] } });
    const broken = await second;
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.key).toBe('internal.unexpected');
  });
});
