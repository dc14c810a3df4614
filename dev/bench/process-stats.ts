/**
 * CPU time and memory of one process, read from Linux's /proc: `stat` (utime + stime, in clock ticks) and `status`
 * (VmRSS, VmHWM). The peak (VmHWM) can be reset to the current RSS by writing "5" to `clear_refs`, so one process
 * can report the peak of each run separately.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
	if (ticksPerSecond === undefined) {
		try {
			ticksPerSecond =
				Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
		} catch {
			ticksPerSecond = 100;
		}
	}
	return ticksPerSecond;
}

/** User + system CPU time the process has used so far, in milliseconds (resolution: one clock tick, 10 ms). */
export function cpuTimeMs(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// the command name (field 2) is in parentheses and may hold spaces; the fields after it are plain
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) fields[12]
	const ticks = Number(fields[11]) + Number(fields[12]);
	return (ticks * 1000) / clockTicks();
}

export interface MemoryNow {
	/** Resident set size now, bytes */
	rssBytes: number;
	/** Peak resident set size since start or since the last resetPeak(), bytes */
	peakBytes: number;
}

export function memory(pid: number): MemoryNow {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string) => {
		const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
		if (!match) throw new Error(`/proc/${pid}/status has no ${name}`);
		return Number(match[1]) * 1024;
	};
	return { rssBytes: field('VmRSS'), peakBytes: field('VmHWM') };
}

/** Resets the process's peak RSS to its current RSS; false when the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

export interface Sample {
	cpuMs: number;
	rssBytes: number;
}

export interface Usage {
	/** CPU time used between the two samples, ms */
	cpuMs: number;
	/** RSS when the run started, bytes */
	rssBeforeBytes: number;
	/** Peak RSS during the run (or since start, when the peak could not be reset), bytes */
	peakBytes: number;
	/** Peak during the run above the RSS it started with, bytes */
	growthBytes: number;
	peakWasReset: boolean;
}

/** Starts measuring: resets the peak and takes the CPU time; call the returned function when the run is over. */
export function measure(pid: number): () => Usage {
	const peakWasReset = resetPeak(pid);
	const before: Sample = { cpuMs: cpuTimeMs(pid), rssBytes: memory(pid).rssBytes };
	return () => {
		const cpuMs = cpuTimeMs(pid) - before.cpuMs;
		const { peakBytes } = memory(pid);
		return {
			cpuMs,
			rssBeforeBytes: before.rssBytes,
			peakBytes,
			growthBytes: Math.max(0, peakBytes - before.rssBytes),
			peakWasReset,
		};
	};
}
