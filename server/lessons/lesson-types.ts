// The parsed shapes of a lesson and its cells. Shared by the lab server, the CLI and the web app.

import type { CellType } from '../contract/lab-api.ts';
import type { ViewDirective, ViewPart } from '../contract/view.ts';

/** A cell as written in the lesson file. */
export interface LessonCell {
  id: string;
  type: CellType;
  source: string;
  /** 1-based line of the opening fence in the lesson file. */
  line: number;
}

export type LessonBlock = { kind: 'prose'; markdown: string } | { kind: 'cell'; cell: LessonCell };

export interface LessonMeta {
  title: string;
  summary: string;
  order: number;
  /** How many nodes the lesson expects. */
  nodes: number;
  /** What the picture shows while the lesson is open (front matter `view:`). */
  view: ViewDirective[];
}

export interface ParsedLesson extends LessonMeta {
  id: string;
  file: string;
  blocks: LessonBlock[];
}

// ---- http cells (Hurl syntax) ----

export type QueryKind = 'jsonpath' | 'header' | 'status' | 'body' | 'duration';

export interface Query {
  kind: QueryKind;
  /** The jsonpath expression or header name. */
  arg?: string;
}

export type Filter =
  | { name: 'count' }
  | { name: 'nth'; n: number }
  | { name: 'toInt' }
  | { name: 'toString' };

export type Predicate =
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'contains'
  | 'includes'
  | 'startsWith'
  | 'endsWith'
  | 'matches'
  | 'exists'
  | 'isInteger'
  | 'isNumber'
  | 'isFloat'
  | 'isString'
  | 'isBoolean'
  | 'isCollection'
  | 'isEmpty';

/** A literal in an assert or check; `variable` is resolved when the cell runs. */
export type Value =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'regex'; pattern: string }
  | { kind: 'variable'; name: string };

export interface HttpAssert {
  text: string;
  query: Query;
  filters: Filter[];
  not: boolean;
  predicate: Predicate;
  /** Absent for predicates without a value (exists, isInteger…). */
  value?: Value;
  /** 0-based line within the cell source. */
  lineIndex: number;
}

export interface HttpCapture {
  name: string;
  query: Query;
  filters: Filter[];
  text: string;
  lineIndex: number;
}

export interface HttpOptions {
  /** How many times to re-run the request when the status or an assert fails (Hurl's `retry`). */
  retry: number;
  retryIntervalMs: number;
  /** Follow redirects hop by hop (Hurl's `location`, like `curl -L`). */
  location: boolean;
  maxRedirs: number;
  /** Wait this long before sending (Hurl's `delay`). */
  delayMs: number;
  /** Lab extension: give up on an answer after this long. */
  timeoutMs: number;
}

export interface HttpRequestSpec {
  method: string;
  /** May contain {{variables}}. */
  url: string;
  headers: [string, string][];
  body: string | null;
  /** `HTTP 200`; null for `HTTP *` or no response section. */
  expectStatus: number | null;
  /** `Name: value` lines under the `HTTP` line: the response header must equal this. */
  expectHeaders: [string, string][];
  captures: HttpCapture[];
  asserts: HttpAssert[];
  options: HttpOptions;
  /** 0-based line of the request line within the cell source. */
  lineIndex: number;
}

export interface HttpCell {
  requests: HttpRequestSpec[];
}

// ---- cluster cells ----

/** `node3`, or a variable such as `{{leader}}` resolved when the cell runs. */
export type NodeRef = { kind: 'node'; id: string } | { kind: 'variable'; name: string };

/** Which held messages a `deliver`/`drop`/`highlight` means: any that match every part given. */
export interface MessageSelector {
  /** `heartbeat` is an append_entries without entries; `append_entries` means any. */
  rpc?: 'request_vote' | 'append_entries' | 'heartbeat';
  from?: NodeRef;
  to?: NodeRef;
}

/** `next` (the oldest match), `all` matches, or one message by its id (`3.17`, as the picture shows it). */
export type MessagePick = { which: 'next' | 'all'; select: MessageSelector } | { which: 'id'; id: string };

