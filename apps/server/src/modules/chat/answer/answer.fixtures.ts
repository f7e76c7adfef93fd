// Realistic knowledge bases for the answer tests: pages of a pawnshop's documents (English and Indonesian),
// chunked into page slices the way ingestion stores them, indexed and searched by the real retrieval engine.
import { buildIndex, searchWithDetails, type SearchMode } from '../../retrieval/engine.ts';
import type { Language } from '../../retrieval/text.ts';
import type { AnswerHit } from './answer.types.ts';
import { termStatsFromIndex, type TermStats } from './query-terms.ts';

export interface FixturePage {
  documentId: string;
  title: string;
  page: number;
  text: string;
}

export const EN_PAGES: FixturePage[] = [
  {
    documentId: 'doc_loans',
    title: 'Gold Pawn Loan Terms',
    page: 2,
    text:
      'Gold Pawn Loan Terms\n\n' +
      'A gold pawn loan is secured by jewellery or gold bars that you leave with us. ' +
      'You can borrow up to 90% of the appraised value of the gold. ' +
      'The loan period is 120 days and can be extended any number of times by paying the accrued interest. ' +
      'Interest is charged at 1.2% per 15 days, so you only pay for the days you use.\n\n' +
      'Repayment can be made in full or in instalments at any branch or through the mobile app. ' +
      'If a loan is not repaid or extended within the loan period, the pledged gold is sold at auction. ' +
      'Any surplus from the auction, after the loan and costs are deducted, is returned to the customer for one year.',
  },
  {
    documentId: 'doc_branches',
    title: 'Branches and Opening Hours',
    page: 1,
    text:
      'Our branches are open Monday to Friday from 08:00 to 15:00. ' +
      'On Saturday the branches open from 08:00 to 12:00, and all branches are closed on Sundays and public holidays. ' +
      'Customers can check the nearest branch in the mobile app.\n\n' +
      'Bring your national identity card (KTP) when you visit. Appraisal of gold takes about fifteen minutes.',
  },
  {
    documentId: 'doc_valuation',
    title: 'How We Value Gold',
    page: 1,
    text:
      'Gold is appraised by purity (carat) and net weight after stones are removed. ' +
      'The reference price is updated every morning from the national gold market. ' +
      'Jewellery with diamonds is valued on the gold content only.',
  },
  {
    documentId: 'doc_app',
    title: 'Mobile App Help',
    page: 3,
    text:
      'To register in the mobile app, enter your phone number and the six-digit code we send by SMS. ' +
      'You can pay instalments, extend a loan and see your pledged items in the app. ' +
      'If you forget your PIN, choose "Forgot PIN" on the login screen and verify your identity again.',
  },
  {
    documentId: 'doc_savings',
    title: 'Gold Savings Account',
    page: 1,
    text:
      'A gold savings account lets you buy gold from 0.01 gram. ' +
      'The balance is stored as gold and can be withdrawn as printed gold bars of 1, 2, 5 or 10 grams. ' +
      'Withdrawal of printed gold takes up to 14 working days.',
  },
];

export const ID_PAGES: FixturePage[] = [
  {
    documentId: 'doc_gadai',
    title: 'Ketentuan Gadai Emas',
    page: 1,
    text:
      'Gadai emas adalah pinjaman dengan jaminan perhiasan atau emas batangan. ' +
      'Nasabah dapat meminjam hingga 90% dari nilai taksiran emas. ' +
      'Jangka waktu pinjaman adalah 120 hari dan dapat diperpanjang dengan membayar sewa modal. ' +
      'Sewa modal dihitung 1,2% per 15 hari.',
  },
  {
    documentId: 'doc_cabang',
    title: 'Jam Operasional Cabang',
    page: 1,
    text:
      'Cabang kami buka hari Senin sampai Jumat pukul 08.00 sampai 15.00. ' +
      'Pada hari Sabtu cabang buka pukul 08.00 sampai 12.00, sedangkan hari Minggu dan hari libur nasional cabang tutup. ' +
      'Bawalah KTP saat datang ke cabang.',
  },
  {
    documentId: 'doc_tabungan',
    title: 'Tabungan Emas',
    page: 1,
    text:
      'Tabungan emas memungkinkan nasabah membeli emas mulai 0,01 gram. ' +
      'Saldo dapat dicetak menjadi emas batangan 1, 2, 5 atau 10 gram. ' +
      'Pencetakan emas memerlukan waktu paling lama 14 hari kerja.',
  },
  {
    documentId: 'doc_lelang',
    title: 'Lelang Barang Jaminan',
    page: 2,
    text:
      'Jika pinjaman tidak dilunasi atau diperpanjang sampai jatuh tempo, barang jaminan akan dilelang. ' +
      'Kelebihan hasil lelang setelah dikurangi pinjaman dan biaya dikembalikan kepada nasabah.',
  },
];

/** A page cut into chunks at paragraph breaks, with offsets into the page (page.slice(start, end) === text). */
function chunkPage(p: FixturePage) {
  const chunks: { id: string; charStart: number; charEnd: number; text: string }[] = [];
  const re = /[^\n]+(?:\n(?!\n)[^\n]*)*/g;
  for (const m of p.text.matchAll(re)) {
    if (!m[0].trim()) continue;
    chunks.push({
      id: `${p.documentId}_c${chunks.length}`,
      charStart: m.index,
      charEnd: m.index + m[0].length,
      text: m[0],
    });
  }
  return chunks;
}

export interface FixtureKnowledge {
  pages: FixturePage[];
  termStats: TermStats;
  search(question: string, opts?: { topK?: number; mode?: SearchMode }): AnswerHit[];
  /** the page text a citation points into */
  pageText(documentId: string): string;
}

export function buildKnowledge(pages: FixturePage[], language: Language): FixtureKnowledge {
  const info = new Map<string, { page: FixturePage; charStart: number; charEnd: number; text: string }>();
  const items = pages.flatMap((p) =>
    chunkPage(p).map((c) => {
      info.set(c.id, { page: p, ...c });
      return { id: c.id, docId: p.documentId, title: p.title, text: c.text, language };
    }),
  );
  const index = buildIndex(items);
  return {
    pages,
    termStats: termStatsFromIndex(index),
    search: (question, { topK = 8, mode = 'hybrid' } = {}) =>
      searchWithDetails(index, question, { mode, topK }).hits.map((h, i): AnswerHit => {
        const c = info.get(h.id)!;
        return {
          rank: i + 1,
          chunkId: h.id,
          documentId: c.page.documentId,
          documentTitle: c.page.title,
          page: c.page.page,
          charStart: c.charStart,
          charEnd: c.charEnd,
          heading: null,
          text: c.text,
          score: h.score,
          scores: h.scores,
        };
      }),
    pageText: (documentId) => pages.find((p) => p.documentId === documentId)!.text,
  };
}
