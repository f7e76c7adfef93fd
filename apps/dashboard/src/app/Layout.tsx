import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n';
import { useTheme, type ThemeChoice } from '../theme/theme';
import { useAuth } from './auth';
import { LAST_ORG, useCurrentOrg, useOrgs } from './orgs';
import { api } from '../api/client';
import type { Language } from '../i18n/define';
import type { MessageKey } from '../i18n/messages';

const navItems: { to: string; key: MessageKey; minRole?: 'admin' }[] = [
  { to: 'chatbots', key: 'nav.chatbots' },
  { to: 'providers', key: 'nav.providers' },
  { to: 'members', key: 'nav.members' },
  { to: 'settings', key: 'nav.settings' },
  { to: 'audit', key: 'nav.audit', minRole: 'admin' },
];

/** The signed-in shell: navigation, org switcher, theme and language, sign out. */
export function Layout() {
  const { t, lang, setLang } = useI18n();
  const { choice, setChoice } = useTheme();
  const { me, signOut } = useAuth();
  const { orgId, atLeast } = useCurrentOrg();
  const orgs = useOrgs();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  useEffect(() => {
    if (orgId) localStorage.setItem(LAST_ORG, orgId);
  }, [orgId]);

  // Theme and language are preferences of the account: keep the server in step with what was chosen here.
  const savePreference = (p: { theme?: ThemeChoice; language?: Language }) => {
    if (p.theme) setChoice(p.theme);
    if (p.language) setLang(p.language);
    void api
      .PATCH('/api/v1/auth/me', { body: { preferences: p } })
      .then(() => qc.invalidateQueries({ queryKey: ['me'] }));
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-icon menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label={menuOpen ? t('nav.closeMenu') : t('nav.openMenu')}
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <NavLink to={orgId ? `/orgs/${orgId}/chatbots` : '/'} className="brand">
          {t('app.name')}
        </NavLink>
        <div className="topbar-controls">
          <label className="inline-select">
            <span className="visually-hidden">{t('org.switcher')}</span>
            <select
              aria-label={t('org.switcher')}
              value={orgId}
              onChange={(e) => navigate(`/orgs/${e.target.value}/chatbots`)}
            >
              {(orgs.data?.data ?? []).map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <select
            aria-label={t('theme.label')}
            value={choice}
            onChange={(e) => savePreference({ theme: e.target.value as ThemeChoice })}
          >
            <option value="system">{t('theme.system')}</option>
            <option value="light">{t('theme.light')}</option>
            <option value="dark">{t('theme.dark')}</option>
          </select>
          <select
            aria-label={t('language.label')}
            value={lang}
            onChange={(e) => savePreference({ language: e.target.value as Language })}
          >
            <option value="en">{t('language.en')}</option>
            <option value="id">{t('language.id')}</option>
          </select>
          <NavLink
            to="/profile"
            className="btn btn-ghost"
            aria-label={`${t('nav.profile')}: ${me?.name ?? ''}`}
          >
            {me?.name ?? t('nav.profile')}
          </NavLink>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
            {t('action.signOut')}
          </button>
        </div>
      </header>
      <div className="body">
        <nav id="sidebar" className={`sidebar${menuOpen ? ' open' : ''}`} aria-label={t('nav.main')}>
          <ul>
            {navItems
              .filter((i) => !i.minRole || atLeast(i.minRole))
              .map((i) => (
                <li key={i.to}>
                  <NavLink to={`/orgs/${orgId}/${i.to}`}>{t(i.key)}</NavLink>
                </li>
              ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
