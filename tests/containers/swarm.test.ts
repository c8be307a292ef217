// Classroom mode on a real Docker Swarm (single machine): two learners, two stacks made through
// the Engine API, the fixture lesson passes against each, a kill and restart go through the
// engine, and stopping the lab removes every service, volume and network it made. Skipped
// LOUDLY when no engine answers (.ci/run starts one). Runs outside any network namespace: the
// nodes publish their ports on the engine's host. Uses ports 19100-19899 (a block chosen by
// pid), objects named raftlab-t<pid>-…, and removes them also when a step fails. If the engine
// was not in a swarm, the test makes one (`docker swarm init`) and leaves it again at the end.
// The image it builds (raft-node:<version>, what the classroom deploys) is kept as build cache.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterInfo } from '../../server/contract/cluster-view.ts';
import { nodeImage } from '../../server/lab/cluster/node-image.ts';
import { CLASS_LABEL, removeStack } from '../../server/lab/cluster/swarm/remove-stack.ts';
import { swarmBackendFactory } from '../../server/lab/cluster/swarm/swarm-backend-factory.ts';
import type { TestClassroom } from '../lab/start-test-classroom.ts';
import { clusterAction, startClassroomOn, twoLearnersPass, untilApplied } from './classroom-learners.ts';
import { docker, engineStatusOrShout, pidPortBlock } from './docker-cli.ts';

const root = new URL('../..', import.meta.url).pathname;
const IMAGE = process.env.RAFT_TEST_SWARM_IMAGE ?? (await nodeImage(root));
const CLASS_ID = `t${process.pid}`;
const BASE_PORT = pidPortBlock(19100);
const LESSON = '01-fixture-status';

const engine = await engineStatusOrShout(
  'the swarm test (tests/containers/swarm.test.ts)',
  'Nothing about the swarm backend of classroom mode was tested.',
);

let madeSwarm = false;
let t: TestClassroom | null = null;
const api = new Docker();
/** The class the test's backend makes clusters for. */
const BACKEND = { image: IMAGE, basePort: BASE_PORT, classId: CLASS_ID, docker: api };

async function leftovers(): Promise<string[]> {
  const filters = { label: [`${CLASS_LABEL}=${CLASS_ID}`] };
  const services = (await api.listServices({ filters })).map((s) => `service ${s.Spec?.Name}`);
  const volumes = ((await api.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  const networks = (await api.listNetworks({ filters })).map((n) => `network ${n.Name}`);
  return [...services, ...volumes, ...networks];
}

describe.skipIf(!engine.ok)('classroom on a Docker Swarm', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    const info = (await api.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState !== 'active') {
      await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      madeSwarm = true;
    }
    if (process.env.RAFT_TEST_IMAGE_PREBUILT !== '1') {
      await docker(['build', '-t', IMAGE, '.'], { cwd: root, timeoutMs: 900_000 });
    }
  }, 900_000);

  afterAll(async () => {
    await t?.stop().catch(() => {});
    await removeStack(api, null, CLASS_ID);
    if (madeSwarm) {
      const others = await api.listServices();
      if (others.length === 0) await docker(['swarm', 'leave', '--force']);
    }
  }, 300_000);

  it('gives two learners a stack each; the lesson passes on both; kill and restart go through the engine; nothing is left', async () => {
    t = await startClassroomOn(swarmBackendFactory, BACKEND);
    // Every node answers the lab (start() waited for that): the nodes reach each other by their
    // names on the overlay network, so each stack elects a leader within seconds (about 4 s here
    // once its nodes answered). No leader means they cannot (issue 14: a VIP without IPVS).
    const { ada, bob } = await twoLearnersPass(t.lab.url, LESSON);
    const services = (await api.listServices({ filters: { label: [`${CLASS_LABEL}=${CLASS_ID}`] } })).map(
      (s) => s.Spec?.Name,
    );
    expect(services).toHaveLength(10);
    expect(services).toContain(`raftlab-${CLASS_ID}-${ada.id}_node1`);
    expect(services).toContain(`raftlab-${CLASS_ID}-${bob.id}_node5`);
    const info = await ada.call<ClusterInfo>('GET', '/api/cluster');
    expect(info.body.backend).toBe('swarm');

    // A crash through the engine: the service scales to 0 (SIGKILL), and comes back on its volume.
    await clusterAction(ada, 'kill node1');
    const tasks = await api.listContainers({
      filters: { label: [`com.docker.swarm.service.name=raftlab-${CLASS_ID}-${ada.id}_node1`] },
    });
    expect(tasks.map((c) => `${c.Names[0]} ${c.State}`)).toEqual([]);
    await clusterAction(ada, 'restart node1');
    // At its new task address, which its service name now resolves to.
    await untilApplied(info.body.nodes[0]!.url, 'x', '42');

    await t.stop();
    t = null;
    expect(await leftovers()).toEqual([]);
  });
});
