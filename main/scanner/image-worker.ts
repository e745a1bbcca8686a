// The decode worker (worker_threads): still pictures are decoded here so a slow or hostile image can
// never stall the core's event loop (a 44 KB PNG once froze it for 8.8 s and lost serial scans).
// Protocol: { id, input } in, { id, result } out; one request at a time (image-pool.ts queues them).
import { parentPort } from 'node:worker_threads';
import type { ImageDecode, ImageInput } from './image';
import { decodeStill } from './still';

export interface DecodeRequest { id: number; input: ImageInput }
export interface DecodeReply { id: number; result: ImageDecode }

parentPort?.on('message', (request: DecodeRequest) => {
  void decodeStill(request.input).then((result) => {
    const reply: DecodeReply = { id: request.id, result };
    parentPort?.postMessage(reply);
  });
});