/** What a link does to what it carries (docs/lesson-format.md, `link`); absent = 0. */
export interface LinkSetting {
  delayMs?: number;
  jitterMs?: number;
  /** Probabilities from 0 to 1. */
  loss?: number;
  duplicate?: number;
  reorder?: number;
}

/** Nodes named in a timer action: a list, every node, or every follower (looked up when it runs). */
export type NodeSet = { kind: 'nodes'; nodes: NodeRef[] } | { kind: 'all' } | { kind: 'followers' };

/** What the picture shows; `highlight` points at a node or a held message. */
export type ViewAction =
  | { kind: 'show' | 'hide'; part: ViewPart }
  | { kind: 'highlight'; node: NodeRef }
  | { kind: 'highlight'; message: MessagePick }
  | { kind: 'highlight-off' };

export type ClusterAction =
  | { kind: 'kill' | 'restart' | 'pause' | 'resume'; node: NodeRef }
  | { kind: 'partition'; groups: NodeRef[][] }
  | { kind: 'heal' }
  | { kind: 'speed'; factor: number }
  /** §8's no-op on election: `noop off` shows Figure 8 literally, `noop on` is real Raft. */
  | { kind: 'noop'; enabled: boolean }
  | { kind: 'wait-leader'; timeoutMs: number }
  | { kind: 'wait-caught-up'; node: NodeRef; timeoutMs: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'reset' }
  /** Message-level control (docs/lesson-format.md, "Messages, links and timers"). */
  | { kind: 'hold' | 'release' }
  | { kind: 'deliver' | 'drop'; pick: MessagePick }
  | { kind: 'link'; from: NodeRef; to: NodeRef; setting: LinkSetting }
  | { kind: 'wires'; setting: LinkSetting }
  | { kind: 'timer'; paused: boolean; nodes: NodeSet }
  | { kind: 'timeout'; nodes: NodeSet }
  | { kind: 'wait-candidate'; timeoutMs: number }
  | { kind: 'view'; view: ViewAction };

export interface ClusterActionLine {
  text: string;
  action: ClusterAction;
  lineIndex: number;
}

// ---- check cells ----

export type CheckOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains';

/**
 * A count over the recorded history since the last reset (docs/lesson-format.md, "History
 * checks"): held requests dropped or delivered, the most candidates in one term, split votes.
 */
export type HistoryFact =
  | { kind: 'dropped' | 'delivered'; rpc: 'request_vote' | 'append_entries' | 'heartbeat' | 'any' }
  | { kind: 'max-candidates' }
  | { kind: 'split-votes' };

/** Something a check reads from the cluster. */
export type CheckSubject =
  | { kind: 'leaders' }
  | { kind: 'terms' }
  | { kind: 'term' }
  | { kind: 'node-path'; node: CheckNode; path: string[] }
  | { kind: 'history'; fact: HistoryFact };

/** `leader`, `nodeN`, or `{{variable}}` holding a node's name (`node3`), id (`3`) or URL, read when the check runs. */
export type CheckNode = 'leader' | { id: string } | { variable: string };

export type CheckOperand = { kind: 'value'; value: Value } | { kind: 'subject'; subject: CheckSubject };

/** A fact about one node; `self` is filled in by a quantifier (`every node: …`). */
export type NodeFact =
  | { kind: 'compare'; path: string[]; op: CheckOperator; right: CheckOperand }
  | { kind: 'is'; what: 'up' | 'down' | 'paused' | 'leader' | 'follower' | 'candidate' }
  | { kind: 'log-contains'; committed: boolean; command: Value };

export type Quantifier = 'every' | 'every-up' | 'some' | 'no';

export type CheckAssertion =
  | { kind: 'compare'; left: CheckSubject; op: CheckOperator; right: CheckOperand }
  | { kind: 'node-fact'; node: CheckNode; fact: NodeFact }
  | { kind: 'quantified'; quantifier: Quantifier; fact: NodeFact }
  | { kind: 'logs-match' };

export interface CheckLine {
  text: string;
  assertion: CheckAssertion;
  hint: string | null;
  lineIndex: number;
}

export interface CheckCell {
  timeoutMs: number;
  lines: CheckLine[];
  /** The cell's closing `hint:`, shown with any failure. */
  hint: string | null;
}
