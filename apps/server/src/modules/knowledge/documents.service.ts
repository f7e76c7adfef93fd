import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import type { OrgAccess } from '../../platform/auth/policy.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { requireChatbot } from '../chatbots/chatbots.service.ts';
import { sniffDocument } from './parsing/sniff.ts';
import { ingestJob } from './ingest.job.ts';
import { indexCacheKey } from '../retrieval/retrieval.service.ts';
import * as repo from './knowledge.repo.ts';

type DocDeps = Pick<Deps, 'db' | 'cache' | 'config' | 'files' | 'jobs' | 'indexCache'>;

export const fileKey = (d: Pick<repo.DocumentRow, 'orgId' | 'chatbotId' | 'id'>, version: number) =>
  `${d.orgId}/${d.chatbotId}/${d.id}/v${version}`;

export interface IncomingFile {
  bytes: Uint8Array;
  filename: string;
  declaredMime?: string;
}

export interface DocumentMeta {
  title?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export const requireChatbotOf = (deps: Pick<Deps, 'db' | 'cache'>, orgId: string, botId: string) =>
  requireChatbot(deps, orgId, botId);

export async function requireDocument(deps: Pick<Deps, 'db'>, orgId: string, botId: string, docId: string) {
  const doc = await repo.getDocument(deps.db, orgId, botId, docId);
  if (!doc) throw notFound('Document');
  return doc;
}

/** Refuses what cannot be ingested before anything is stored: empty files and types we do not parse. */
function checkFile(file: IncomingFile) {
  if (file.bytes.byteLength === 0) throw new AppError('bad_request', 'The file is empty');
  const sniffed = sniffDocument(file.bytes, file.filename);
  if (!sniffed) {
    throw new AppError(
      'unsupported_media_type',
      `Unsupported file type for "${file.filename}". Supported: PDF, DOCX, TXT, MD, HTML, CSV, JSON, PNG, JPEG, WebP`,
    );
  }
  return sniffed;
}

/**
 * Stores the original and queues ingestion. Identical content already in this chatbot is recognised by its
 * hash and returned instead of being ingested twice.
 */
export async function uploadDocument(
  deps: DocDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  file: IncomingFile,
  meta: DocumentMeta,
): Promise<{ document: repo.DocumentRow; duplicate: boolean }> {
  return createDocumentFromBytes(deps, ctx, access.orgId, botId, file, meta, { type: 'upload' });
}

/** Where a document's bytes came from: an upload, or a fetched URL (web/urls.service.ts). */
export type DocumentSource = { type: 'upload' } | { type: 'url'; url: string };

/**
 * The body of an upload, shared with URL ingestion: same checks, same dedup by content hash, same limit and
 * ingestion job. A URL document has sourceType 'url', its sourceUrl, and the URL in its audit entry.
 */
export async function createDocumentFromBytes(
  deps: DocDeps,
  ctx: RequestContext,
  orgId: string,
  botId: string,
  file: IncomingFile,
  meta: DocumentMeta,
  source: DocumentSource,
): Promise<{ document: repo.DocumentRow; duplicate: boolean }> {
  await requireChatbot(deps, orgId, botId);
  const sniffed = checkFile(file);
  const contentHash = sha256(Buffer.from(file.bytes).toString('base64'));
  const existing = await repo.findDocumentByHash(deps.db, orgId, botId, contentHash);
  if (existing) return { document: existing, duplicate: true };
  if ((await repo.countDocuments(deps.db, orgId, botId)) >= deps.config.MAX_DOCUMENTS_PER_CHATBOT) {
    throw new AppError(
      'limit_reached',
      `A chatbot holds at most ${deps.config.MAX_DOCUMENTS_PER_CHATBOT} documents`,
    );
  }
  const docId = newId('document');
  await deps.files.put(fileKey({ orgId, chatbotId: botId, id: docId }, 1), file.bytes);
  const document = await deps.db.transaction(async (tx) => {
    const row = await repo.insertDocument(tx, orgId, {
      id: docId,
      chatbotId: botId,
      title: meta.title?.trim() || file.filename,
      sourceType: source.type,
      sourceUrl: source.type === 'url' ? source.url : null,
      filename: file.filename,
      mimeType: sniffed.mime,
      sizeBytes: file.bytes.byteLength,
      contentHash,
      tags: meta.tags ?? [],
      metadata: meta.metadata ?? {},
      status: 'queued',
      createdBy:
        ctx.actor?.type === 'user'
          ? ctx.actor.userId
          : ctx.actor?.type === 'api_key'
            ? ctx.actor.keyId
            : null,
    });
    await recordAudit(tx, ctx, {
      orgId,
      action: 'document.create',
      target: { type: 'document', id: docId },
      metadata: {
        chatbotId: botId,
        filename: file.filename,
        mime: sniffed.mime,
        size: file.bytes.byteLength,
        ...(source.type === 'url' ? { sourceUrl: source.url } : {}),
      },
    });
    return row;
  });
  await queueIngestion(deps, document);
  return { document, duplicate: false };
}

/** A new version of the file: re-ingested; the previous version stays searchable until the new one is indexed. */
export async function replaceDocument(
  deps: DocDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  docId: string,
  file: IncomingFile,
) {
  const current = await requireDocument(deps, access.orgId, botId, docId);
  const sniffed = checkFile(file);
  const version = current.version + 1;
  await deps.files.put(fileKey(current, version), file.bytes);
  const document = await deps.db.transaction(async (tx) => {
    const row = await repo.updateDocument(
      tx,
      access.orgId,
      docId,
      {
        version,
        filename: file.filename,
        mimeType: sniffed.mime,
        sizeBytes: file.bytes.byteLength,
        contentHash: sha256(Buffer.from(file.bytes).toString('base64')),
        status: 'queued',
        progress: 0,
        error: null,
        errorCode: null,
      },
      current.version,
    );
    if (!row) throw new AppError('conflict', 'The document changed meanwhile; retry');
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'document.replace',
      target: { type: 'document', id: docId },
      metadata: { version, filename: file.filename },
    });
    return row;
  });
  await queueIngestion(deps, document);
  return document;
}

