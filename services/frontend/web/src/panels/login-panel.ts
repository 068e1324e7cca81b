import { failureMessage, type BrokerClient, type Exchange } from '../broker-client';
import { devCredentials } from '../dev-credentials';
import { byId, h } from '../dom';
import type { Session, SessionState } from '../session';

export interface Credentials {
  email: string;
  password: string;
}

/** Finds the token and user in an auth response, whichever names the auth service used. */
export function sessionFrom(exchange: Exchange, email: string): SessionState | null {
  const data = (exchange.body as { data?: Record<string, unknown> } | null)?.data;
  if (!exchange.ok || !data) return null;
  // The broker answers {token: {access_token, token_type, expires_in}}; a bare string is accepted
  // too, so the form keeps working against older brokers.
  const raw = data.token ?? data.access_token;
  const token =
    typeof raw === 'object' && raw !== null
      ? (raw as { access_token?: unknown }).access_token
      : raw;
  if (typeof token !== 'string' || !token) return null;
  const user = (data.user ?? {}) as { email?: unknown; role?: unknown };
  return {
    token,
    email: typeof user.email === 'string' ? user.email : email,
    role: typeof user.role === 'string' ? user.role : undefined,
  };
}

/** The sign-in card (prefilled with the dev admin in a dev build); its token is used by every call. */
export class LoginPanel {
  private readonly form = byId<HTMLFormElement>('login-form');
  private readonly email = byId<HTMLInputElement>('login-email');
  private readonly password = byId<HTMLInputElement>('login-password');
  private readonly submit = byId<HTMLButtonElement>('login-submit');
  private readonly error = byId('login-error');
  private readonly signedIn = byId('signed-in');
  private readonly userChip = byId('user-chip');

  constructor(
    private readonly client: BrokerClient,
    private readonly session: Session,
  ) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.login();
    });
    const dev = devCredentials();
    if (dev) {
      this.email.value = dev.email;
      this.password.value = dev.password;
      byId('login-hint').hidden = false;
    }
    session.onChange(() => this.render());
    this.render();
  }

  credentials(): Credentials {
    return { email: this.email.value.trim(), password: this.password.value };
  }

  /** Sends the auth action; on success the session holds the token. Returns the exchange. */
  async login(): Promise<Exchange> {
    const creds = this.credentials();
    this.submit.disabled = true;
    this.submit.classList.add('is-busy');
    this.error.hidden = true;
    try {
      const exchange = await this.client.send('POST', '/handle', {
        body: { action: 'auth', auth: creds },
        announce: true,
      });
      this.adopt(exchange, creds.email);
      return exchange;
    } finally {
      this.submit.disabled = false;
      this.submit.classList.remove('is-busy');
    }
  }

  /** Takes the token from any auth exchange (the form's or the tester's Auth button). */
  adopt(exchange: Exchange, email: string): void {
    const state = sessionFrom(exchange, email);
    if (state) {
      this.session.signIn(state);
    } else {
      this.error.textContent =
        exchange.status === 401
          ? 'Wrong email or password.'
          : `Sign-in failed: ${failureMessage(exchange)}`;
      this.error.hidden = false;
    }
  }

  /** Revokes the session's tokens at auth (every broker refuses them), then forgets it here. */
  private async logout(): Promise<void> {
    try {
      await this.client.send('POST', '/api/auth/logout', { body: {} });
    } finally {
      this.session.signOut();
    }
  }

  private render(): void {
    const state = this.session.current;
    this.form.hidden = state !== null;
    this.signedIn.hidden = state === null;
    this.userChip.hidden = state === null;
    if (!state) return;
    const signOut = h(
      'button',
      { type: 'button', class: 'btn btn-quiet', id: 'sign-out' },
      'Sign out',
    );
    signOut.addEventListener('click', () => void this.logout());
    this.signedIn.replaceChildren(
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, state.email.charAt(0).toUpperCase()),
      h(
        'div',
        { class: 'who' },
        h('strong', {}, state.email),
        h('span', { class: 'muted' }, state.role ? `Signed in · ${state.role}` : 'Signed in'),
      ),
      signOut,
    );
    this.userChip.replaceChildren(
      h('span', { class: 'dot dot-ok', 'aria-hidden': 'true' }),
      state.email,
    );
  }
}
