/** Every string the widget shows, in English and Bahasa Indonesia. */
export type Lang = 'en' | 'id';

export interface Strings {
  open: (name: string) => string;
  close: string;
  dialog: (name: string) => string;
  messages: string;
  input: string;
  placeholder: string;
  send: string;
  greeting: string;
  assistant: string;
  thinking: string;
  remaining: (n: number) => string;
  limit: string;
  refused: string;
  unavailable: string;
  rateLimited: string;
  network: string;
  error: string;
  sources: string;
  page: (n: number) => string;
}

export const STRINGS: Record<Lang, Strings> = {
  en: {
    open: (name) => `Open chat with ${name}`,
    close: 'Close chat',
    dialog: (name) => `Chat with ${name}`,
    messages: 'Messages',
    input: 'Your message',
    placeholder: 'Type your question…',
    send: 'Send',
    greeting: 'Hi! How can I help you today?',
    assistant: 'Assistant',
    thinking: 'Thinking…',
    remaining: (n) => (n === 1 ? '1 message left' : `${n} messages left`),
    limit: 'You have used all the messages of this demo. Thank you for chatting!',
    refused: 'This site is not allowed to use this assistant.',
    unavailable: 'This assistant is not available right now.',
    rateLimited: 'Too many requests. Please wait a moment and try again.',
    network: 'Could not reach the assistant. Check your connection and try again.',
    error: 'Something went wrong. Please try again.',
    sources: 'Sources',
    page: (n) => `p. ${n}`,
  },
  id: {
    open: (name) => `Buka obrolan dengan ${name}`,
    close: 'Tutup obrolan',
    dialog: (name) => `Obrolan dengan ${name}`,
    messages: 'Pesan',
    input: 'Pesan Anda',
    placeholder: 'Ketik pertanyaan Anda…',
    send: 'Kirim',
    greeting: 'Halo! Ada yang bisa saya bantu hari ini?',
    assistant: 'Asisten',
    thinking: 'Sedang berpikir…',
    remaining: (n) => `Sisa ${n} pesan`,
    limit: 'Semua pesan untuk demo ini sudah terpakai. Terima kasih telah mengobrol!',
    refused: 'Situs ini tidak diizinkan menggunakan asisten ini.',
    unavailable: 'Asisten ini sedang tidak tersedia.',
    rateLimited: 'Terlalu banyak permintaan. Tunggu sebentar, lalu coba lagi.',
    network: 'Tidak dapat menghubungi asisten. Periksa koneksi Anda, lalu coba lagi.',
    error: 'Terjadi kesalahan. Silakan coba lagi.',
    sources: 'Sumber',
    page: (n) => `hlm. ${n}`,
  },
};
