import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { openSse } from '../../platform/http/sse.ts';
import { getChatbotBySlug, listChatbots, type ChatbotRow } from '../chatbots/chatbots.repo.ts';
import { findChatbot } from '../chatbots/chatbots.service.ts';
import * as service from './conversations.service.ts';
import { startTurn } from './turn.ts';

/**
 * OpenAI's chat API over Kawan chatbots, so the official `openai` SDK, LangChain and curl work unchanged:
 * baseURL = <kawan>/v1, apiKey = a chatbot key (or an org key with chat:use), model = chatbot id or slug.
 * The chatbot's own system prompt, knowledge and model apply; system messages sent by the client are not
 * used (the chatbot's owner decides its behaviour). Answers carry Kawan's citations as an extra field.
 */
const contentSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  z.null(),
]);

const completionBody = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: contentSchema.optional(),
      }),
    )
    .min(1)
    .max(200),
  stream: z.boolean().default(false),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
});

const usageOut = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});
const citationOut = z.object({
  n: z.number(),
  document_id: z.string(),
  document_title: z.string(),
  page: z.number().nullable(),
  quote: z.string(),
});

const textOf = (c: z.infer<typeof contentSchema> | undefined) =>
  typeof c === 'string' ? c : (c ?? []).map((p) => p.text ?? '').join('');

export const openAiCompatRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  /** The chatbot a request may use: a chatbot key is bound to one; an org key reaches its org's chatbots. */
  async function chatbotFor(
    actor: { orgId: string; chatbotId: string | null; scopes: string[] },
    model: string,
  ) {
    let bot: ChatbotRow | undefined;
    if (/^bot_[0-9A-Za-z]{10,40}$/.test(model)) bot = await findChatbot(deps, actor.orgId, model);
    else bot = await getChatbotBySlug(deps.db, actor.orgId, model);
    const allowed = actor.chatbotId ? bot?.id === actor.chatbotId : actor.scopes.includes('chat:use');
    if (!bot || !allowed || bot.status !== 'active') {
      throw new AppError('not_found', `The model '${model}' does not exist or this key cannot use it`);
    }
    return bot;
  }

  app.get(
    '/models',
    {
      config: { access: 'api_key' },
      schema: {
        tags: ['openai-compatible'],
        summary: 'Chatbots this key can talk to, as OpenAI models',
        response: {
          200: z.object({
            object: z.literal('list'),
            data: z.array(
              z.object({
                id: z.string(),
                object: z.literal('model'),
                created: z.number(),
                owned_by: z.string(),
                name: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const actor = req.actor;
      if (actor?.type !== 'api_key') throw new AppError('unauthenticated', 'Send an API key as Bearer');
      const bots = actor.chatbotId
        ? [await findChatbot(deps, actor.orgId, actor.chatbotId)].filter((b): b is ChatbotRow => !!b)
        : actor.scopes.includes('chat:use')
          ? await listChatbots(deps.db, actor.orgId, { limit: 500, status: 'active' })
          : [];
      return {
        object: 'list' as const,
        data: bots.map((b) => ({
          id: b.id,
          object: 'model' as const,
          created: Math.floor(b.createdAt.getTime() / 1000),
          owned_by: b.orgId,
          name: b.slug,
        })),
      };
    },
  );

  app.post(
    '/chat/completions',
    {
      config: { access: 'api_key' },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['openai-compatible'],
        summary: 'OpenAI chat completions (streaming and not) answered by a chatbot',
        body: completionBody,
        response: {
          200: z.object({
            id: z.string(),
            object: z.literal('chat.completion'),
            created: z.number(),
            model: z.string(),
            choices: z.array(
              z.object({
                index: z.number(),
                message: z.object({ role: z.literal('assistant'), content: z.string() }),
                finish_reason: z.string(),
              }),
            ),
            usage: usageOut,
            citations: z.array(citationOut),
          }),
        },
      },
    },
    async (req, reply) => {
      const actor = req.actor;
      if (actor?.type !== 'api_key') throw new AppError('unauthenticated', 'Send an API key as Bearer');
      const bot = await chatbotFor(actor, req.body.model);
      const turns = req.body.messages.filter((m) => m.role === 'user' || m.role === 'assistant');
      const last = turns[turns.length - 1];
      if (!last || last.role !== 'user' || !textOf(last.content).trim()) {
        throw new AppError('validation_failed', 'The last message must be a non-empty user message');
      }
      const history = turns
        .slice(0, -1)
        .map((m) => ({ role: m.role as 'user' | 'assistant', content: textOf(m.content) }));
      const conversation = await service.createConversation(
        deps,
        bot.orgId,
        bot.id,
        { apiKeyId: actor.keyId },
        {
          mode: 'chat',
          channel: 'openai',
        },
      );
      const turn = await startTurn(deps, {
        bot,
        conversation,
        content: textOf(last.content).trim(),
        mode: 'chat',
        history,
      });
      const created = Math.floor(Date.now() / 1000);
      const model = req.body.model;

      if (!req.body.stream) {
        req.raw.on('close', () => {
          if (!reply.raw.writableEnded) turn.events.detach();
        });
        const message = await turn.result;
        if (message.status === 'error')
          throw new AppError(
            (message.error?.code as 'provider_error') ?? 'internal_error',
            message.error?.message ?? 'failed',
          );
        return {
          id: `chatcmpl-${message.id}`,
          object: 'chat.completion' as const,
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant' as const, content: message.content },
              finish_reason: 'stop',
            },
          ],
          usage: toOpenAiUsage(message.usage),
          citations: message.citations.map(toOpenAiCitation),
        };
      }

      const sse = openSse(req, reply, {
        heartbeatMs: deps.config.SSE_HEARTBEAT * 1000,
        onClose: () => turn.events.detach(),
      });
      const id = `chatcmpl-${turn.messageId}`;
      const chunk = (
        delta: Record<string, unknown>,
        finish: string | null,
        extra: Record<string, unknown> = {},
      ) =>
        sse.sendRaw(
          JSON.stringify({
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            choices: [{ index: 0, delta, finish_reason: finish }],
            ...extra,
          }),
        );
      chunk({ role: 'assistant', content: '' }, null);
      for await (const event of turn.events) {
        if (event.type === 'delta') chunk({ content: event.text }, null);
        else if (event.type === 'done') {
          chunk({}, 'stop', { citations: event.message.citations.map(toOpenAiCitation) });
          if (req.body.stream_options?.include_usage) {
            sse.sendRaw(
              JSON.stringify({
                id,
                object: 'chat.completion.chunk',
                created,
                model,
                choices: [],
                usage: toOpenAiUsage(event.message.usage),
              }),
            );
          }
        } else if (event.type === 'error') {
          sse.sendRaw(
            JSON.stringify({ error: { message: event.message, type: 'server_error', code: event.code } }),
          );
        }
      }
      sse.sendRaw('[DONE]');
      sse.end();
      return reply;
    },
  );
};

function toOpenAiUsage(u: { promptTokens: number; completionTokens: number; totalTokens: number } | null) {
  return {
    prompt_tokens: u?.promptTokens ?? 0,
    completion_tokens: u?.completionTokens ?? 0,
    total_tokens: u?.totalTokens ?? 0,
  };
}

function toOpenAiCitation(c: {
  n: number;
  documentId: string;
  documentTitle: string;
  page: number | null;
  quote: string;
}) {
  return { n: c.n, document_id: c.documentId, document_title: c.documentTitle, page: c.page, quote: c.quote };
}
