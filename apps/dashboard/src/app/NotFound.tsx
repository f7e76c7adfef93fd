import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n';

export function NotFound() {
  const { t } = useI18n();
  return (
    <section className="page">
      <h1>{t('state.notFound')}</h1>
      <Link to="/">{t('nav.home')}</Link>
    </section>
  );
}
