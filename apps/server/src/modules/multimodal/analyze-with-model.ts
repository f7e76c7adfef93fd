import type { ResolvedModel } from '../../platform/llm/resolve-model.ts';
import type { ChatMessage, Usage } from '../../platform/llm/types.ts';

/**
 * The vision path of `analyze`: one image part plus the question to a model whose catalogue entry says it can
 * see (`info.vision`).
 */

/** A resolved model (platform/llm/resolve-model.ts) whose `info.vision` is true. */
export type VisionModel = ResolvedModel;

export const DEFAULT_ANALYZE_PROMPT =
  'Describe this image for someone who cannot see it: what it shows, any text in it (quoted exactly), ' +
  'and anything notable such as charts, tables, people or products. Answer in the language of any question ' +
  'below, otherwise in English.';

export function visionMessages(dataUrl: string, prompt: string | undefined): ChatMessage[] {
  return [
    { role: 'system', content: DEFAULT_ANALYZE_PROMPT },
    {
      role: 'user',
      content: [
        { type: 'text', text: prompt?.trim() || 'Describe this image.' },
        { type: 'image_url', image_url: { url: dataUrl } },
      ],
    },
  ];
}

export async function analyzeWithModel(
  m: VisionModel,
  dataUrl: string,
  prompt: string | undefined,
  opts: { signal: AbortSignal; maxTokens?: number },
): Promise<{ text: string; usage: Usage }> {
  const result = await m.provider.complete({
    model: m.model,
    messages: visionMessages(dataUrl, prompt),
    temperature: 0.2,
    maxTokens: opts.maxTokens ?? 1024,
    signal: opts.signal,
  });
  return { text: result.text.trim(), usage: result.usage };
}
