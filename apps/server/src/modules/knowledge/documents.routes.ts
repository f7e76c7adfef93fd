import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { contextOf, orgAccessOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import * as service from './documents.service.ts';
import { listChunks, listDocuments } from './knowledge.repo.ts';
import {
  chunkSchema,
  documentMetaSchema,
  documentSchema,
  documentStatusSchema,
  presentChunk,
  presentDocument,
} from './documents.schemas.ts';

const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });
const docParams = botParams.extend({ docId: prefixedId('doc') });

const multipartFields = z.object({
  title: z.string().trim().min(1).max(300).optional(),
  tags: z
    .string()
    .max(2000)
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(z.string().max(50)).max(30).optional()),
  metadata: z
    .string()
    .max(10_000)
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(documentMetaSchema.shape.metadata),
});

/** Reads one file and the text fields of a multipart request; fields are validated with zod like any body. */
async function readUpload(
  req: FastifyRequest,
): Promise<{ file: service.IncomingFile; fields: z.output<typeof multipartFields> }> {
  if (!req.isMultipart())
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data (field "file")');
  let file: service.IncomingFile | undefined;
  const raw: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || file) {
        await part.toBuffer();
        throw new AppError('bad_request', 'Send exactly one file, in the field "file"');
      }
      file = {
        bytes: await part.toBuffer(),
        filename: part.filename || 'upload',
        declaredMime: part.mimetype,
      };
    } else if (typeof part.value === 'string') {
      raw[part.fieldname] = part.value;
    }
  }
  if (!file)
    throw new AppError('validation_failed', 'The multipart body has no "file" field', [
      { path: 'body.file', message: 'required' },
    ]);
  const parsed = multipartFields.safeParse(raw);
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
  return { file, fields: parsed.data };
}

const multipartDoc = {
  description:
    'multipart/form-data with a `file` (PDF, DOCX, TXT, MD, HTML, CSV, JSON, PNG, JPEG, WebP) and optional text fields `title`, `tags` (comma-separated) and `metadata` (a JSON object).',
};

export const documentRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const base = '/orgs/:orgId/chatbots/:botId/documents';

  app.post(
    base,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Upload a document; ingestion runs in the background (watch status and progress)',
        ...multipartDoc,
        params: botParams,
        response: {
          201: z.object({ document: documentSchema, duplicate: z.literal(false) }),
          200: z.object({ document: documentSchema, duplicate: z.literal(true) }),
        },
      },
    },
    async (req, reply) => {
      await service.requireChatbotOf(deps, req.params.orgId, req.params.botId); // 404 before reading the body
      const { file, fields } = await readUpload(req);
      const r = await service.uploadDocument(
        deps,
        contextOf(req),
        orgAccessOf(req),
        req.params.botId,
        file,
        fields,
      );
      return r.duplicate
        ? reply.status(200).send({ document: presentDocument(r.document), duplicate: true as const })
        : reply.status(201).send({ document: presentDocument(r.document), duplicate: false as const });
    },
  );

  app.get(
    base,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: "List a chatbot's documents",
        params: botParams,
        querystring: paginationQuerySchema.extend({
          status: documentStatusSchema.optional(),
          tag: z.string().max(50).optional(),
          q: z.string().max(100).optional().describe('Search in titles'),
        }),
        response: { 200: pageOf(documentSchema) },
      },
    },
    async (req) => {
      const { orgId, botId } = req.params;
      await service.requireChatbotOf(deps, orgId, botId);
      const rows = await listDocuments(deps.db, orgId, botId, {
        ...req.query,
        before: decodeCursor(req.query.cursor),
      });
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentDocument), nextCursor: page.nextCursor };
    },
  );

  app.get(
    `${base}/:docId`,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'A document with its ingestion status',
        params: docParams,
        response: { 200: documentSchema },
      },
    },
    async (req) =>
      presentDocument(
        await service.requireDocument(deps, req.params.orgId, req.params.botId, req.params.docId),
      ),
  );

  app.get(
    `${base}/:docId/download`,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'Download the original file (current version)',
        params: docParams,
        response: { 200: z.any().describe('The file') },
      },
    },
    async (req, reply) => {
      const doc = await service.requireDocument(deps, req.params.orgId, req.params.botId, req.params.docId);
      const stream = deps.files.stream(service.fileKey(doc, doc.version));
      return reply
        .type(doc.mimeType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}`)
        .header('x-content-type-options', 'nosniff')
        .serializer((p: unknown) => p as string)
        .send(stream);
    },
  );

  app.put(
    `${base}/:docId`,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Replace the file: a new version is ingested',
        ...multipartDoc,
        params: docParams,
        response: { 200: documentSchema },
      },
    },
    async (req) => {
      await service.requireDocument(deps, req.params.orgId, req.params.botId, req.params.docId);
      const { file } = await readUpload(req);
      return presentDocument(
        await service.replaceDocument(
          deps,
          contextOf(req),
          orgAccessOf(req),
          req.params.botId,
          req.params.docId,
          file,
        ),
      );
    },
  );

  app.patch(
    `${base}/:docId`,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Edit title, tags or metadata',
        params: docParams,
        body: documentMetaSchema.refine(
          (v) => Object.keys(v).length > 0,
          'send at least one field to change',
        ),
        response: { 200: documentSchema },
      },
    },
    async (req) =>
      presentDocument(
        await service.updateDocumentMeta(
          deps,
          contextOf(req),
          orgAccessOf(req),
          req.params.botId,
          req.params.docId,
          req.body,
        ),
      ),
  );

  app.delete(
    `${base}/:docId`,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete a document, its chunks and files',
        params: docParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.deleteDocument(
        deps,
        contextOf(req),
        orgAccessOf(req),
        req.params.botId,
        req.params.docId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/:docId/chunks`,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'The chunks of the current version, in order',
        params: docParams,
        querystring: z.object({
          after: z.coerce.number().int().min(-1).default(-1).describe('Ordinal to continue after'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ data: z.array(chunkSchema), nextAfter: z.number().int().nullable() }) },
      },
    },
    async (req) => {
      const doc = await service.requireDocument(deps, req.params.orgId, req.params.botId, req.params.docId);
      const version = doc.indexedVersion ?? doc.version;
      const rows = await listChunks(
        deps.db,
        req.params.orgId,
        doc.id,
        version,
        req.query.after,
        req.query.limit,
      );
      const data = rows.slice(0, req.query.limit);
      return {
        data: data.map(presentChunk),
        nextAfter: rows.length > req.query.limit ? data[data.length - 1]!.ordinal : null,
      };
    },
  );
};
