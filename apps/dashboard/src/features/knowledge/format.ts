import { ApiError } from '../../api/errors';
import type { Language } from '../../i18n/define';
import type { MessageKey, Translate } from '../../i18n/i18n';
import type { Doc, DocStatus } from './knowledge.api';

export const statusKey: Record<DocStatus, MessageKey> = {
  queued: 'knowledge.status.queued',
  parsing: 'knowledge.status.parsing',
  chunking: 'knowledge.status.chunking',
  embedding: 'knowledge.status.embedding',
  indexed: 'knowledge.status.indexed',
  failed: 'knowledge.status.failed',
};

export const statusBadge = (s: DocStatus) =>
  s === 'indexed' ? 'badge badge-ok' : s === 'failed' ? 'badge badge-danger' : 'badge badge-primary';

/** 1 234 567 → "1.2 MB" in the user's locale. */
export function formatBytes(n: number, lang: Language): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    style: 'unit',
    unit: units[i],
    unitDisplay: i === 0 ? 'long' : 'short',
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(v);
}

/** Why a file could not be uploaded, in the user's language (the server's message is English). */
export function uploadErrorText(
  err: unknown,
  fileName: string,
  t: Translate,
  errorText: (e: unknown) => string,
): string {
  if (err instanceof ApiError) {
    if (err.status === 413 || err.code === 'payload_too_large')
      return t('knowledge.upload.error.tooLarge', { name: fileName });
    if (err.status === 415 || err.code === 'unsupported_media_type')
      return t('knowledge.upload.error.unsupported', { name: fileName });
    if (err.code === 'limit_reached') return t('knowledge.upload.error.limit');
  }
  return errorText(err);
}

/** Why a web page could not be ingested. A refused or unreachable address is a 400 with an English reason. */
export function urlErrorText(err: unknown, t: Translate, errorText: (e: unknown) => string): string {
  if (err instanceof ApiError) {
    if (err.code === 'bad_request') return t('knowledge.url.error.fetch');
    if (err.code === 'validation_failed') return t('knowledge.url.error.invalid');
    if (err.status === 413 || err.code === 'payload_too_large') return t('knowledge.url.error.tooLarge');
    if (err.status === 415 || err.code === 'unsupported_media_type')
      return t('knowledge.url.error.unsupported');
    if (err.code === 'limit_reached') return t('knowledge.upload.error.limit');
  }
  return errorText(err);
}

const ingestErrorKeys: Record<string, MessageKey> = {
  unsupported_type: 'knowledge.ingestError.unsupported_type',
  encrypted: 'knowledge.ingestError.encrypted',
  corrupt: 'knowledge.ingestError.corrupt',
  too_many_pages: 'knowledge.ingestError.too_many_pages',
  too_large_uncompressed: 'knowledge.ingestError.too_large',
  too_many_entries: 'knowledge.ingestError.too_large',
  empty: 'knowledge.ingestError.empty',
  ocr_failed: 'knowledge.ingestError.ocr_failed',
  internal: 'knowledge.ingestError.internal',
};

/** Why ingestion failed: the stable code translated, else the server's sentence. */
export function ingestErrorText(doc: Doc, t: Translate): string | null {
  if (!doc.error) return null;
  const key = ingestErrorKeys[doc.error.code];
  return key ? t(key) : doc.error.message;
}
