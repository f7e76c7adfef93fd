import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

/**
 * The multimodal endpoints take the image either as multipart/form-data (`file` + text fields, what curl -F and
 * browsers send) or as JSON (`image`: base64 or a data: URL, + the same fields typed), so API clients that only
 * speak JSON need no form encoding. Either way the fields go through one zod schema.
 */

/** Multipart booleans arrive as text; JSON ones as booleans. */
export const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The JSON form of a route's fields: the same fields plus `image`. Fastify validates an absent body (multipart
 * requests: the parts are read later, by the handler) as null; that is "no JSON body", not an invalid one.
 */
export function jsonBodyOf<S extends z.ZodObject>(fields: S) {
  const json = fields.extend({
    image: z
      .string()
      .min(1)
      .describe('The image as base64 or a data: URL (JSON requests; multipart requests send a `file` part)'),
  });
  return z.preprocess((v) => v ?? undefined, json.optional());
}

/** Fastify's bodyLimit for JSON requests carrying a base64 image of up to maxBytes. */
export const jsonBodyLimit = (maxBytes: number) => Math.ceil((maxBytes * 4) / 3) + 64 * 1024;

export async function readImageRequest<S extends z.ZodObject>(
  req: FastifyRequest,
  fields: S,
  maxBytes: number,
): Promise<{ bytes: Buffer; fields: z.output<S> }> {
  if (req.isMultipart()) return readMultipart(req, fields, maxBytes);
  const body = req.body as ({ image: string } & z.output<S>) | undefined;
  if (!body) {
    throw new AppError(
      'unsupported_media_type',
      'Send the image as multipart/form-data (field "file") or as JSON with an "image" field (base64)',
    );
  }
  const { image, ...rest } = body;
  const payload = image.replace(/^data:[^,]{0,200},/, '').replace(/\s+/g, '');
  if (!BASE64.test(payload) || payload.length % 4 === 1) {
    throw invalid('body.image', 'must be base64 or a data: URL with base64 data');
  }
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  return { bytes, fields: rest as z.output<S> };
}

async function readMultipart<S extends z.ZodObject>(
  req: FastifyRequest,
  fields: S,
  maxBytes: number,
): Promise<{ bytes: Buffer; fields: z.output<S> }> {
  let bytes: Buffer | undefined;
  const raw: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fieldSize: 16 * 1024 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          await part.toBuffer();
          throw invalid(`body.${part.fieldname}`, 'send the image in the field "file"');
        }
        bytes = await part.toBuffer();
      } else if (typeof part.value === 'string') {
        raw[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw err;
  }
  if (!bytes) throw invalid('body.file', 'required');
  const parsed = fields.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: ['body', ...i.path].join('.'),
      message: i.message,
    }));
    throw new AppError(
      'validation_failed',
      `Invalid request — ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return { bytes, fields: parsed.data as z.output<S> };
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `Invalid request — ${path}: ${message}`, [{ path, message }]);

const tooLarge = (maxBytes: number) =>
  new AppError(
    'payload_too_large',
    `The image is larger than the limit of ${maxBytes} bytes (MAX_IMAGE_BYTES)`,
  );
