// The parsed shapes of a lesson and its cells. Shared by the lab server, the CLI and the web app.

import type { CellType } from '../contract/lab-api.ts';

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
  /** Paper §7: every node snapshots once this many applied entries follow its last snapshot. */
  | { kind: 'snapshot'; entries: number }
  /** `count` set commands through the leader (keys w1…wN), to grow the log. */
  | { kind: 'write'; count: number }
  /** A lost disk: SIGKILL the node and delete its data directory. */
  | { kind: 'wipe'; node: NodeRef }
  /** Dissertation §4.2.1: start an empty server with JOINING=1, add it as a learner; then promote it. */
  | { kind: 'add' | 'promote'; node: NodeRef }
  /** Dissertation §4.1: the leader removes the node from the configuration; then it is shut down. */
  | { kind: 'remove'; node: NodeRef };

export interface ClusterActionLine {
  text: string;
  action: ClusterAction;
  lineIndex: number;
}

// ---- check cells ----

export type CheckOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains';

/** Something a check reads from the cluster. */
export type CheckSubject =
  | { kind: 'leaders' }
  | { kind: 'terms' }
  | { kind: 'term' }
  | { kind: 'node-path'; node: CheckNode; path: string[] };

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
