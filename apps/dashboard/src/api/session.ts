/**
 * The signed-in session: tokens in localStorage so a reload keeps you signed in. The refresh token is single
 * use (the server rotates it on every refresh), so refreshes are single-flight across the whole tab.
 */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
}

const KEY = 'kawan.session';
type Listener = (s: StoredSession | null) => void;
const listeners = new Set<Listener>();

export function getSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

export function setSession(s: StoredSession | null): void {
  if (s)
    localStorage.setItem(KEY, JSON.stringify({ accessToken: s.accessToken, refreshToken: s.refreshToken }));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l(s);
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

let refreshing: Promise<StoredSession | null> | null = null;

/** Exchanges the refresh token once, however many requests hit a 401 at the same time. */
export function refreshSession(): Promise<StoredSession | null> {
  refreshing ??= (async () => {
    const current = getSession();
    if (!current) return null;
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!res.ok) {
        setSession(null);
        return null;
      }
      const body = (await res.json()) as { session: StoredSession };
      setSession(body.session);
      return body.session;
    } catch {
      return null; // offline: keep the session, the caller shows the network error
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}
