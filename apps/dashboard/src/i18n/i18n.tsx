import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Language } from './define';
import { tables, type MessageKey } from './messages';
import { ApiError } from '../api/errors';

export type { MessageKey };
type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

interface I18n {
  lang: Language;
  setLang: (l: Language) => void;
  t: Translate;
  /** A user-facing sentence for any error: the translated code when known, else the server's message. */
  errorText: (err: unknown) => string;
  formatDate: (iso: string | Date) => string;
  formatNumber: (n: number) => string;
}

const Ctx = createContext<I18n | null>(null);
const STORE = 'kawan.language';

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORE);
  if (stored === 'en' || stored === 'id') return stored;
  return navigator.language.toLowerCase().startsWith('id') ? 'id' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(STORE, l);
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const table = tables[lang];
    const t: Translate = (key, vars) => {
      let s = table[key] ?? tables.en[key] ?? key;
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
      return s;
    };
    const locale = lang === 'id' ? 'id-ID' : 'en-GB';
    return {
      lang,
      setLang,
      t,
      errorText: (err) => {
        if (err instanceof ApiError) {
          const known = table[`error.${err.code}`];
          return known ?? err.message;
        }
        return table['state.error'] ?? 'Error';
      },
      formatDate: (d) =>
        new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(d)),
      formatNumber: (n) => new Intl.NumberFormat(locale).format(n),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export const useT = (): Translate => useI18n().t;