export async function updateDocumentMeta(
  deps: DocDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  docId: string,
  meta: DocumentMeta,
) {
  await requireDocument(deps, access.orgId, botId, docId);
  const row = await deps.db.transaction(async (tx) => {
    const updated = await repo.updateDocument(tx, access.orgId, docId, {
      ...(meta.title !== undefined ? { title: meta.title.trim() } : {}),
      ...(meta.tags !== undefined ? { tags: meta.tags } : {}),
      ...(meta.metadata !== undefined ? { metadata: meta.metadata } : {}),
    });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'document.update',
      target: { type: 'document', id: docId },
      metadata: { fields: Object.keys(meta) },
    });
    return updated!;
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId)); // titles and tags are part of the index
  return row;
}

/** Deletes the document, its chunks (cascade) and its files; it leaves search at once. */
export async function deleteDocument(
  deps: DocDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  docId: string,
) {
  const doc = await requireDocument(deps, access.orgId, botId, docId);
  await deps.db.transaction(async (tx) => {
    await repo.deleteDocument(tx, access.orgId, botId, docId);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'document.delete',
      target: { type: 'document', id: docId },
      metadata: { title: doc.title },
    });
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId));
  await deps.files.remove(`${doc.orgId}/${doc.chatbotId}/${doc.id}`);
}

export async function queueIngestion(deps: Pick<Deps, 'jobs'>, doc: repo.DocumentRow) {
  await deps.jobs.send(
    ingestJob,
    { orgId: doc.orgId, chatbotId: doc.chatbotId, documentId: doc.id, version: doc.version },
    { singletonKey: `${doc.id}:v${doc.version}` },
  );
}
