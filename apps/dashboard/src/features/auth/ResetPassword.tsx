import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { AuthCard } from './AuthCard';
import './account.css';

/** The page behind the emailed reset link (/reset-password?token=…). */
export function ResetPassword() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: () => call(api.POST('/api/v1/auth/reset-password', { body: { token, password } })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    reset.mutate();
  };

  let body;
  if (!token) {
    body = (
      <>
        <p role="alert" className="auth-notice auth-notice-error">
          {t('auth.missingToken')}
        </p>
        <p>
          <Link to="/forgot-password">{t('auth.requestNewLink')}</Link>
        </p>
      </>
    );
  } else if (reset.isSuccess) {
    body = (
      <>
        <p role="status" className="auth-notice auth-notice-ok">
          {t('auth.resetDone')}
        </p>
        <p>
          <Link to="/signin" className="btn btn-primary">
            {t('auth.signIn')}
          </Link>
        </p>
      </>
    );
  } else {
    body = (
      <form onSubmit={submit} className="form">
        <TextField
          label={t('auth.newPassword')}
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          hint={t('auth.passwordHint')}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
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
        {reset.error ? <ErrorState error={reset.error} /> : null}
        {reset.error ? (
          <p>
            <Link to="/forgot-password">{t('auth.requestNewLink')}</Link>
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={reset.isPending}>
          {t('auth.setPassword')}
        </button>
      </form>
    );
  }
  return (
    <AuthCard title={t('auth.resetTitle')}>
      {body}
      <p>
        <Link to="/signin">{t('auth.backToSignIn')}</Link>
      </p>
    </AuthCard>
  );
}
