// The reply of modes that need a language model (code, debug, explain, optimize, open conversation) when the
// chatbot has none: say so and say how to connect one, rather than a stub answer.
import type { Language } from './answer.types.ts';
import type { ChatMode } from './prompts.ts';

/** What a mode would have done, inside "I can't … yet". */
const TASKS: Record<Language, Record<ChatMode, string>> = {
  en: {
    chat: 'hold an open conversation',
    code: 'write code',
    debug: 'debug code',
    explain: 'explain code',
    optimize: 'optimise code',
  },
  id: {
    chat: 'bercakap-cakap secara bebas',
    code: 'menulis kode',
    debug: 'mencari bug dalam kode',
    explain: 'menjelaskan kode',
    optimize: 'mengoptimalkan kode',
  },
};

/**
 * The "connect a model" reply. `chat` covers general conversation outside the documents; questions about the
 * documents are still answered by the extractive responder.
 */
export function noModelReply(mode: ChatMode, language: Language): string {
  const task = TASKS[language][mode];
  if (language === 'id') {
    return [
      `Belum ada model bahasa (LLM) yang terhubung, jadi saya belum bisa ${task}. Pertanyaan tentang isi dokumen tetap bisa saya jawab dengan kutipan dari dokumen.`,
      '',
      'Cara menghubungkan model:',
      '- Admin organisasi: tambahkan penyedia yang kompatibel dengan OpenAI (Ollama, vLLM, llama.cpp, OpenAI, Groq, OpenRouter, dan lain-lain) di pengaturan organisasi → penyedia model, lalu pilih modelnya di pengaturan chatbot.',
      '- Pengelola server: atur LOCAL_MODEL_PATH ke file model GGUF lalu mulai ulang server untuk menjalankan model lokal tanpa internet.',
    ].join('\n');
  }
  return [
    `No language model is connected, so I can't ${task} yet. Questions about your documents still work: I answer them with quotes from the documents.`,
    '',
    'To connect a model:',
    "- Organization admins: add an OpenAI-compatible provider (Ollama, vLLM, llama.cpp, OpenAI, Groq, OpenRouter, …) in the organization settings under model providers, then pick its model in the chatbot's settings.",
    '- Server operators: set LOCAL_MODEL_PATH to a GGUF model file and restart the server to run a local model offline.',
  ].join('\n');
}
