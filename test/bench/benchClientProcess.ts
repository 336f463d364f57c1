// The bridge bench's client process: runs each timed answer it is sent (test/bench/benchPaths.ts) and reports its timings and its own CPU time, so an agent's reading no longer competes with the bridge server for one event loop.
import { runTarget, type PathTarget } from "./benchPaths";

interface Job {
  id: number;
  target: PathTarget;
}

process.on("message", (job: Job) => {
  const before = process.cpuUsage();
  runTarget(job.target).then(
    (run) => {
      const used = process.cpuUsage(before);
      process.send!({ id: job.id, run, cpuMs: (used.user + used.system) / 1000 });
    },
    (error: unknown) => process.send!({ id: job.id, error: (error as Error).stack ?? String(error) }),
  );
});
// The bench ended (or died): so does this process.
process.on("disconnect", () => process.exit(0));
