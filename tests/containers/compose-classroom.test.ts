// Classroom mode with `--backend docker` on the real engine: two learners, a compose project
// each (five node containers with compose's labels, a network, a volume per node) made through
// the Engine API, the fixture lesson passes against each, a kill and restart go through the
// engine, and stopping the lab removes every container, volume and network of the class.
// Skipped LOUDLY when no engine answers (.ci/run starts one). Runs outside any network
// namespace: the nodes publish their ports on the engine's host. Uses ports 20000-20799 (a block
// chosen by pid), projects named raftlab-c<pid>-…, and removes them after each test, also when a step fails.
// With RAFT_TEST_IMAGE_PREBUILT=1 an existing raft-node:<version> is used as it is; otherwise
// the image is built (from cache when the code did not change).
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterInfo } from '../../server/contract/cluster-view.ts';
import { composeBackendFactory } from '../../server/lab/cluster/docker/compose-backend-factory.ts';
import {
  createComposeProject,
  removeComposeProjects,
} from '../../server/lab/cluster/docker/compose-project.ts';
import { PROJECT_LABEL } from '../../server/lab/cluster/docker/discovery.ts';
import { nodeImage } from '../../server/lab/cluster/node-image.ts';
import { CLASS_LABEL } from '../../server/lab/cluster/swarm/remove-stack.ts';
import type { TestClassroom } from '../lab/start-test-classroom.ts';
import {
  clusterAction,
  startClassroomOn,
  twoLearnersPass,
  untilApplied,
  untilLeader,
} from './classroom-learners.ts';
import { docker, engineStatusOrShout, pidPortBlock } from './docker-cli.ts';

const root = new URL('../..', import.meta.url).pathname;
const IMAGE = await nodeImage(root);
const CLASS_ID = `c${process.pid}`;
const BASE_PORT = pidPortBlock(20000);
const LESSON = '01-fixture-status';

const engine = await engineStatusOrShout(
  'the compose-project classroom test (tests/containers/compose-classroom.test.ts)',
  'Nothing about the docker backend of classroom mode was tested.',
);

let t: TestClassroom | null = null;
const api = new Docker();
/** The class the test's backend makes clusters for. */
const BACKEND = { image: IMAGE, basePort: BASE_PORT, classId: CLASS_ID, docker: api };

async function leftovers(): Promise<string[]> {
  const filters = { label: [`${CLASS_LABEL}=${CLASS_ID}`] };
  const containers = (await api.listContainers({ all: true, filters })).map((c) => `container ${c.Names[0]}`);
  const volumes = ((await api.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  const networks = (await api.listNetworks()).filter((n) => n.Name.startsWith(`raftlab-${CLASS_ID}-`));
  return [...containers, ...volumes, ...networks.map((n) => `network ${n.Name}`)];
}

async function imageExists(): Promise<boolean> {
  return api
    .getImage(IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe.skipIf(!engine.ok)('classroom with a compose project per learner', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    if (process.env.RAFT_TEST_IMAGE_PREBUILT !== '1' || !(await imageExists())) {
      await docker(['build', '-t', IMAGE, '.'], { cwd: root, timeoutMs: 900_000 });
    }
  }, 900_000);

  afterEach(async () => {
    await t?.stop().catch(() => {});
    await removeComposeProjects(api, { classId: CLASS_ID });
  }, 300_000);

  it('gives two learners a project each; the lesson passes on both; kill and restart go through the engine; nothing is left', async () => {
    t = await startClassroomOn(composeBackendFactory, BACKEND);
    const { ada, bob } = await twoLearnersPass(t.lab.url, LESSON);

    // Each learner's nodes are one compose project of their own: five containers, one per service.
    const containers = await api.listContainers({ filters: { label: [`${CLASS_LABEL}=${CLASS_ID}`] } });
    const byProject = new Map<string, string[]>();
    for (const c of containers) {
      const p = c.Labels[PROJECT_LABEL]!;
      byProject.set(p, [...(byProject.get(p) ?? []), c.Labels['com.docker.compose.service']!].sort());
    }
    const services = ['node1', 'node2', 'node3', 'node4', 'node5'];
    expect(Object.fromEntries(byProject)).toEqual({
      [`raftlab-${CLASS_ID}-${ada.id}`]: services,
      [`raftlab-${CLASS_ID}-${bob.id}`]: services,
    });
    const info = await ada.call<ClusterInfo>('GET', '/api/cluster');
    expect(info.body.backend).toBe('docker');
    // The lab reaches node1 at the port its container publishes on loopback, from the test's block.
    const node1 = `raftlab-${CLASS_ID}-${ada.id}-node1-1`;
    const published = (await api.getContainer(node1).inspect()).HostConfig.PortBindings?.['5000/tcp'];
    expect(published).toHaveLength(1);
    const { HostIp, HostPort } = published[0] as { HostIp: string; HostPort: string };
    expect(HostIp).toBe('127.0.0.1');
    expect(Number(HostPort)).toBeGreaterThanOrEqual(BASE_PORT);
    expect(info.body.nodes[0]!.url).toBe(`http://127.0.0.1:${HostPort}`);

    // A crash through the engine: the container gets SIGKILL, and comes back on its volume.
    await clusterAction(ada, 'kill node1');
    const killed = await api.getContainer(node1).inspect();
    expect(`${killed.State.Status} ${killed.State.ExitCode}`).toBe('exited 137');
    await clusterAction(ada, 'restart node1');
    expect((await api.getContainer(node1).inspect()).State.Status).toBe('running');
    // Its log came back from its volume.
    await untilApplied(info.body.nodes[0]!.url, 'x', '42');

    // Idle reaping removes the learners' projects; a learner who comes back gets a new cluster,
    // which the lab must not mistake for the old one (two leaders of term 1 would be a SAFETY alarm).
    const session = (await t.classroom.member(ada.id)).session;
    const before = session.generation;
    const warnings: string[] = [];
    const unsubscribe = session.hub.subscribe((m) => {
      if (m.type === 'warning') warnings.push(m.detail);
    });
    const reaped = await t.classroom.pool.reapIdle(Date.now() + 3_600_000);
    expect(reaped.map((m) => m.id).sort()).toEqual([ada.id, bob.id].sort());
    expect(await leftovers()).toEqual([]);
    const again = await ada.runLesson(LESSON, { reset: false });
    expect(again.failures).toEqual([]);
    expect((await api.getContainer(node1).inspect()).State.Status).toBe('running');
    // Long enough for the poller to see the new cluster's leader (it polls every 200 ms).
    await untilLeader(ada);
    unsubscribe();
    expect(session.generation).not.toBe(before);
    expect(warnings).toEqual([]);

    await t.stop();
    t = null;
    expect(await leftovers()).toEqual([]);
  });

  it('removes, at the next start, the projects a killed lab of the same class left behind', async () => {
    const project = `raftlab-${CLASS_ID}-l7`;
    const ports = [0, 1, 2, 3, 4].map((i) => BASE_PORT + 15 + i);
    await createComposeProject(api, { project, classId: CLASS_ID, image: IMAGE, ports, adminToken: 'x' });
    expect(await leftovers()).toHaveLength(5 + 5 + 1);
    await composeBackendFactory({ image: IMAGE, basePort: BASE_PORT, classId: CLASS_ID, docker: api });
    expect(await leftovers()).toEqual([]);
  });
});
