/**
 * Known OpenAI-compatible servers: where they listen, whether they need a key, and what their model names say
 * about a model (vision input, tool calling, context window). `/v1/models` returns only ids on most servers,
 * so these guesses fill a provider's catalogue; an admin can correct any entry by hand.
 */

export const presetIds = [
  'ollama',
  'vllm',
  'llamacpp',
  'groq',
  'openrouter',
  'fireworks',
  'openai',
  'gemini',
  'custom',
] as const;
export type PresetId = (typeof presetIds)[number];

export interface ProviderPreset {
  id: PresetId;
  label: string;
  /** null: the admin must give one (custom) */
  baseUrl: string | null;
  /** hosted APIs refuse requests without a key; self-hosted servers take one only if started with it */
  requiresKey: boolean;
  /** runs next to Kawan (typically a loopback or LAN address) */
  selfHosted: boolean;
  /** model-name patterns of vision-capable models, on top of the common ones */
  visionPatterns: RegExp[];
  /** whether models of this provider can call tools unless their name says otherwise */
  toolsByDefault: boolean;
  /** context window when neither the server nor the name tells */
  defaultContextWindow: number;
  /** headers the provider asks integrators to send */
  headers?: Record<string, string>;
}

/** Families whose every (or nearly every) member accepts images, whoever serves them. */
const commonVision: RegExp[] = [
  /vision/i,
  /llava/i,
  /(^|[-_./:])vl($|[-_.:])/i, // qwen2.5-vl, Qwen2-VL-7B, InternVL
  /qwen\d(\.\d)?-?vl/i,
  /internvl/i,
  /pixtral/i,
  /moondream/i,
  /minicpm-?v/i,
  /llama-?4/i,
  /gemma-?3(?![-:.]?1b)/i,
  /mistral-small-?3\.[12]/i,
  /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|chatgpt-4o/i,
  /(^|\/)o[134](-|$)/i,
  /gemini/i,
  /claude-(3|sonnet|opus|haiku)/i,
];

/** Families trained for tool calling (used where tools are not assumed). */
const toolFamilies: RegExp[] = [
  /llama-?3\.[1-3]|llama3\.[1-3]|llama-?4/i,
  /qwen-?2\.5|qwen-?3|qwq/i,
  /mistral|mixtral|ministral/i,
  /hermes|firefunction|command-r|granite-?3/i,
  /gpt-|gemini|claude/i,
];

const contextWindows: [RegExp, number][] = [
  [/gemini-(1\.5|2|2\.5)/i, 1_048_576],
  [/gpt-4\.1/i, 1_047_576],
  [/gpt-5/i, 400_000],
  [/claude/i, 200_000],
  [/gpt-4o|gpt-4-turbo|(^|\/)o[134](-|$)/i, 128_000],
  [/llama-?3\.[1-3]|llama3\.[1-3]|llama-?4/i, 131_072],
  [/qwen-?2\.5|qwen-?3/i, 32_768],
  [/mistral|mixtral/i, 32_768],
  [/gemma-?3/i, 131_072],
  [/gemma/i, 8_192],
];

export const presets: Record<PresetId, ProviderPreset> = {
  ollama: {
    id: 'ollama',
    label: 'Ollama',
    baseUrl: 'http://127.0.0.1:11434/v1',
    requiresKey: false,
    selfHosted: true,
    visionPatterns: [/bakllava/i, /granite3\.2-vision/i],
    toolsByDefault: false,
    // Ollama's OpenAI endpoint runs with its default num_ctx unless the model file says otherwise.
    defaultContextWindow: 4_096,
  },
  vllm: {
    id: 'vllm',
    label: 'vLLM',
    baseUrl: 'http://127.0.0.1:8000/v1',
    requiresKey: false,
    selfHosted: true,
    visionPatterns: [/phi-3\.5-vision/i, /molmo/i],
    toolsByDefault: false,
    defaultContextWindow: 8_192,
  },
  llamacpp: {
    id: 'llamacpp',
    label: 'llama.cpp server',
    baseUrl: 'http://127.0.0.1:8080/v1',
    requiresKey: false,
    selfHosted: true,
    visionPatterns: [/mmproj/i],
    toolsByDefault: false,
    defaultContextWindow: 4_096,
  },
  groq: {
    id: 'groq',
    label: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    requiresKey: true,
    selfHosted: false,
    visionPatterns: [/llama-4-(scout|maverick)/i],
    toolsByDefault: true,
    defaultContextWindow: 131_072,
  },
  openrouter: {
    id: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    requiresKey: true,
    selfHosted: false,
    visionPatterns: [],
    toolsByDefault: true,
    defaultContextWindow: 32_768,
    headers: { 'X-Title': 'Kawan' },
  },
  fireworks: {
    id: 'fireworks',
    label: 'Fireworks AI',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    requiresKey: true,
    selfHosted: false,
    visionPatterns: [/firellava/i, /qwen2p5-vl/i, /llama-v3p2-\d+b-vision/i, /phi-3-vision/i],
    toolsByDefault: true,
    defaultContextWindow: 32_768,
  },
  openai: {
    id: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    requiresKey: true,
    selfHosted: false,
    visionPatterns: [],
    toolsByDefault: true,
    defaultContextWindow: 128_000,
  },
  gemini: {
    id: 'gemini',
    label: 'Google Gemini (OpenAI-compatible endpoint)',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    requiresKey: true,
    selfHosted: false,
    visionPatterns: [],
    toolsByDefault: true,
    defaultContextWindow: 1_048_576,
  },
  custom: {
    id: 'custom',
    label: 'Other OpenAI-compatible server',
    baseUrl: null,
    requiresKey: false,
    selfHosted: false,
    visionPatterns: [],
    toolsByDefault: false,
    defaultContextWindow: 8_192,
  },
};

/** Fields some servers add to `/v1/models` entries that say what a model is. */
export interface ServerModelFields {
  context_length?: unknown; // OpenRouter, llama.cpp
  context_window?: unknown; // Groq
  max_model_len?: unknown; // vLLM
  architecture?: { input_modalities?: unknown; modality?: unknown }; // OpenRouter
}

export interface ModelTraits {
  vision: boolean;
  tools: boolean;
  contextWindow: number;
}

const positiveInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** Best guess of a model's traits from what the server said, then its name, then the preset. */
export function guessModelTraits(
  preset: PresetId,
  modelId: string,
  fromServer: ServerModelFields = {},
): ModelTraits {
  const p = presets[preset];
  const arch = fromServer.architecture;
  const modalities = Array.isArray(arch?.input_modalities)
    ? (arch.input_modalities as unknown[])
    : typeof arch?.modality === 'string'
      ? arch.modality.split('->')[0]!.split('+')
      : undefined;
  const vision = modalities
    ? modalities.includes('image')
    : [...commonVision, ...p.visionPatterns].some((re) => re.test(modelId));
  const contextWindow =
    positiveInt(fromServer.context_length) ??
    positiveInt(fromServer.context_window) ??
    positiveInt(fromServer.max_model_len) ??
    // A self-hosted server runs a model with the context it was started with, not the one it was trained for.
    (p.selfHosted ? undefined : contextWindows.find(([re]) => re.test(modelId))?.[1]) ??
    p.defaultContextWindow;
  const tools = p.toolsByDefault || toolFamilies.some((re) => re.test(modelId));
  return { vision, tools, contextWindow };
}
