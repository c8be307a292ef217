// The lab's kept-alive connections to the nodes, after a container changed networks. A container
// that moves gets a new address, and so does one reached through a partition network that is
// removed; a connection to the old address is not refused, it hangs until its timeout (seen as
// `/admin/heal did not answer` right after a heal). So after every move the lab drops its
// pooled connections: the next request looks the name up again and connects to where the node
// is now. Requests already in flight are left to finish (or time out) on the old pool: it is
// closed, not destroyed — in classroom mode the same process serves every learner, and one
// learner's partition must not abort another's requests.
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/** Puts a fresh pool behind the global fetch; the old one closes once its requests are done. */
export function dropPooledConnections(): void {
  const old = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  void old.close().catch(() => {});
}
