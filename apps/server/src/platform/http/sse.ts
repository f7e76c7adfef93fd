import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Server-sent events on a hijacked reply. Headers set earlier on the reply (request id, CORS) are kept;
 * `X-Accel-Buffering: no` stops nginx from buffering the stream; a comment line every `heartbeatMs` keeps
 * idle proxies from closing it. `onClose` fires once when the client goes away before `end()`.
 */
export interface SseStream {
  send(event: string | null, data: unknown): void;
  /** raw `data:` line, for protocols that frame their own payloads (OpenAI's `data: [DONE]`) */
  sendRaw(data: string): void;
  end(): void;
  readonly closed: boolean;
}

export function wantsEventStream(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

export function openSse(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { heartbeatMs: number; onClose?: () => void },
): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  let closed = false;
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, opts.heartbeatMs);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
  };
  res.on('close', () => {
    if (closed) return;
    finish();
    opts.onClose?.();
  });
  req.log.debug({ url: req.url }, 'sse stream opened');
  return {
    get closed() {
      return closed;
    },
    send(event, data) {
      if (closed) return;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    sendRaw(data) {
      if (!closed) res.write(`data: ${data}\n\n`);
    },
    end() {
      if (closed) return;
      finish();
      res.end();
    },
  };
}
