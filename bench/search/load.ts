// Fills a chatbot of a stopped Kawan's DATA_DIR with generated Markdown documents through the production ingestion
// code itself (ingestDocument: parse → chunk → embed → batched INSERTs → mark indexed), run in this process on the
// embedded database. The chunks are thus exactly what an upload would store, without HTTP or the job queue.
import path from 'node:path';
import { loadConfig } from '../../apps/server/src/config.ts';
import { createRuntime, type Runtime } from '../../apps/server/src/boot.ts';
import { newId, sha256 } from '../../apps/server/src/platform/ids.ts';
import { ingestDocument } from '../../apps/server/src/modules/knowledge/ingest.job.ts';
import * as repo from '../../apps/server/src/modules/knowledge/knowledge.repo.ts';
import type { Corpus } from '../ingest/corpus.ts';

/** Opens DATA_DIR's database and services in this process (the server must not be running: pid lock). */
export function openRuntime(dataDir: string): Promise<Runtime> {
  return createRuntime(
    loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
    }),
  );
}

/** A Markdown manual: sections with a heading and paragraphs of prose, one topic per section. */
export function markdownDocument(c: Corpus, n: number, sections: number): { title: string; text: string } {
  const topic0 = Math.floor(c.rand() * c.topics.length);
  const parts: string[] = [];
  for (let s = 0; s < sections; s++) {
    const topic = (topic0 + Math.floor(s / 4)) % c.topics.length;
    parts.push(`## ${c.topics[topic]!.slice(s % 5, (s % 5) + 3).join(' ')} ${s + 1}`);
    const paragraphs = 2 + Math.floor(c.rand() * 4);
    for (let p = 0; p < paragraphs; p++) {
      const sentences = 3 + Math.floor(c.rand() * 6);
      parts.push(
        Array.from({ length: sentences }, () => c.sentence(topic, 8 + Math.floor(c.rand() * 16))).join(' '),
      );
    }
  }
  const title = `Manual ${n + 1}: ${c.topics[topic0]!.slice(0, 2).join(' ')}`;
  return { title, text: `# ${title}\n\n${parts.join('\n\n')}\n` };
}

/** Stores and ingests one document; returns its chunk count. */
export async function ingestGenerated(
  rt: Runtime,
  orgId: string,
  chatbotId: string,
  doc: { title: string; text: string },
  filename: string,
): Promise<number> {
  const bytes = new TextEncoder().encode(doc.text);
  const id = newId('document');
  await rt.files.put(`${orgId}/${chatbotId}/${id}/v1`, bytes);
  await repo.insertDocument(rt.db, orgId, {
    id,
    chatbotId,
    title: doc.title,
    sourceType: 'upload',
    sourceUrl: null,
    filename,
    mimeType: 'text/markdown',
    sizeBytes: bytes.byteLength,
    contentHash: sha256(Buffer.from(bytes).toString('base64')),
    tags: [],
    metadata: {},
    status: 'queued',
    createdBy: null,
  });
  await ingestDocument(rt, { orgId, chatbotId, documentId: id, version: 1 });
  const row = await repo.getDocument(rt.db, orgId, chatbotId, id);
  if (row?.status !== 'indexed') throw new Error(`${filename} not indexed: ${row?.status} ${row?.error}`);
  return row.chunkCount ?? 0;
}

export const dataDirOf = (work: string) => path.join(work, 'data');
