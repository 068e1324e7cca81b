/** The signed-in user's token, kept for the tab's lifetime (sessionStorage), with listeners. */
export interface SessionState {
  token: string;
  email: string;
  role?: string;
}

const KEY = 'micromesh.session';

type Listener = (state: SessionState | null) => void;

export class Session {
  private state: SessionState | null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage = sessionStorage) {
    this.state = Session.read(storage);
  }

  private static read(storage: Storage): SessionState | null {
    try {
      const raw = storage.getItem(KEY);
      const parsed = raw ? (JSON.parse(raw) as Partial<SessionState>) : null;
      return parsed && typeof parsed.token === 'string' && typeof parsed.email === 'string'
        ? { token: parsed.token, email: parsed.email, role: parsed.role }
        : null;
    } catch {
      return null;
    }
  }

  get current(): SessionState | null {
    return this.state;
  }

  get token(): string | undefined {
    return this.state?.token;
  }

  signIn(state: SessionState): void {
    this.state = state;
    this.storage.setItem(KEY, JSON.stringify(state));
    this.emit();
  }

  signOut(): void {
    if (!this.state) return;
    this.state = null;
    this.storage.removeItem(KEY);
    this.emit();
  }

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.state);
  }
}
