/** The PEM files of a mesh identity. */
export interface TlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * Follows a service's TLS files on disk after start-up. Issuers (cert-manager, a CA script) renew a
 * certificate in place before it expires; a process that read its files once would present the old
 * one until it expired and then fail every handshake. Every TLS user in the kit and the proto
 * package subscribes: the HTTPS server swaps its secure context, `meshFetch` and the mesh https
 * agent open new connections with the new files, gRPC credentials take them through a certificate
 * provider. Connections already open keep their handshake.
 */
export interface TlsRotation {
  /** Called with the new files after they changed on disk and passed the start-up checks. */
  onChange(listener: (files: TlsFiles) => void): () => void;
  /** Called when changed files fail the checks; the previous files stay in use. */
  onRefused(listener: (reason: string) => void): () => void;
  /** Reads the files now (the timer does so every interval); true when new files were taken. */
  check(): boolean;
  /** Stops the timer (it never keeps the process alive). */
  stop(): void;
}

/**
 * A rotation over `read`, which returns the current files (already checked) or throws with the
 * reason they are refused. `current` is updated in place, so holders of the material see the new
 * files too.
 */
export function createTlsRotation(
  current: TlsFiles,
  read: () => TlsFiles,
  intervalMs: number,
): TlsRotation {
  const changeListeners = new Set<(files: TlsFiles) => void>();
  const refusedListeners = new Set<(reason: string) => void>();
  let lastRefusal: string | undefined;

  const check = (): boolean => {
    let next: TlsFiles;
    try {
      next = read();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // Files written one by one are briefly inconsistent: report a refusal once, not every tick.
      if (reason !== lastRefusal) for (const listener of refusedListeners) listener(reason);
      lastRefusal = reason;
      return false;
    }
    lastRefusal = undefined;
    if (
      next.ca.equals(current.ca) &&
      next.cert.equals(current.cert) &&
      next.key.equals(current.key)
    ) {
      return false;
    }
    current.ca = next.ca;
    current.cert = next.cert;
    current.key = next.key;
    for (const listener of changeListeners) listener({ ...next });
    return true;
  };

  const timer = intervalMs > 0 ? setInterval(check, intervalMs) : undefined;
  timer?.unref();

  return {
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onRefused(listener) {
      refusedListeners.add(listener);
      return () => refusedListeners.delete(listener);
    },
    check,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
