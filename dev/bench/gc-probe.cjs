'use strict';
/**
 * Preloaded into n8n by the benchmark's memory runs (NODE_OPTIONS=--require). On SIGUSR2, and every
 * $BENCH_GC_EVERY_MS, it runs a full garbage collection and appends one JSON line to $BENCH_GC_LOG: the V8 heap
 * still in use right after it, and the process's RSS. The heap in use after a full collection is what the process
 * still holds on to; the peak RSS of a run also counts garbage V8 has not collected yet (it lets the heap grow a
 * long way before collecting).
 */
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');
const { isMainThread } = require('node:worker_threads');

const file = process.env.BENCH_GC_LOG;
const every = Number(process.env.BENCH_GC_EVERY_MS);
// --require also runs in worker threads and in the task runner n8n starts; only n8n's main thread matters
if (file && every > 0 && isMainThread && process.env.BENCH_GC_PROBE_PID === undefined) {
	process.env.BENCH_GC_PROBE_PID = String(process.pid);
	v8.setFlagsFromString('--expose-gc');
	const collect = vm.runInNewContext('gc');
	const sample = (reason) => {
		try {
			collect();
			const line = {
				pid: process.pid,
				reason,
				timeUs: Number(process.hrtime.bigint() / 1000n),
				heapUsed: v8.getHeapStatistics().used_heap_size,
				rss: process.memoryUsage.rss(),
			};
			fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
		} catch {
			// never let the probe break n8n
		}
	};
	setInterval(() => sample('timer'), every).unref();
	process.on('SIGUSR2', () => sample('signal'));
}
