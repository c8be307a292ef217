// The requests peers (or learners) sent this node that wait for the core's answer. The core
// answers a request in a later Ready, after what it decided is on disk (Figure 2); the HTTP
// request is held here until then, keyed by the opaque rpcId the core copies onto its response.

import type { RpcName } from '../contract/raft-rpc.ts';

/** How an inbound RPC is answered; `status` 200 carries the core's response. */
export type RpcAnswer = (status: number, body: object) => void;

export interface InboundRpc {
  answer: RpcAnswer;
  /** The sender's "<node>.<n>" (X-Raft-Rpc-Id), shared by the events of both nodes. */
  eventId: string;
  rpc: RpcName;
  from: string;
  /** The request's term (for the `ignored` event). */
  term: number;
  heartbeat: boolean;
}

export class InboundRpcs {
  private readonly waiting = new Map<string, InboundRpc>();
  /** Requests stepped into the core whose response has not come out of a Ready yet. */
  private stepped: string[] = [];

  /** Holds `rpc` until the core answers `rpcId`. */
  hold(rpcId: string, rpc: InboundRpc): void {
    this.waiting.set(rpcId, rpc);
    this.stepped.push(rpcId);
  }

  /** The request a response answers, removed from the waiting ones. */
  take(rpcId: string | undefined): InboundRpc | undefined {
    if (rpcId === undefined) return undefined;
    const rpc = this.waiting.get(rpcId);
    this.waiting.delete(rpcId);
    return rpc;
  }

  /** True when a request was stepped into the core since the last takeStepped(). */
  get hasStepped(): boolean {
    return this.stepped.length > 0;
  }

  /** The requests stepped in since the last call: the next Ready answers them, or none will. */
  takeStepped(): string[] {
    const s = this.stepped;
    this.stepped = [];
    return s;
  }

  /** Answers every waiting request with `status` and `body` (the node was reset under them). */
  answerAll(status: number, body: object): void {
    for (const rpc of this.waiting.values()) rpc.answer(status, body);
    this.waiting.clear();
    this.stepped = [];
  }

  /**
   * Answers, with `refusal`, every stepped request the core chose not to answer (e.g. a second
   * leader claiming the same term, §5.2), so no HTTP request hangs.
   */
  answerIgnored(
    stepped: readonly string[],
    answered: ReadonlySet<string>,
    refusal: (rpc: InboundRpc) => object,
  ): void {
    for (const rpcId of stepped) {
      if (answered.has(rpcId)) continue;
      const rpc = this.take(rpcId);
      if (rpc) rpc.answer(409, refusal(rpc));
    }
  }
}
