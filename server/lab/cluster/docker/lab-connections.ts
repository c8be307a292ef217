// The lab's kept-alive connections to the nodes, after a container changed networks. A container
// that moves gets a new address, and so does one reached through a partition network that is
// removed; a connection to the old address is not refused, it hangs until its timeout (seen as
// `/admin/heal did not answer` right after a heal). So after every move the lab drops its
// pooled connections: the next request looks the name up again and connects to where the node
// is now. Requests in flight at that moment (a status poll, an event stream) fail at once and
// are retried by their callers (the poller next round; the event stream reconnects with
// Last-Event-ID).
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

/** Replaces the dispatcher behind the global fetch with a fresh pool and destroys the old one. */
export async function dropPooledConnections(): Promise<void> {
  const old = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  await old.destroy().catch(() => {});
}
