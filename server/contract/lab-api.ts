// The lab's HTTP API (docs/lab-api.md): lessons and cells, runs and their results, cluster
// actions. The browser sends the *request* bodies; the lab checks them with these schemas.
import { type Static, Type } from '@sinclair/typebox';
import { ClusterSnapshotSchema } from './cluster-view.ts';
import { Body, Flag, Index, Millis, NodeId, Nullable, OneOf, Text } from './fields.ts';
import { ViewDirectiveSchema } from './view.ts';

export const CELL_TYPES = ['http', 'cluster', 'check', 'predict', 'choose', 'act'] as const;
export type CellType = (typeof CELL_TYPES)[number];
/** A learner may add these; check cells are the lesson's own tests. */
export const SCRATCH_CELL_TYPES = ['http', 'cluster'] as const;
/** Cells whose source a learner edits; the others are the lesson's own questions and tests. */
export const EDITABLE_CELL_TYPES = ['http', 'cluster'] as const;
export const isEditable = (type: CellType) => (EDITABLE_CELL_TYPES as readonly string[]).includes(type);

/** Bigger than any sane cell, small enough that a browser cannot hurt the lab. */
export const SOURCE_LIMIT_CHARS = 256 * 1024;

const CellId = () => Type.String({ minLength: 1, maxLength: 100, expected: 'a cell id such as "c3"' });
const LessonId = () => Type.String({ minLength: 1, maxLength: 200, expected: 'a lesson id' });
const Source = () =>
  Type.String({
    maxLength: SOURCE_LIMIT_CHARS,
    expected: `the cell's text (at most ${SOURCE_LIMIT_CHARS / 1024} KiB)`,
  });

// ---- lessons

/** A cell as the API shows it. */
export const NotebookCellSchema = Type.Object({
  id: CellId(),
  type: OneOf(CELL_TYPES),
  /** What runs: the learner's edit if any, else the lesson's text. */
  source: Type.String(),
  /** The lesson's text ('' for a scratch cell). */
  original: Type.String(),
  edited: Flag(),
  scratch: Flag(),
  /** Line of the opening fence in the lesson file; null for a scratch cell. */
  line: Nullable(Index(), 'a line number or null'),
});
export type NotebookCell = Static<typeof NotebookCellSchema>;

export const NotebookBlockSchema = Type.Union([
  Type.Object({ kind: Type.Literal('prose'), markdown: Type.String() }),
  Type.Object({ kind: Type.Literal('cell'), cell: NotebookCellSchema }),
]);
export type NotebookBlock = Static<typeof NotebookBlockSchema>;

export const NotebookLessonSchema = Type.Object({
  id: LessonId(),
  file: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  order: Type.Number(),
  /** How many nodes the lesson expects. */
  nodes: Index(),
  /** What the picture shows while the lesson is open (front matter `view:`). */
  view: Type.Array(ViewDirectiveSchema),
  blocks: Type.Array(NotebookBlockSchema),
});
export type NotebookLesson = Static<typeof NotebookLessonSchema>;

export const LessonSummarySchema = Type.Object({
  id: LessonId(),
  title: Type.String(),
  summary: Type.String(),
  order: Type.Number(),
  cells: Index(),
  checks: Index(),
  /** Check cells whose newest saved output passed (the lesson list's progress). */
  passed: Type.Optional(Index()),
  /** Cells with a saved output: 0 means the learner has not started the lesson. */
  ran: Type.Optional(Index()),
  /** Set when the lesson file is malformed: `file:line: problem`. */
  error: Type.Optional(Type.String()),
});
export type LessonSummary = Static<typeof LessonSummarySchema>;

/** PUT /api/lessons/:id/cells/:cellId */
export const SaveCellSchema = Body('a save-cell body', { source: Source() });

/** POST /api/lessons/:id/cells: a scratch cell after `after` (null = at the top). */
export const AddCellSchema = Body('an add-cell body', {
  after: Type.Optional(Nullable(CellId(), 'a cell id or null (null = at the top)')),
  type: Type.Optional(OneOf(SCRATCH_CELL_TYPES)),
  source: Type.Optional(Source()),
});
export type AddCellBody = Static<typeof AddCellSchema>;

