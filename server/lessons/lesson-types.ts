// The parsed shapes of a lesson and its cells. Shared by the lab server, the CLI and the web app.

import { type CellType, CHECK_CAUSES } from '../contract/lab-api.ts';
import type { SwitchesBody } from '../contract/raft-switches.ts';
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
  rpc?: 'request_vote' | 'pre_vote' | 'append_entries' | 'timeout_now' | 'heartbeat';
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
  /** `prevote on|off`, `checkquorum on|off`, `reads <mode>`: one Raft switch on every node. */
  | { kind: 'switches'; switches: SwitchesBody }
  /** `transfer leadership to nodeN` (dissertation §3.10), asked of the leader. */
  | { kind: 'transfer'; to: NodeRef }
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
  | { kind: 'remove'; node: NodeRef }
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
export type EventCount =
  | { kind: 'dropped' | 'delivered'; rpc: 'request_vote' | 'append_entries' | 'heartbeat' | 'any' }
  | { kind: 'max-candidates' }
  | { kind: 'split-votes' };

/** Something a check reads from the cluster. */
export type CheckSubject =
  | { kind: 'leaders' }
  | { kind: 'terms' }
  | { kind: 'term' }
  | { kind: 'node-path'; node: CheckNode; path: string[] }
  | { kind: 'history'; fact: EventCount };

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
  | { kind: 'logs-match' }
  | { kind: 'history'; fact: HistoryFact };

/** What the learner did since the cluster was last reset: `you killed a follower from the panel`. */
export interface HistoryFact {
  /** The cluster action (`kill`, `pause`…) or `send` for an http cell's request. */
  action: HistoryAction;
  /** Which node it was done to (its role at that moment); null for `healed`. */
  target: HistoryTarget | null;
  /** At least this many such actions (`a follower` = 1, `2 followers` = 2). */
  count: number;
  /** `from the panel` / `from a cell`; null = either. */
  source: 'panel' | 'cell' | null;
  /** `sent`: the request's method and path, e.g. POST /request_vote. */
  request?: { method: string; path: string };
}

export type HistoryAction = 'kill' | 'restart' | 'pause' | 'resume' | 'partition' | 'heal' | 'send';

/** A node the learner acted on: any, by its role at that moment, or one node. */
export type HistoryTarget =
  | { kind: 'role'; role: 'node' | 'leader' | 'follower' | 'candidate' }
  | { kind: 'node'; node: { id: string } | { variable: string } };

/** Why a check line failed, so a hint can be written for one cause (`hint if down: …`). */
export const CHECK_FAILURE_CAUSES = CHECK_CAUSES;
export type CheckFailureCause = (typeof CHECK_CAUSES)[number];

/** `hint: …` (any failure) or `hint if down: …` (that cause only). */
export type CheckHints = { any: string | null } & Partial<Record<CheckFailureCause, string>>;

export interface CheckLine {
  text: string;
  assertion: CheckAssertion;
  hints: CheckHints;
  lineIndex: number;
}

export interface CheckCell {
  timeoutMs: number;
  lines: CheckLine[];
  /** The cell's closing hints, shown with a failure that has no hint of its own. */
  hints: CheckHints;
}

// ---- learner steps: predict, choose, act ----

/** One answer the learner can pick in a `predict` or `choose` cell (`- key: text`). */
export interface StepOption {
  key: string;
  text: string;
  lineIndex: number;
}

/** "Predict, then run": the learner answers before the cell `after` runs; then the cluster decides. */
export interface PredictCell {
  /** Markdown; may name captured {{variables}}. */
  question: string;
  /** Each option's `if:` lines: all hold when the cluster did what that option says. */
  options: (StepOption & { conditions: CheckLine[] })[];
  /** For a question the run does not decide (e.g. "how many votes win?"): the right key. */
  answer: string | null;
  /** What Run all and lessons:check answer. */
  defaultKey: string;
  explain: string;
  /** The cell whose run reveals the outcome; null = the next cell of the lesson. */
  after: string | null;
  /** How long the options' `if:` lines may take to settle after that cell ran. */
  timeoutMs: number;
}

/** A decision that changes what later cells do: each option sets variables. */
export interface ChooseCell {
  question: string;
  options: (StepOption & { sets: { name: string; value: Value; lineIndex: number }[] })[];
  defaultKey: string;
}

/** Something the learner does outside the cells (a panel button, an edit); `done:` proves it. */
export interface ActCell {
  instruction: string;
  /** Check lines that hold once the learner did it (usually history facts). */
  done: CheckLine[];
  /** What Run all, lessons:check and "Do it for me" do when `done:` does not hold yet. */
  actions: ClusterActionLine[];
  timeoutMs: number;
}
