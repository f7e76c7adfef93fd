import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useTheme, type ThemeChoice } from '../../theme/theme';
import type { Language } from '../../i18n/define';

/** The frame of the signed-out pages: brand, language and theme pickers, one card. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { choice, setChoice } = useTheme();
  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <p className="brand">{t('app.name')}</p>
        <p className="muted">{t('auth.tagline')}</p>
        <h1>{title}</h1>
        {children}
      </main>
      <div className="auth-prefs">
        <select
          aria-label={t('language.label')}
          value={lang}
          onChange={(e) => setLang(e.target.value as Language)}
        >
          <option value="en">{t('language.en')}</option>
          <option value="id">{t('language.id')}</option>
        </select>
        <select
          aria-label={t('theme.label')}
          value={choice}
          onChange={(e) => setChoice(e.target.value as ThemeChoice)}
        >
          <option value="system">{t('theme.system')}</option>
          <option value="light">{t('theme.light')}</option>
          <option value="dark">{t('theme.dark')}</option>
        </select>
      </div>
    </div>
  );
}
