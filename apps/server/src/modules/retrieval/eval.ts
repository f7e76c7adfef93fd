import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../../config.ts';
import { createRuntime, type Runtime } from '../../boot.ts';
import { newId } from '../../platform/ids.ts';
import type { OrgAccess } from '../../platform/auth/policy.ts';
import { insertUser } from '../auth/auth.repo.ts';
import { createOrg } from '../orgs/orgs.service.ts';
import { createChatbot } from '../chatbots/chatbots.service.ts';
import { uploadDocument } from '../knowledge/documents.service.ts';
import { ingestDocument } from '../knowledge/ingest.job.ts';
import { listDocuments } from '../knowledge/knowledge.repo.ts';
import { searchChatbot } from './retrieval.service.ts';
import type { SearchMode } from './engine.ts';

/**
 * `kawan eval retrieval <collection-dir> --run <out.trec> [--mode …]`: loads a test collection into a throwaway
 * embedded database through the same upload → ingestion code the API uses, runs every query through the API's
 * search service, and writes a TREC run (top 100 documents per query; a document scores its best chunk).
 */
export interface EvalOptions {
  collectionDir: string;
  runFile: string;
  mode: SearchMode;
  expand?: boolean;
  log?: (line: string) => void;
}

async function* readJsonl<T>(file: string): AsyncGenerator<T> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as T;
}

export async function evalRetrieval(
  opts: EvalOptions,
): Promise<{ documents: number; queries: number; ms: number }> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-eval-'));
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime(
      loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', MAX_DOCUMENTS_PER_CHATBOT: '1000000' }),
    );
    await rt.jobs.start({ work: false }); // ingestion runs inline below: the same function the job runs
    const ctx = { actor: null, ip: 'cli', userAgent: 'kawan eval', requestId: 'eval' };
    const user = await insertUser(rt.db, {
      id: newId('user'),
      email: 'eval@kawan.local',
      name: 'Eval',
      passwordHash: 'x',
      preferences: { theme: 'system', language: 'en' },
    });
    const org = await createOrg(rt, ctx, user.id, { name: 'Eval' });
    const access: OrgAccess = { orgId: org.id, actor: { type: 'user', userId: user.id }, role: 'owner' };
    const { chatbot } = await createChatbot(rt, ctx, access, {
      name: 'Eval',
      description: '',
      systemPrompt: '',
      modelSettings: {
        model: null,
        fallbackModel: null,
        temperature: 0,
        maxTokens: 1,
        topP: 1,
        strictGrounding: true,
      },
      language: 'en',
      status: 'active',
      demoMessageLimit: 0,
      embed: { allowedDomains: [], color: '#000000', position: 'bottom-right', greeting: '' },
    });

    const externalId = new Map<string, string>();
    let documents = 0;
    for await (const doc of readJsonl<{ id: string; title?: string; text: string }>(
      path.join(opts.collectionDir, 'corpus.jsonl'),
    )) {
      const { document, duplicate } = await uploadDocument(
        rt,
        ctx,
        access,
        chatbot.id,
        { bytes: Buffer.from(doc.text || doc.title || ' '), filename: `${doc.id}.txt` },
        {
          title: doc.title || doc.id,
          metadata: { externalId: doc.id },
        },
      );
      externalId.set(document.id, duplicate ? String(document.metadata.externalId) : doc.id);
      if (!duplicate)
        await ingestDocument(rt, {
          orgId: org.id,
          chatbotId: chatbot.id,
          documentId: document.id,
          version: 1,
        });
      if (++documents % 200 === 0) log(`ingested ${documents} documents`);
    }
    const failed = await listDocuments(rt.db, org.id, chatbot.id, { status: 'failed', limit: 5 });
    if (failed.length) log(`warning: ${failed.length}+ documents failed to ingest, e.g. ${failed[0]!.error}`);

    const out: string[] = [];
    let queries = 0;
    for await (const q of readJsonl<{ id: string; text: string }>(
      path.join(opts.collectionDir, 'queries.jsonl'),
    )) {
      const { hits } = await searchChatbot(rt, org.id, chatbot.id, {
        query: q.text,
        mode: opts.mode,
        topK: 300,
        expand: opts.expand ?? true,
      });
      const seen = new Set<string>();
      for (const h of hits) {
        const docId = h.documentId ? externalId.get(h.documentId) : undefined;
        if (!docId || seen.has(docId)) continue;
        seen.add(docId);
        out.push(`${q.id} Q0 ${docId} ${seen.size} ${h.score.toFixed(6)} kawan-${opts.mode}`);
        if (seen.size === 100) break;
      }
      queries++;
    }
    fs.mkdirSync(path.dirname(path.resolve(opts.runFile)), { recursive: true });
    fs.writeFileSync(opts.runFile, `${out.join('\n')}\n`);
    return { documents, queries, ms: Date.now() - started };
  } finally {
    await rt?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
