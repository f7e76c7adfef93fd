import { parse } from 'csv-parse/sync';
import type { Deps } from '../../../deps.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/access.ts';
import type { OrgAccess } from '../../../platform/auth/policy.ts';
import { newId } from '../../../platform/ids.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { requireChatbot } from '../../chatbots/chatbots.service.ts';
import type { ChatbotRow } from '../../chatbots/chatbots.repo.ts';
import { embedItem } from '../../retrieval/engine.ts';
import { indexCacheKey } from '../../retrieval/retrieval.service.ts';
import { guessLanguage, type Language } from '../../retrieval/text.ts';
import { guessDelimiter } from '../parsing/csv.ts';
import * as repo from './faqs.repo.ts';
import { faqItem } from './faqs.search.ts';
import { faqImportEntrySchema, MAX_IMPORT_ENTRIES, type FaqImportEntry } from './faqs.schemas.ts';

type FaqDeps = Pick<Deps, 'db' | 'cache' | 'indexCache'>;

/** FAQs one chatbot may hold: they all live in its in-memory search index. */
export const MAX_FAQS_PER_CHATBOT = 10_000;

/** Two questions are "the same" when they differ only in case, Unicode form or spacing. */
export const questionKey = (q: string) => q.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

const actorId = (ctx: RequestContext) =>
  ctx.actor?.type === 'user' ? ctx.actor.userId : ctx.actor?.type === 'api_key' ? ctx.actor.keyId : null;

/** Language and stored embedding of an entry, computed the way the search index computes them. */
function derived(bot: ChatbotRow, f: { id: string; question: string; answer: string; tags: string[] }) {
  const language = guessLanguage(`${f.question}\n${f.answer}`, bot.language as Language);
  const embedding = Array.from(embedItem(faqItem({ ...f, language }), language));
  return { language, embedding };
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

export async function requireFaq(deps: Pick<Deps, 'db'>, orgId: string, botId: string, faqId: string) {
  const faq = await repo.getFaq(deps.db, orgId, botId, faqId);
  if (!faq) throw notFound('FAQ');
  return faq;
}

function duplicateQuestion(id: string) {
  return new AppError(
    'conflict',
    `An FAQ with this question already exists (${id}); change that one instead`,
  );
}

export async function createFaq(
  deps: FaqDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  input: { question: string; answer: string; tags: string[]; enabled: boolean },
) {
  const bot = await requireChatbot(deps, access.orgId, botId);
  const existing = await repo.listFaqQuestions(deps.db, access.orgId, botId);
  const key = questionKey(input.question);
  const same = existing.find((f) => questionKey(f.question) === key);
  if (same) throw duplicateQuestion(same.id);
  if (existing.length >= MAX_FAQS_PER_CHATBOT) {
    throw new AppError('limit_reached', `A chatbot holds at most ${MAX_FAQS_PER_CHATBOT} FAQ entries`);
  }
  const id = newId('faq');
  const row = await deps.db.transaction(async (tx) => {
    const [created] = await repo.insertFaqs(tx, access.orgId, [
      { id, chatbotId: botId, ...input, ...derived(bot, { id, ...input }), createdBy: actorId(ctx) },
    ]);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'faq.create',
      target: { type: 'faq', id },
      metadata: { chatbotId: botId },
    });
    return created!;
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId));
  return row;
}

export async function updateFaq(
  deps: FaqDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  faqId: string,
  patch: Partial<{ question: string; answer: string; tags: string[]; enabled: boolean }>,
) {
  const bot = await requireChatbot(deps, access.orgId, botId);
  const current = await requireFaq(deps, access.orgId, botId, faqId);
  if (patch.question !== undefined && questionKey(patch.question) !== questionKey(current.question)) {
    const key = questionKey(patch.question);
    const same = (await repo.listFaqQuestions(deps.db, access.orgId, botId)).find(
      (f) => f.id !== faqId && questionKey(f.question) === key,
    );
    if (same) throw duplicateQuestion(same.id);
  }
  const next = {
    id: faqId,
    question: patch.question ?? current.question,
    answer: patch.answer ?? current.answer,
    tags: patch.tags ?? current.tags,
  };
  const textChanged = patch.question !== undefined || patch.answer !== undefined || patch.tags !== undefined;
  const row = await deps.db.transaction(async (tx) => {
    const updated = await repo.updateFaq(tx, access.orgId, botId, faqId, {
      ...patch,
      ...(textChanged ? derived(bot, next) : {}),
    });
    if (!updated) throw notFound('FAQ');
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'faq.update',
      target: { type: 'faq', id: faqId },
      metadata: { chatbotId: botId, fields: Object.keys(patch) },
    });
    return updated;
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId));
  return row;
}

export async function deleteFaq(
  deps: FaqDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  faqId: string,
) {
  await requireChatbot(deps, access.orgId, botId);
  await deps.db.transaction(async (tx) => {
    if (!(await repo.deleteFaq(tx, access.orgId, botId, faqId))) throw notFound('FAQ');
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'faq.delete',
      target: { type: 'faq', id: faqId },
      metadata: { chatbotId: botId },
    });
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId));
}

const COLUMN_ALIASES: Record<string, 'question' | 'answer' | 'tags'> = {
  question: 'question',
  q: 'question',
  pertanyaan: 'question',
  answer: 'answer',
  a: 'answer',
  jawaban: 'answer',
  tags: 'tags',
  tag: 'tags',
};

