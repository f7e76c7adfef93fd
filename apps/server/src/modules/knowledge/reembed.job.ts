import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobSpec } from '../../platform/jobs/jobs.ts';
import { lockChatbot, setChatbotEmbedder } from '../chatbots/chatbots.repo.ts';
import { invalidateChatbotCache } from '../chatbots/chatbots.service.ts';
import { documentText, embedderFor } from '../retrieval/embedding-backend.ts';
import type { RetrievalItem } from '../retrieval/index-store.ts';
import { chunkItem, indexCacheKey } from '../retrieval/retrieval.service.ts';
import { faqItem } from './faqs/faqs.search.ts';
import { listFaqsForEmbedding, updateFaqEmbeddings } from './faqs/faqs.repo.ts';
import { chatbotEmbedder, listSearchableChunks, updateChunkEmbeddings } from './knowledge.repo.ts';
import type { DbOrTx } from '../../platform/db/database.ts';

/**
 * knowledge.reembed: a chatbot changes its embedder. Every searchable chunk and every FAQ is embedded by the new
 * embedder into a STAGING area (files under DATA_DIR, one file per batch, named by the batch's content), while
 * the chunks keep their old vectors and search keeps using them. Once all are staged, one transaction copies the
 * staged vectors into the rows and switches chatbots.embedder / embedding_dims; then the index is dropped and
 * rebuilt with the new vectors. Search therefore sees either all-old or all-new vectors, never a mix.
 *
 * Why files, not the rows: the schema has one vector column, and writing new vectors into it before the switch
 * would mix embedders in any index built meanwhile (a restart, another process). Staging files also make the job
 * resumable: a batch whose file exists is not embedded again (the name hashes ids and texts, so an edited text
 * gets a new batch). Chunks published or edited while the job runs are caught at the switch: if any searchable
 * item has no staged vector the transaction is abandoned and another round embeds the missing ones. Ingestion
 * publishes under a share lock on the chatbot row and refuses if the embedder changed (ingest.job.ts).
 */
export const reembedJob = {
  name: 'knowledge.reembed',
  payload: z.object({
    orgId: z.string(),
    chatbotId: z.string(),
    embedder: z.string(),
    dims: z.number().int().positive(),
  }),
  retryLimit: 3,
  retryDelaySeconds: 2,
  expireInSeconds: 60 * 60,
} satisfies JobSpec<z.ZodType>;

type ReembedDeps = Pick<Deps, 'db' | 'cache' | 'config' | 'files' | 'indexCache' | 'log'>;
type Payload = z.infer<typeof reembedJob.payload>;

export interface ReembedStatus {
  state: 'queued' | 'embedding' | 'done' | 'failed';
  /** the embedder being switched to */
  embedder: string;
  dims: number;
  /** the embedder search uses until the switch */
  from: string;
  done: number;
  total: number;
  error: string | null;
  updatedAt: string;
}

/** Items per staged batch (the provider layer splits them into requests of its own batch size). */
const BATCH = 128;
/** Rounds of "stage what is missing, try to switch" before giving up (each round only embeds what changed). */
const MAX_ROUNDS = 5;

const dirOf = (orgId: string, botId: string) => `reembed/${orgId}/${botId}`;
const statusKey = (orgId: string, botId: string) => `${dirOf(orgId, botId)}/status.json`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const stageDir = (p: Payload) =>
  `${dirOf(p.orgId, p.chatbotId)}/${sha(`${p.embedder}#${p.dims}`).slice(0, 16)}`;

