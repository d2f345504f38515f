// The thread of lifeline.ts: registers with a lifeline, enters a read section and exits inside it.
import { MessageChannel, parentPort, threadId, workerData } from "node:worker_threads";
import { SharedRcu } from "@maplemm/rcu";

const r = SharedRcu.attach(workerData.rcu);
const toOwner = parentPort; // any port that reaches the owner
if (toOwner === null) throw new Error("run me as a worker of lifeline.ts");
// in that thread
const { port1, port2 } = new MessageChannel();
toOwner.postMessage({ lifeline: port2, threadId }, [port2]);
r.register({ lifeline: port1 }); // unregister() sends a goodbye, then closes port1
r.readLock(); // and never unlocks: the thread ends inside its section
process.exit(0);
