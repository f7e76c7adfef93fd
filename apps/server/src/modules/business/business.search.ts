import type { DbOrTx } from '../../platform/db/database.ts';
import type { KnowledgeEntry } from '../retrieval/retrieval.service.ts';
import { guessLanguage, type Language } from '../retrieval/text.ts';
import { getProfile, listAllItems, type BusinessProfileRow, type CatalogueItemRow } from './business.repo.ts';

/**
 * The org's business profile and catalogue as retrieval items: each rendered as a short self-contained text
 * (a quoted price must still say what it is the price of), labelled in the chatbot's language.
 */

const LABELS = {
  en: {
    industry: 'Industry',
    address: 'Address',
    hours: 'Opening hours',
    phone: 'Phone',
    email: 'Email',
    website: 'Website',
    category: 'Category',
    price: 'Price',
    onRequest: 'on request',
    availability: 'Availability',
    available: 'available',
    unavailable: 'not available (out of stock)',
    sku: 'SKU',
  },
  id: {
    industry: 'Bidang usaha',
    address: 'Alamat',
    hours: 'Jam buka',
    phone: 'Telepon',
    email: 'Email',
    website: 'Situs web',
    category: 'Kategori',
    price: 'Harga',
    onRequest: 'sesuai permintaan',
    availability: 'Ketersediaan',
    available: 'tersedia',
    unavailable: 'tidak tersedia (stok habis)',
    sku: 'SKU',
  },
} as const satisfies Record<Language, Record<string, string>>;

export const businessEntryId = (orgId: string) => `business:${orgId}`;

const line = (label: string, value: string | null | undefined) => (value ? `${label}: ${value}` : '');
const joinLines = (lines: string[]) => lines.filter(Boolean).join('\n');

export function renderProfile(p: BusinessProfileRow, language: Language): string {
  const l = LABELS[language];
  return joinLines([
    p.name,
    p.description,
    line(l.industry, p.industry),
    line(l.address, p.address),
    line(l.hours, p.hours),
    line(l.phone, p.phone),
    line(l.email, p.email),
    line(l.website, p.website),
    ...Object.entries(p.facts).map(([k, v]) => line(k, v)),
  ]);
}

export function renderItem(i: CatalogueItemRow, language: Language): string {
  const l = LABELS[language];
  return joinLines([
    i.name,
    i.description,
    line(l.category, i.category),
    line(l.price, i.price ? `${i.price} ${i.currency}` : l.onRequest),
    line(l.availability, i.available ? l.available : l.unavailable),
    line(l.sku, i.sku),
    ...Object.entries(i.attributes).map(([k, v]) => line(k, v)),
  ]);
}

/** Profile (when set) and catalogue items of the org, for one chatbot's index. */
export async function listBusinessEntries(
  db: DbOrTx,
  orgId: string,
  language: Language,
): Promise<KnowledgeEntry[]> {
  const [profile, items] = await Promise.all([getProfile(db, orgId), listAllItems(db, orgId)]);
  const entries: KnowledgeEntry[] = [];
  if (profile) {
    const text = renderProfile(profile, language);
    entries.push({
      item: {
        id: businessEntryId(orgId),
        docId: businessEntryId(orgId),
        title: profile.name,
        text,
        language: guessLanguage(text, language),
      },
      source: 'business',
      sourceId: null,
      title: profile.name,
    });
  }
  for (const i of items) {
    const text = renderItem(i, language);
    entries.push({
      item: {
        id: i.id,
        docId: i.id,
        title: i.category ? `${i.name} ${i.category}` : i.name,
        text,
        language: guessLanguage(text, language),
        tags: i.tags,
      },
      source: 'catalogue',
      sourceId: i.id,
      title: i.name,
    });
  }
  return entries;
}
