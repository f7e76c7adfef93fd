import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorBody, ErrorCode } from '@kawan/contracts';
import { AppError } from '../errors.ts';

/**
 * The one place errors become HTTP responses: `{"error":{"code","message","requestId"}}`.
 * Validation problems carry field-level details; anything unexpected is a logged 500 with no internals.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const send = (
      status: number,
      code: ErrorCode | string,
      message: string,
      details?: ErrorBody['error']['details'],
    ) =>
      reply
        .status(status)
        .send({ error: { code, message, requestId: req.id, ...(details ? { details } : {}) } });

    if (err instanceof AppError) return send(err.status, err.code, err.message, err.details);

    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const details = err.validation.map((v) => ({
        path: [
          where,
          ...String(v.instancePath ?? '')
            .split('/')
            .filter(Boolean),
        ].join('.'),
        message: v.message ?? 'is invalid',
      }));
      const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      return send(400, 'validation_failed', `Invalid request — ${summary}`, details);
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return send(500, 'internal_error', 'Internal error');
    }
    // Fastify's own client errors: malformed JSON, wrong content type, body too large, rate limit…
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = clientCode(status, err.code);
      return send(status, code, status === 429 ? 'Too many requests, retry later' : err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return send(
      503 === status ? 503 : 500,
      status === 503 ? 'service_unavailable' : 'internal_error',
      'Internal error',
    );
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      error: {
        code: 'route_not_found',
        message: `No route ${req.method} ${req.url.split('?')[0]}`,
        requestId: req.id,
      },
    });
  });
}

function clientCode(status: number, fastifyCode: string | undefined): ErrorCode {
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || status === 400) return 'bad_request';
  return 'bad_request';
}
