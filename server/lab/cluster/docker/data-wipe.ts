// `reset` wipes the data of nodes it restarts: the containers' volumes, emptied by one throwaway container.

import type Docker from 'dockerode';
import { type Discovery, type Member, PARTITION_LABEL, ROLE_LABEL } from './discovery.ts';

/**
 * Empties the (stopped) nodes' data directories with one throwaway container that mounts all
 * their volumes: one container start instead of one per node.
 */
export async function wipeData(docker: Docker, d: Discovery, members: readonly Member[]): Promise<void> {
  const binds: string[] = [];
  const dirs: string[] = [];
  let image = '';
  for (const m of members) {
    const info = await docker.getContainer(m.containerId).inspect();
    image ||= info.Image;
    const mount = (info.Mounts ?? [])
      .filter(
        (x) => m.dataDir === x.Destination || m.dataDir.startsWith(`${x.Destination.replace(/\/$/, '')}/`),
      )
      .sort((x, y) => y.Destination.length - x.Destination.length)[0];
    if (!mount || (mount.Type !== 'volume' && mount.Type !== 'bind')) {
      throw new Error(
        `${m.name} keeps its data (${m.dataDir}) inside the container, not on a volume, so reset cannot wipe it: ` +
          `mount a volume at ${m.dataDir} (docker-compose.yml does)`,
      );
    }
    const source = mount.Type === 'volume' ? mount.Name! : mount.Source;
    binds.push(`${source}:/wipe/${m.id}`);
    dirs.push(`/wipe/${m.id}${m.dataDir.slice(mount.Destination.replace(/\/$/, '').length)}`);
  }
  const wipe =
    "const fs=require('node:fs');for(const d of process.argv.slice(1)){if(!fs.existsSync(d))continue;" +
    "for(const f of fs.readdirSync(d))fs.rmSync(d+'/'+f,{recursive:true,force:true})}";
  const helper = await docker.createContainer({
    Image: image,
    Entrypoint: ['node', '-e', wipe],
    Cmd: dirs,
    // root: the volumes' files belong to the nodes' user, whoever that is in a custom image.
    User: '0',
    Labels: { [ROLE_LABEL]: 'reset-helper', [PARTITION_LABEL]: d.project },
    HostConfig: { Binds: binds, NetworkMode: 'none' },
  });
  try {
    await helper.start();
    const result = (await helper.wait()) as { StatusCode?: number };
    if (result.StatusCode !== 0) {
      throw new Error(`wiping the nodes' data (${dirs.join(', ')}) failed (exit ${result.StatusCode})`);
    }
  } finally {
    await helper.remove({ force: true, v: true }).catch(() => {});
  }
}
