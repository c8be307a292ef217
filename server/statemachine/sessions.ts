// Client sessions (Ongaro's dissertation §6.3): remember the result of each client's
// latest requests so a retried command is answered, not applied twice. Memory is bounded:
// a few results per client and a cap on clients. Eviction depends only on the order of
// applied entries, so every replica evicts the same sessions at the same point.

export const RESULTS_PER_CLIENT = 16;
export const MAX_CLIENTS = 10_000;

type Result = string | null;

export class ClientSessions {
  /** client_id → (request_id → result), both in least-recently-applied-first order. */
  private readonly clients = new Map<string, Map<string, Result>>();

  constructor(
    private readonly perClient = RESULTS_PER_CLIENT,
    private readonly maxClients = MAX_CLIENTS,
  ) {}

  /** The recorded result of this request, or undefined if it was never applied (or forgotten). */
  lookup(clientId: string, requestId: string): { result: Result } | undefined {
    const requests = this.clients.get(clientId);
    if (!requests?.has(requestId)) return undefined;
    return { result: requests.get(requestId) ?? null };
  }

  record(clientId: string, requestId: string, result: Result): void {
    let requests = this.clients.get(clientId);
    if (requests) {
      this.clients.delete(clientId); // re-inserted below as the most recent client
    } else {
      requests = new Map();
      if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value!);
    }
    this.clients.set(clientId, requests);
    requests.set(requestId, result);
    if (requests.size > this.perClient) requests.delete(requests.keys().next().value!);
  }

  clientCount(): number {
    return this.clients.size;
  }
}