/** POST /api/lessons/:id/cells/:cellId/reset and POST /api/lessons/:id/reset take no fields. */
export const NoFieldsSchema = Body('this request', {});

// ---- runs

/**
 * How a learner-step cell (predict, choose, act) runs: `learner` uses what the learner answered
 * or did; `default` (Run all, lessons:check, "Do it for me") falls back to the lesson's default.
 */
export const RUN_MODES = ['learner', 'default'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** POST /api/run; `source` defaults to the saved source (a check cell always runs as written). */
export const RunRequestSchema = Body('a run body', {
  lessonId: LessonId(),
  cellId: CellId(),
  source: Type.Optional(Source()),
  /** predict / choose: the key of the option the learner picked. */
  answer: Type.Optional(Type.String({ minLength: 1, maxLength: 100, expected: 'an option key such as "a"' })),
  mode: Type.Optional(OneOf(RUN_MODES)),
});
export type RunRequest = Static<typeof RunRequestSchema>;

/** Why a cell could not run, said for a learner: what was wrong, what to do, and where. */
export const RunErrorSchema = Type.Object({
  message: Type.String(),
  hint: Nullable(Type.String(), 'a hint or null'),
  /** 1-based line within the cell's source, when one line is to blame. */
  line: Nullable(Index(), 'a line or null'),
});
export type RunErrorInfo = Static<typeof RunErrorSchema>;

export const SentRequestSchema = Type.Object({
  method: Type.String(),
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  body: Nullable(Type.String(), 'text or null'),
});
export type SentRequest = Static<typeof SentRequestSchema>;

/** A redirect that was followed (only with `[Options] location: true`). */
export const HopSchema = Type.Object({
  method: Type.String(),
  url: Type.String(),
  status: Index(),
  location: Type.String(),
  durationMs: Millis(),
});
export type Hop = Static<typeof HopSchema>;

export const ReceivedResponseSchema = Type.Object({
  status: Index(),
  headers: Type.Record(Type.String(), Type.String()),
  /** The body parsed as JSON, or null when it is not JSON. */
  body: Type.Unknown(),
  bodyText: Type.String(),
  /** True when the body was longer than the cap and was cut. */
  truncated: Flag(),
  durationMs: Millis(),
});
export type ReceivedResponse = Static<typeof ReceivedResponseSchema>;

export const AssertResultSchema = Type.Object({
  text: Type.String(),
  /** `text` with the values its {{variables}} had (hover shows `text`). */
  shown: Type.Optional(Type.String()),
  ok: Flag(),
  actual: Type.Unknown(),
  expected: Type.Unknown(),
  message: Nullable(Type.String(), 'why it failed, or null'),
});
export type AssertResult = Static<typeof AssertResultSchema>;

export const CaptureResultSchema = Type.Object({
  name: Type.String(),
  value: Type.Unknown(),
  ok: Flag(),
  message: Type.Optional(Type.String()),
});
export type CaptureResult = Static<typeof CaptureResultSchema>;

/**
 * The client session a write carried so that a retry is applied at most once (dissertation §6.3):
 * ids the learner wrote, or ids the lab added (after opening a session with `register`).
 */
export const RequestSessionSchema = Type.Object({
  clientId: Type.Union([Type.String(), Type.Number()]),
  requestId: Type.Union([Type.String(), Type.Number()]),
  /** Set when this request opened the session: the log index of its `register` entry, if known. */
  opened: Nullable(
    Type.Object({ index: Nullable(Index(), 'an index or null') }),
    'the register entry or null',
  ),
  by: OneOf(['learner', 'lab'] as const),
});

export const HttpEntryResultSchema = Type.Object({
  /** null when the request could not be built (e.g. an unknown variable): see `error`. */
  request: Nullable(SentRequestSchema, 'the request or null'),
  hops: Type.Array(HopSchema),
  response: Nullable(ReceivedResponseSchema, 'the response or null'),
  attempts: Index(),
  /** The expected status and headers first, then the [Asserts]. */
  asserts: Type.Array(AssertResultSchema),
  captures: Type.Array(CaptureResultSchema),
  ok: Flag(),
  error: Nullable(RunErrorSchema, 'an error or null'),
  /** A write's client session (only when it could be re-sent). */
  session: Type.Optional(Nullable(RequestSessionSchema, 'a session or null')),
  /** Why `retry` did not send it again (a write with a definite answer, or a request with unknown effects). */
  notResent: Type.Optional(Type.String()),
});
export type HttpEntryResult = Static<typeof HttpEntryResultSchema>;

export const HttpCellResultSchema = Type.Object({ entries: Type.Array(HttpEntryResultSchema) });
export type HttpCellResult = Static<typeof HttpCellResultSchema>;

/**
 * A moment in the cluster's recorded history (GET /api/trace): the picture can jump there.
 * `event_id` is the node event at that moment, when there is one (the picture highlights it).
 */
export const MomentSchema = Type.Object({
  at: Millis(),
  event_id: Nullable(Text(), 'an event id or null'),
  node_id: Nullable(NodeId(), 'a node id or null'),
});
export type Moment = Static<typeof MomentSchema>;

export const ActionResultSchema = Type.Object({
  text: Type.String(),
  /** `text` with the nodes its {{variables}} named, e.g. `kill node3` for `kill {{leader}}`. */
  shown: Type.Optional(Type.String()),
  ok: Flag(),
  detail: Type.String(),
  durationMs: Millis(),
  /** When it was done, for the picture's history. */
  at: Type.Optional(Millis()),
});
export type ActionResult = Static<typeof ActionResultSchema>;

/** Why a check line failed (a lesson's hint may be written for one cause: `hint if down: …`). */
export const CHECK_CAUSES = ['mismatch', 'down', 'no leader', 'no value', 'not yet'] as const;

export const CheckAssertionResultSchema = Type.Object({
  text: Type.String(),
  /** `text` with the values its {{variables}} had (hover shows `text`). */
  shown: Type.Optional(Type.String()),
  ok: Flag(),
  expected: Type.String(),
  seen: Type.String(),
  hint: Nullable(Type.String(), 'a hint or null'),
  /** A failed assertion: when, in the recorded history, what it expects stopped holding. */
  moment: Type.Optional(MomentSchema),
  cause: Type.Optional(Nullable(OneOf(CHECK_CAUSES), 'a cause or null')),
});
export type CheckAssertionResult = Static<typeof CheckAssertionResultSchema>;

export const CheckCellResultSchema = Type.Object({
  assertions: Type.Array(CheckAssertionResultSchema),
  /** How many times the assertions were evaluated before they held or time ran out. */
  attempts: Index(),
});
export type CheckCellResult = Static<typeof CheckCellResultSchema>;

// ---- learner steps: predict, choose, act

const OptionSchema = Type.Object({ key: Type.String(), text: Type.String() });
/** Who answered: the learner, or the lesson's default (Run all, lessons:check, "Do it for me"). */
const By = () => OneOf(['learner', 'default'] as const);

/** What happened after the cell a prediction waited for: which options held, and who was right. */
export const PredictionOutcomeSchema = Type.Object({
  predictCellId: CellId(),
  afterCellId: CellId(),
  answer: Nullable(Type.String(), 'the key answered or null'),
  by: By(),
  /** The options whose `if:` lines all held (or the lesson's `answer:`). */
  happened: Type.Array(Type.String()),
  /** null when no option held, so nobody can be right. */
  correct: Nullable(Flag(), 'true, false or null'),
  /** False when none of the options happened: the lesson did not foresee what the cluster did. */
  determined: Flag(),
  options: Type.Array(
    Type.Object({ key: Type.String(), holds: Flag(), lines: Type.Array(CheckAssertionResultSchema) }),
  ),
  explain: Type.String(),
});
export type PredictionOutcome = Static<typeof PredictionOutcomeSchema>;

export const PredictResultSchema = Type.Object({
  /** The question with captured values filled in. */
  question: Type.String(),
  options: Type.Array(OptionSchema),
  answer: Type.String(),
  by: By(),
  /** The cell whose run will tell. */
  afterCellId: CellId(),
  /** Filled in once that cell ran. */
  outcome: Nullable(PredictionOutcomeSchema, 'the outcome or null'),
});
export type PredictResult = Static<typeof PredictResultSchema>;

export const ChooseResultSchema = Type.Object({
  question: Type.String(),
  options: Type.Array(OptionSchema),
  choice: Type.String(),
  by: By(),
  /** The variables the choice set, with their values. */
  set: Type.Record(Type.String(), Type.Unknown()),
  /** The same as the learner reads them: a node's URL as its name (`node3`). */
  shown: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type ChooseResult = Static<typeof ChooseResultSchema>;

export const ActResultSchema = Type.Object({
  instruction: Type.String(),
  /** `learner`: done by the learner; `default`: the lab did the lesson's `do:` lines. */
  by: By(),
  actions: Type.Array(ActionResultSchema),
  done: Type.Array(CheckAssertionResultSchema),
});
export type ActResult = Static<typeof ActResultSchema>;

export const RunResultSchema = Type.Object({
  runId: Type.String(),
  lessonId: LessonId(),
  cellId: CellId(),
  type: OneOf(CELL_TYPES),
  /** Every assertion passed and nothing failed. */
  ok: Flag(),
  /** Execution counter, like Jupyter's [17]. */
  count: Index(),
  startedAt: Millis(),
  durationMs: Millis(),
  error: Nullable(RunErrorSchema, 'an error or null'),
  /** The lesson's captured variables after the run. */
  variables: Type.Record(Type.String(), Type.Unknown()),
  /** Only the key of the cell's type is filled in; the other two are null. */
  http: Nullable(HttpCellResultSchema, 'the http result or null'),
  cluster: Nullable(
    Type.Object({ actions: Type.Array(ActionResultSchema), snapshot: ClusterSnapshotSchema }),
    'the cluster result or null',
  ),
  check: Nullable(CheckCellResultSchema, 'the check result or null'),
  predict: Type.Optional(Nullable(PredictResultSchema, 'the predict result or null')),
  choose: Type.Optional(Nullable(ChooseResultSchema, 'the choose result or null')),
  act: Type.Optional(Nullable(ActResultSchema, 'the act result or null')),
  /** Predictions this run decided (the cells that waited for this one). */
  predictions: Type.Optional(Type.Array(PredictionOutcomeSchema)),
  /** True when the learner stopped the run (Stop or Escape) before it ended. */
  stopped: Type.Optional(Flag()),
  /** Which cluster it ran on: a new one after every reset and lab start (older outputs are marked). */
  clusterGeneration: Type.Optional(Type.String()),
});
export type RunResult = Static<typeof RunResultSchema>;

/** GET /api/lessons/:id/outputs: the saved outputs, and which cluster runs now. */
export const LessonOutputsSchema = Type.Object({
  /** Outputs whose `clusterGeneration` differs are from an earlier cluster (shown as such). */
  generation: Type.String(),
  results: Type.Array(RunResultSchema),
});
export type LessonOutputs = Static<typeof LessonOutputsSchema>;

// ---- cluster actions

export const ACTION_SOURCES = ['panel', 'cell'] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

/** POST /api/cluster/actions: one `cluster`-cell line. */
export const ActionRequestSchema = Body('an action body', {
  action: Type.String({ minLength: 1, maxLength: 1000, expected: 'a cluster action such as "kill node3"' }),
  source: Type.Optional(OneOf(ACTION_SOURCES)),
});
export type ActionRequest = Static<typeof ActionRequestSchema>;

export const ActionOutcomeSchema = Type.Object({
  ok: Flag(),
  actions: Type.Array(ActionResultSchema),
  snapshot: ClusterSnapshotSchema,
});
export type ActionOutcome = Static<typeof ActionOutcomeSchema>;
