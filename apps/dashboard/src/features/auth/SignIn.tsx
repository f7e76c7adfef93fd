import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { setSession } from '../../api/session';
import { useI18n } from '../../i18n/i18n';
import { useAuth } from '../../app/auth';
import { TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { AuthCard } from './AuthCard';

/** Only same-site paths after sign-in (no open redirect through ?next=). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Carries ?next= over between the sign-in and sign-up pages (an invitation link brings people back). */
export function withNext(path: string, next: string | null): string {
  return next ? `${path}?next=${encodeURIComponent(safeNext(next))}` : path;
}

export function SignIn() {
  const { t } = useI18n();
  const { signedIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => call(api.POST('/api/v1/auth/login', { body: { email, password } })),
    onSuccess: (r) => {
      setSession(r.session);
      navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  if (signedIn && !login.isPending) return <Navigate to={safeNext(params.get('next'))} replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <AuthCard title={t('auth.signIn')}>
      <form onSubmit={submit} className="form">
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {login.error ? <ErrorState error={login.error} /> : null}
        <button type="submit" className="btn btn-primary" disabled={login.isPending}>
          {t('auth.signIn')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('auth.forgot')}</Link>
      </p>
      <p>
        {t('auth.noAccount')} <Link to={withNext('/signup', params.get('next'))}>{t('auth.signUp')}</Link>
      </p>
    </AuthCard>
  );
}
