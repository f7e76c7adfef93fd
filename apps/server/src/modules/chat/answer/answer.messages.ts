// Fixed reply texts of the answer builders, English and Indonesian.
import type { Language } from '../../retrieval/text.ts';

export const ANSWER_MESSAGES: Record<
  Language,
  { intro: string; weakIntro: string; notFound: string; noHits: string; noQuestion: string }
> = {
  en: {
    intro: 'Here is what the documents say:',
    weakIntro:
      'I could not find a clear answer in the documents. The closest passage may not answer your question:',
    notFound:
      "I couldn't find the answer to that in the documents I have. Try rephrasing the question, or add a document that covers it.",
    noHits:
      "I couldn't find anything about that in the documents I have. Try other words, or add a document that covers it.",
    noQuestion:
      'I answer questions about the documents in this knowledge base. Please ask something about their content.',
  },
  id: {
    intro: 'Berikut yang tertulis di dokumen:',
    weakIntro:
      'Saya tidak menemukan jawaban yang jelas di dokumen. Bagian yang paling mendekati mungkin tidak menjawab pertanyaan Anda:',
    notFound:
      'Maaf, saya tidak menemukan jawaban untuk pertanyaan itu di dokumen yang tersedia. Coba ubah pertanyaannya, atau tambahkan dokumen yang membahasnya.',
    noHits:
      'Maaf, saya tidak menemukan apa pun tentang itu di dokumen yang tersedia. Coba kata lain, atau tambahkan dokumen yang membahasnya.',
    noQuestion:
      'Saya menjawab pertanyaan tentang dokumen di basis pengetahuan ini. Silakan ajukan pertanyaan tentang isinya.',
  },
};
