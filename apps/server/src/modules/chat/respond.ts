import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, type ErrorCode } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { openSse, wantsEventStream } from '../../platform/http/sse.ts';
import { presentConversation, presentMessage } from './chat.schemas.ts';
import type { Turn } from './turn.ts';

/**
 * Delivers a turn: as server-sent events when the client asked for `text/event-stream`, else as one JSON body
 * once the answer is stored. `extra` (e.g. the guest's demo quota) joins the `done` event / the JSON body.
 */
export async function respondWithTurn(
  deps: Pick<Deps, 'config'>,
  req: FastifyRequest,
  reply: FastifyReply,
  turn: Turn,
  extra: Record<string, unknown> = {},
) {
  if (!wantsEventStream(req)) {
    req.raw.on('close', () => {
      if (!reply.raw.writableEnded) turn.events.detach();
    });
    for await (const event of turn.events) {
      if (event.type === 'error') {
        const code = event.code in errorCodes ? (event.code as ErrorCode) : 'internal_error';
        throw new AppError(code, event.message);
      }
      if (event.type === 'done') {
        return reply.status(201).send({
          message: presentMessage(event.message),
          userMessage: presentMessage(event.userMessage),
          conversation: presentConversation(event.conversation),
          ...extra,
        });
      }
    }
    throw new AppError('internal_error', 'The answer ended without a result');
  }

  const sse = openSse(req, reply, {
    heartbeatMs: deps.config.SSE_HEARTBEAT * 1000,
    onClose: () => turn.events.detach(),
  });
  for await (const event of turn.events) {
    switch (event.type) {
      case 'delta':
        sse.send('delta', { text: event.text });
        break;
      case 'citation':
        sse.send('citation', event.citation);
        break;
      case 'usage':
        sse.send('usage', event.usage);
        break;
      case 'done':
        sse.send('done', {
          message: presentMessage(event.message),
          userMessage: presentMessage(event.userMessage),
          conversation: presentConversation(event.conversation),
          ...extra,
        });
        break;
      case 'error':
        sse.send('error', { code: event.code, message: event.message, messageId: event.messageId });
        break;
    }
  }
  sse.end();
  return reply;
}
