import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { resolveChatModel } from '../../platform/llm/resolve-model.ts';
import { analyzeImage } from './analyze-image.ts';
import {
  analyzeFields,
  analyzeResponse,
  ocrFields,
  ocrResponse,
  processFields,
  processQuery,
  processResponse,
} from './multimodal.schemas.ts';
import { ACCEPTED_IMAGES, openImage } from './open-image.ts';
import { factsOf, processImage } from './process-image.ts';
import { jsonBodyLimit, jsonBodyOf, readImageRequest } from './read-image-request.ts';
import { recognizeText } from './recognize-text.ts';

const params = z.object({ orgId: prefixedId('org') });

const how = (fields: string) =>
  `Send the image (${ACCEPTED_IMAGES}) as multipart/form-data in a \`file\` part with ${fields} as text fields, ` +
  'or as JSON with the image base64-encoded (or as a data: URL) in `image` and the same fields. ' +
  'The type is read from the bytes: anything else is 415; an image that cannot be decoded is 422; ' +
  'more than MAX_IMAGE_BYTES or 60 megapixels is 413.';

/** Aborted when the client goes away before the answer is written, so a model call stops for nobody. */
function clientGone(reply: FastifyReply): AbortSignal {
  const ctl = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) ctl.abort();
  });
  return ctl.signal;
}

export const multimodalRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const base = '/orgs/:orgId/multimodal';
  const maxBytes = deps.config.MAX_IMAGE_BYTES;
  const bodyLimit = jsonBodyLimit(maxBytes);

  app.post(
    `${base}/ocr`,
    {
      bodyLimit,
      config: { access: 'multimodal:use' },
      schema: {
        tags: ['multimodal'],
        summary: 'Read the text in an image: words and lines with boxes and confidence (English, Indonesian)',
        description: how('an optional `langs` (eng, ind or eng+ind)'),
        params,
        body: jsonBodyOf(ocrFields),
        response: { 200: ocrResponse },
      },
    },
    async (req) => {
      const { bytes, fields } = await readImageRequest(req, ocrFields, maxBytes);
      return recognizeText(await openImage(bytes), { langs: fields.langs });
    },
  );

  app.post(
    `${base}/process-image`,
    {
      bodyLimit,
      config: { access: 'multimodal:use' },
      schema: {
        tags: ['multimodal'],
        summary: 'Resize, convert, thumbnail, rotate and strip metadata (EXIF) — or just read the metadata',
        description: how(
          '`width`, `height`, `fit`, `thumbnail`, `format` (png, jpeg, webp, avif), `quality`, `rotate` and ' +
            '`stripMetadata` (default true)',
        ),
        params,
        querystring: processQuery,
        body: jsonBodyOf(processFields),
        response: { 200: processResponse },
      },
    },
    async (req, reply) => {
      const { bytes, fields } = await readImageRequest(req, processFields, maxBytes);
      const img = await openImage(bytes);
      if (req.query.output === 'metadata') return { input: factsOf(img) };
      const out = await processImage(img, fields);
      if (req.query.output === 'json') {
        return { input: factsOf(img), output: out.facts, data: out.bytes.toString('base64') };
      }
      const ext = out.facts.format === 'heif' ? 'avif' : out.facts.format;
      // The typed reply only knows the JSON shapes; raw bytes bypass serialization (Fastify sends Buffers as-is).
      return (reply as FastifyReply)
        .type(out.facts.mimeType)
        .header('content-disposition', `inline; filename="processed.${ext}"`)
        .header('x-content-type-options', 'nosniff')
        .header('x-image-width', String(out.facts.width))
        .header('x-image-height', String(out.facts.height))
        .send(out.bytes);
    },
  );

  app.post(
    `${base}/analyze`,
    {
      bodyLimit,
      config: { access: 'multimodal:use' },
      schema: {
        tags: ['multimodal'],
        summary:
          'Describe an image: with a vision model when one is configured, otherwise offline (OCR text + image facts)',
        description: how('optional `prompt`, `model` and `langs`'),
        params,
        body: jsonBodyOf(analyzeFields),
        response: { 200: analyzeResponse },
      },
    },
    async (req, reply) => {
      const { bytes, fields } = await readImageRequest(req, analyzeFields, maxBytes);
      const img = await openImage(bytes);
      const { orgId } = req.params;
      return analyzeImage(deps, (ref) => resolveChatModel(deps, orgId, ref), img, fields, clientGone(reply));
    },
  );
};