/**
 * CSV → import entries. The header row names the columns (question/answer/tags, or the Indonesian
 * pertanyaan/jawaban); tags inside one cell are separated by ";" or "|". Rows are validated like JSON entries,
 * and every problem is reported at once with its CSV line number.
 */
export function parseFaqCsv(text: string): FaqImportEntry[] {
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: guessDelimiter(text, 'faqs.csv'),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      to: MAX_IMPORT_ENTRIES + 2, // header + the most we accept + one to notice "too many"
    }) as string[][];
  } catch (err) {
    throw new AppError('bad_request', `The CSV cannot be parsed: ${(err as Error).message}`);
  }
  const [header, ...records] = rows;
  const columns = (header ?? []).map((h) => COLUMN_ALIASES[h.trim().toLowerCase()]);
  const at = (name: 'question' | 'answer' | 'tags') => columns.indexOf(name);
  if (at('question') < 0 || at('answer') < 0) {
    throw new AppError('validation_failed', 'The CSV header must name the columns "question" and "answer"', [
      { path: 'body.header', message: 'needs question and answer columns' },
    ]);
  }
  if (records.length === 0) throw new AppError('validation_failed', 'The CSV has no data rows');
  if (records.length > MAX_IMPORT_ENTRIES) {
    throw new AppError('validation_failed', `Import at most ${MAX_IMPORT_ENTRIES} entries per request`);
  }
  const raw = records.map((r) => ({
    question: r[at('question')] ?? '',
    answer: r[at('answer')] ?? '',
    ...(at('tags') >= 0 && r[at('tags')]
      ? {
          tags: r[at('tags')]!.split(/[;|]/)
            .map((t) => t.trim())
            .filter(Boolean),
        }
      : {}),
  }));
  return validateEntries(raw, (i) => `body.line ${i + 2}`);
}

function validateEntries(raw: unknown[], where: (i: number) => string): FaqImportEntry[] {
  const details: { path: string; message: string }[] = [];
  const entries: FaqImportEntry[] = [];
  raw.forEach((r, i) => {
    const parsed = faqImportEntrySchema.safeParse(r);
    if (parsed.success) entries.push(parsed.data);
    else
      for (const issue of parsed.error.issues)
        details.push({ path: [where(i), ...issue.path].join('.'), message: issue.message });
  });
  if (details.length) {
    const shown = details.slice(0, 20);
    throw new AppError(
      'validation_failed',
      `Invalid import — ${shown.map((d) => `${d.path}: ${d.message}`).join('; ')}${details.length > 20 ? ' …' : ''}`,
      shown,
    );
  }
  return entries;
}

/**
 * Bulk upsert keyed by the question: a new question is created, an existing one gets the imported answer (and
 * tags, when given), an identical one is left alone. All or nothing, in one transaction.
 */
export async function importFaqs(
  deps: FaqDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  body: FaqImportEntry[] | string,
) {
  const bot = await requireChatbot(deps, access.orgId, botId);
  const entries = typeof body === 'string' ? parseFaqCsv(body) : body;
  const byKey = new Map<string, FaqImportEntry>();
  for (const e of entries) {
    const key = questionKey(e.question);
    byKey.delete(key); // re-insert: the last occurrence wins, the order of first appearance is kept below
    byKey.set(key, e);
  }
  const order = [...new Set(entries.map((e) => questionKey(e.question)))];
  const existing = new Map(
    (await repo.listFaqQuestions(deps.db, access.orgId, botId)).map((f) => [questionKey(f.question), f]),
  );
  const toCreate: Parameters<typeof repo.insertFaqs>[2] = [];
  const toUpdate: { id: string; answer: string; tags: string[]; question: string }[] = [];
  const ids: string[] = [];
  let unchanged = 0;
  for (const key of order) {
    const e = byKey.get(key)!;
    const old = existing.get(key);
    if (!old) {
      const id = newId('faq');
      const tags = e.tags ?? [];
      toCreate.push({
        id,
        chatbotId: botId,
        question: e.question,
        answer: e.answer,
        tags,
        enabled: true,
        ...derived(bot, { id, question: e.question, answer: e.answer, tags }),
        createdBy: actorId(ctx),
      });
      ids.push(id);
    } else {
      ids.push(old.id);
      const tags = e.tags ?? old.tags;
      if (old.answer === e.answer && sameTags(old.tags, tags)) unchanged++;
      else toUpdate.push({ id: old.id, question: old.question, answer: e.answer, tags });
    }
  }
  if (existing.size + toCreate.length > MAX_FAQS_PER_CHATBOT) {
    throw new AppError('limit_reached', `A chatbot holds at most ${MAX_FAQS_PER_CHATBOT} FAQ entries`);
  }
  const result = {
    received: entries.length,
    created: toCreate.length,
    updated: toUpdate.length,
    unchanged,
    duplicates: entries.length - order.length,
    ids,
  };
  if (toCreate.length === 0 && toUpdate.length === 0) return result;
  await deps.db.transaction(async (tx) => {
    for (let i = 0; i < toCreate.length; i += 500)
      await repo.insertFaqs(tx, access.orgId, toCreate.slice(i, i + 500));
    for (const u of toUpdate) {
      await repo.updateFaq(tx, access.orgId, botId, u.id, {
        answer: u.answer,
        tags: u.tags,
        ...derived(bot, u),
      });
    }
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'faq.import',
      target: { type: 'chatbot', id: botId },
      metadata: { received: result.received, created: result.created, updated: result.updated },
    });
  });
  deps.indexCache.invalidate(indexCacheKey(access.orgId, botId));
  return result;
}