export async function readReembedStatus(
  deps: Pick<Deps, 'files'>,
  orgId: string,
  botId: string,
): Promise<ReembedStatus | null> {
  try {
    return JSON.parse((await deps.files.get(statusKey(orgId, botId))).toString('utf8')) as ReembedStatus;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function writeStatus(deps: Pick<Deps, 'files'>, p: Payload, s: Omit<ReembedStatus, 'updatedAt'>) {
  const body: ReembedStatus = { ...s, updatedAt: new Date().toISOString() };
  await deps.files.put(statusKey(p.orgId, p.chatbotId), Buffer.from(JSON.stringify(body)));
}

/** Records the requested switch (the latest request wins) and queues the job. */
export async function requestReembed(
  deps: Pick<Deps, 'files' | 'jobs'>,
  p: Payload,
  from: string,
): Promise<ReembedStatus> {
  await writeStatus(deps, p, {
    state: 'queued',
    embedder: p.embedder,
    dims: p.dims,
    from,
    done: 0,
    total: 0,
    error: null,
  });
  await deps.jobs.send(reembedJob, p);
  return (await readReembedStatus(deps, p.orgId, p.chatbotId))!;
}

interface Unit {
  kind: 'chunk' | 'faq';
  id: string;
  item: RetrievalItem;
  /** id + what the embedder reads: a staged vector is valid for exactly this */
  signature: string;
}

/** Everything of the chatbot that carries a vector: searchable chunks and all FAQs, in a stable order. */
async function loadUnits(db: DbOrTx, orgId: string, botId: string): Promise<Unit[]> {
  const units: Unit[] = [];
  for (const r of await listSearchableChunks(db, orgId, botId)) {
    const item = chunkItem(r);
    units.push({ kind: 'chunk', id: r.id, item, signature: `${r.id}:${sha(documentText(item))}` });
  }
  for (const f of await listFaqsForEmbedding(db, orgId, botId)) {
    const item = faqItem(f);
    units.push({ kind: 'faq', id: f.id, item, signature: `${f.id}:${sha(documentText(item))}` });
  }
  return units;
}

interface Staged {
  kind: Unit['kind'][];
  ids: string[];
  dims: number;
  /** float32 little-endian, ids.length × dims, base64 */
  vectors: string;
}

const batchKey = (p: Payload, batch: Unit[]) =>
  `${stageDir(p)}/${sha(batch.map((u) => u.signature).join('\n')).slice(0, 32)}.json`;

async function readStaged(deps: Pick<Deps, 'files'>, key: string): Promise<Staged | null> {
  try {
    return JSON.parse((await deps.files.get(key)).toString('utf8')) as Staged;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function runReembed(deps: ReembedDeps, p: Payload): Promise<void> {
  const status = await readReembedStatus(deps, p.orgId, p.chatbotId);
  // A newer request (another embedder, or back to the current one) supersedes this job.
  if (!status || status.embedder !== p.embedder || status.dims !== p.dims) return;
  const base = { embedder: p.embedder, dims: p.dims, from: status.from };
  const bot = await chatbotEmbedder(deps.db, p.orgId, p.chatbotId);
  if (!bot || (bot.embedder === p.embedder && bot.embeddingDims === p.dims)) {
    // Deleted, or already there (a change back before the switch, or a retry after it): nothing to embed.
    await writeStatus(deps, p, { ...base, state: 'done', done: 0, total: 0, error: null });
    return;
  }
  try {
    const backend = await embedderFor(deps, {
      orgId: p.orgId,
      id: p.chatbotId,
      embedder: p.embedder,
      embeddingDims: p.dims,
    });
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const units = await loadUnits(deps.db, p.orgId, p.chatbotId);
      const batches: { key: string; units: Unit[] }[] = [];
      for (let i = 0; i < units.length; i += BATCH) {
        const b = units.slice(i, i + BATCH);
        batches.push({ key: batchKey(p, b), units: b });
      }
      let done = 0;
      await writeStatus(deps, p, { ...base, state: 'embedding', done, total: units.length, error: null });
      for (const b of batches) {
        if (!(await readStaged(deps, b.key))) {
          const vectors = await backend.embedDocuments(b.units.map((u) => u.item));
          const flat = new Float32Array(vectors.length * p.dims);
          vectors.forEach((v, k) => flat.set(v, k * p.dims));
          const staged: Staged = {
            kind: b.units.map((u) => u.kind),
            ids: b.units.map((u) => u.id),
            dims: p.dims,
            vectors: Buffer.from(flat.buffer).toString('base64'),
          };
          await deps.files.put(b.key, Buffer.from(JSON.stringify(staged)));
        }
        done += b.units.length;
        await writeStatus(deps, p, { ...base, state: 'embedding', done, total: units.length, error: null });
      }
      if (await switchEmbedder(deps, p, batches)) {
        deps.indexCache.invalidate(indexCacheKey(p.orgId, p.chatbotId));
        invalidateChatbotCache(deps, p.orgId, p.chatbotId);
        await writeStatus(deps, p, { ...base, state: 'done', done, total: units.length, error: null });
        await deps.files.remove(stageDir(p));
        return;
      }
      deps.log.info({ botId: p.chatbotId, round }, 'knowledge changed during re-embedding; another round');
    }
    throw new Error('the knowledge kept changing during re-embedding; retrying later');
  } catch (err) {
    // The old embedder stays in use; the job is retried by pg-boss and a retry resumes from the staged batches.
    const current = await readReembedStatus(deps, p.orgId, p.chatbotId).catch(() => null);
    if (current?.embedder === p.embedder) {
      await writeStatus(deps, p, {
        ...base,
        state: 'failed',
        done: current.done,
        total: current.total,
        error: (err as Error).message,
      });
    }
    throw err;
  }
}

/**
 * Copies the staged vectors into the rows and switches the chatbot, in one transaction under the chatbot row's
 * lock. False (nothing written) when a searchable item has no staged vector: it appeared or changed meanwhile.
 */
async function switchEmbedder(
  deps: ReembedDeps,
  p: Payload,
  batches: { key: string; units: Unit[] }[],
): Promise<boolean> {
  const staged = new Set(batches.flatMap((b) => b.units.map((u) => u.signature)));
  return deps.db.transaction(async (tx) => {
    const bot = await lockChatbot(tx, p.orgId, p.chatbotId);
    if (!bot) return true; // deleted: nothing to switch
    const now = await loadUnits(tx, p.orgId, p.chatbotId);
    if (now.some((u) => !staged.has(u.signature))) return false;
    for (const b of batches) {
      const s = (await readStaged(deps, b.key))!;
      const flat = new Float32Array(new Uint8Array(Buffer.from(s.vectors, 'base64')).buffer);
      const rows = (kind: Unit['kind']) =>
        s.ids.flatMap((id, k) =>
          s.kind[k] === kind
            ? [{ id, embedding: Array.from(flat.subarray(k * s.dims, (k + 1) * s.dims)) }]
            : [],
        );
      await updateChunkEmbeddings(tx, p.orgId, p.chatbotId, rows('chunk'));
      await updateFaqEmbeddings(tx, p.orgId, p.chatbotId, rows('faq'));
    }
    await setChatbotEmbedder(tx, p.orgId, p.chatbotId, p.embedder, p.dims);
    return true;
  });
}
