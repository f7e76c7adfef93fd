import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { setSession } from '../../api/session';
import { ApiError } from '../../api/errors';
import type { Ok } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import type { Language } from '../../i18n/define';
import { useTheme, type ThemeChoice } from '../../theme/theme';
import { SelectField, TextField } from '../../ui/forms';
import { ErrorState, QueryView } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { useRoleLabel } from '../orgs/access';
import { CreateOrgForm } from '../orgs/CreateOrgForm';
import './account.css';

type Me = Ok<'/api/v1/auth/me', 'get'>;

/** /profile: name, email and its verification, preferences (language, theme), password, memberships. */
export function Profile() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ['me'], queryFn: () => call(api.GET('/api/v1/auth/me')) });
  return (
    <section className="page account-page">
      <div className="page-header">
        <h1>{t('profile.title')}</h1>
      </div>
      <QueryView query={me}>
        {(data) => (
          <div className="account-sections">
            <DetailsCard me={data} />
            <PreferencesCard key={`${data.preferences.language}-${data.preferences.theme}`} me={data} />
            <PasswordCard />
            <OrganizationsCard me={data} />
          </div>
        )}
      </QueryView>
    </section>
  );
}

function DetailsCard({ me }: { me: Me }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(me.name);
  const save = useMutation({
    mutationFn: () => call(api.PATCH('/api/v1/auth/me', { body: { name } })),
    onSuccess: (r) => {
      qc.setQueryData(['me'], r);
      toast(t('state.saved'));
    },
  });
  const resend = useMutation({
    mutationFn: () => call(api.POST('/api/v1/auth/verify-email/resend')),
    onSuccess: () => toast(t('profile.resent')),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section className="card account-card" aria-labelledby="profile-details">
      <h2 id="profile-details">{t('profile.details')}</h2>
      <form onSubmit={submit} className="form">
        <TextField
          label={t('auth.name')}
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label={t('auth.email')}
          type="email"
          readOnly
          value={me.email}
          hint={t('profile.emailReadOnly')}
        />
        <div className="row verify-row">
          {me.emailVerified ? (
            <span className="badge badge-ok">{t('profile.verified')}</span>
          ) : (
            <>
              <span className="badge badge-danger">{t('profile.unverified')}</span>
              <button
                type="button"
                className="btn btn-small"
                disabled={resend.isPending || resend.isSuccess}
                onClick={() => resend.mutate()}
              >
                {t('profile.resend')}
              </button>
            </>
          )}
          {me.isPlatformAdmin ? (
            <span className="badge badge-primary">{t('profile.platformAdmin')}</span>
          ) : null}
        </div>
        {resend.isSuccess ? (
          <p role="status" className="muted small">
            {t('profile.resent')}
          </p>
        ) : null}
        {resend.error ? <ErrorState error={resend.error} /> : null}
        {save.error ? <ErrorState error={save.error} /> : null}
        <div>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={save.isPending || name.trim() === '' || name.trim() === me.name}
          >
            {save.isPending ? t('action.saving') : t('action.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

function PreferencesCard({ me }: { me: Me }) {
  const { t, setLang } = useI18n();
  const { setChoice } = useTheme();
  const qc = useQueryClient();
  const toast = useToast();
  const [language, setLanguage] = useState<Language>(me.preferences.language);
  const [theme, setTheme] = useState<ThemeChoice>(me.preferences.theme);
  const save = useMutation({
    mutationFn: () => call(api.PATCH('/api/v1/auth/me', { body: { preferences: { language, theme } } })),
    onSuccess: (r) => {
      setLang(r.preferences.language);
      setChoice(r.preferences.theme);
      qc.setQueryData(['me'], r);
      void qc.invalidateQueries({ queryKey: ['me'] });
      toast(t('state.saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section className="card account-card" aria-labelledby="profile-preferences">
      <h2 id="profile-preferences">{t('profile.preferences')}</h2>
      <form onSubmit={submit} className="form">
        <SelectField
          label={t('profile.language')}
          value={language}
          onChange={(e) => setLanguage(e.target.value as Language)}
          options={[
            { value: 'en', label: t('language.en') },
            { value: 'id', label: t('language.id') },
          ]}
        />
        <SelectField
          label={t('profile.theme')}
          value={theme}
          onChange={(e) => setTheme(e.target.value as ThemeChoice)}
          options={[
            { value: 'system', label: t('theme.system') },
            { value: 'light', label: t('theme.light') },
            { value: 'dark', label: t('theme.dark') },
          ]}
        />
        {save.error ? <ErrorState error={save.error} /> : null}
        <div>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('action.saving') : t('profile.savePreferences')}
          </button>
        </div>
      </form>
    </section>
  );
}

function PasswordCard() {
  const { t } = useI18n();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/auth/change-password', {
          body: { currentPassword: current, newPassword: next },
        }),
      ),
    onSuccess: (r) => {
      // The server signed out every other session and handed this one a fresh pair.
      setSession(r.session);
      setCurrent('');
      setNext('');
      setRepeat('');
      toast(t('profile.passwordChanged'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate();
  };
  const wrongCurrent = change.error instanceof ApiError && change.error.code === 'invalid_credentials';
  return (
    <section className="card account-card" aria-labelledby="profile-password">
      <h2 id="profile-password">{t('profile.password')}</h2>
      <form onSubmit={submit} className="form">
        <TextField
          label={t('profile.currentPassword')}
          type="password"
          autoComplete="current-password"
          required
          value={current}
          error={wrongCurrent ? t('profile.wrongPassword') : undefined}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label={t('auth.newPassword')}
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          hint={t('auth.passwordHint')}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <TextField
          label={t('auth.confirmPassword')}
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          error={mismatch ? t('auth.passwordsDiffer') : undefined}
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        {change.error && !wrongCurrent ? <ErrorState error={change.error} /> : null}
        {change.isSuccess ? (
          <p role="status" className="muted small">
            {t('profile.passwordChanged')}
          </p>
        ) : null}
        <div>
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            {t('profile.password')}
          </button>
        </div>
      </form>
    </section>
  );
}

function OrganizationsCard({ me }: { me: Me }) {
  const { t } = useI18n();
  const roleLabel = useRoleLabel();
  return (
    <section className="card account-card" aria-labelledby="profile-orgs">
      <h2 id="profile-orgs">{t('profile.organizations')}</h2>
      {me.organizations.length === 0 ? (
        <>
          <p className="muted">{t('profile.noOrgs')}</p>
          <h3>{t('orgs.create.title')}</h3>
          <CreateOrgForm />
        </>
      ) : (
        <ul className="account-orgs">
          {me.organizations.map((o) => (
            <li key={o.id}>
              <Link to={`/orgs/${o.id}/settings`}>{o.name}</Link>{' '}
              <span className="badge">{roleLabel(o.role)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
