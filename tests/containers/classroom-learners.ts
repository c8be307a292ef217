// What the container tests of classroom mode (swarm, compose projects) do: start a classroom on
// the backend under test; two learners join at once, each waits for a leader in their own
// cluster, then both run a lesson; a learner acts on their cluster; and a restarted node applying
// a value again.
import type Docker from 'dockerode';
import { expect } from 'vitest';
import { SimulatedLearner } from '../../bench/classroom/simulated-learner.ts';
import type { ClusterInfo } from '../../server/contract/cluster-view.ts';
import type { NodeStatus } from '../../server/contract/node-status.ts';
import type { BackendFactory } from '../../server/lab/classroom/classroom.ts';
import { JOIN_CODE, startTestClassroom, type TestClassroom } from '../lab/start-test-classroom.ts';
import { waitFor } from '../support/wait-for.ts';

/** What both container backends' factories take (compose-backend-factory.ts, swarm-backend-factory.ts). */
interface BackendOptions {
  image: string;
  basePort: number;
  classId: string;
  docker: Docker;
  readyTimeoutMs: number;
}

/**
 * Starts a test classroom at `o.basePort` whose clusters `makeFactory` makes from `o`. Generous
 * 180 s for a cluster's nodes to answer: on this shared machine a container's node took about a
 * minute (load 60).
 */
export async function startClassroomOn(
  makeFactory: (o: BackendOptions) => Promise<BackendFactory>,
  o: Omit<BackendOptions, 'readyTimeoutMs'>,
): Promise<TestClassroom> {
  const factory = await makeFactory({ ...o, readyTimeoutMs: 180_000 });
  return startTestClassroom(o.basePort, {}, undefined, factory);
}

/** Waits until the lab sees a leader in the learner's cluster (90 s); the error names each node's state. */
export async function untilLeader(learner: SimulatedLearner): Promise<void> {
  let seen = 'nothing yet';
  await waitFor(
    () => `a leader in ${learner.id}'s cluster (last seen: ${seen})`,
    async () => {
      const { snapshot } = (await learner.call<ClusterInfo>('GET', '/api/cluster')).body;
      seen = snapshot.nodes
        .map((n) =>
          n.status
            ? `${n.name} ${n.status.state} term ${n.status.term}, ${n.status.metrics.rpc_failures} failed RPCs`
            : `${n.name} ${n.error}`,
        )
        .join('; ');
      return snapshot.leaderId != null;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

/** Ada and Bob join the class at once, each gets a cluster with a leader, and both run `lesson`. */
async function twoLearnersRun(labUrl: string, lesson: string) {
  const [ada, bob] = await Promise.all([
    SimulatedLearner.join(labUrl, 'Ada', JOIN_CODE),
    SimulatedLearner.join(labUrl, 'Bob', JOIN_CODE),
  ]);
  for (const learner of [ada, bob]) await untilLeader(learner);
  const [a, b] = await Promise.all([
    ada.runLesson(lesson, { reset: false }),
    bob.runLesson(lesson, { reset: false }),
  ]);
  return { ada, bob, a, b };
}

/** As twoLearnersRun; both learners must pass every check of `lesson`. */
export async function twoLearnersPass(labUrl: string, lesson: string) {
  const run = await twoLearnersRun(labUrl, lesson);
  for (const result of [run.a, run.b]) {
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(result.checks);
  }
  return run;
}

/** `learner` runs a cluster action (e.g. "kill node1") through the lab, which must accept it. */
export async function clusterAction(learner: SimulatedLearner, action: string): Promise<void> {
  const answer = await learner.call<{ ok: boolean }>('POST', '/api/cluster/actions', { action });
  expect(answer.body.ok).toBe(true);
}

/**
 * Figure 2: commitIndex is volatile, so a restarted node applies `key`=`value` again once the
 * leader's AppendEntries reach it. Waits for that (30 s) at the node's URL.
 */
export async function untilApplied(nodeUrl: string, key: string, value: string): Promise<void> {
  let seen = 'nothing yet';
  await waitFor(
    () => `the node at ${nodeUrl} applying ${key}=${value} again after its restart (last seen: ${seen})`,
    async () => {
      const status = (await (await fetch(`${nodeUrl}/status`)).json()) as NodeStatus;
      seen = `${status.state} term ${status.term}, commit_index ${status.commit_index}, kv ${JSON.stringify(status.kv)}`;
      return status.kv[key] === value;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}
