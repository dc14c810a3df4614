'use strict';
/**
 * Preloaded into n8n (NODE_OPTIONS=--require) by the demo and the end-to-end suite when they run against the local
 * emulator: every outgoing TCP connection must go to the loopback interface. A connection anywhere else (n8n's own
 * telemetry, update checks, a cloud metadata endpoint, a real Microsoft host) fails at once with ECONNREFUSED, and is
 * written as one JSON line to $E2E_EGRESS_LOG so the suite can report it. Host names other than localhost are refused
 * before any DNS query is made.
 */
const net = require('node:net');
const dns = require('node:dns');
const fs = require('node:fs');

const logFile = process.env.E2E_EGRESS_LOG;

function isLoopback(host) {
	if (host === undefined || host === null || host === '') return true; // Node's default is localhost
	const h = String(host)
		.toLowerCase()
		.replace(/^\[|\]$/g, '');
	if (h === 'localhost' || h.endsWith('.localhost')) return true;
	if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
	const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function record(kind, target) {
	if (!logFile) return;
	try {
		const stack = (new Error().stack || '')
			.split('\n')
			.slice(3, 9)
			.map((line) => line.trim());
		fs.appendFileSync(
			logFile,
			`${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, kind, target, stack })}\n`,
		);
	} catch {
		// never let the guard itself break n8n
	}
}

function refused(host, port) {
	const error = new Error(
		`connect ECONNREFUSED ${host}:${port} (blocked: this n8n may only reach 127.0.0.1)`,
	);
	return Object.assign(error, {
		code: 'ECONNREFUSED',
		errno: -111,
		syscall: 'connect',
		address: host,
		port,
	});
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
	let first = args[0];
	// net.connect() hands over its normalized arguments as [options, callback]
	if (Array.isArray(first)) first = first[0];
	let host;
	let port;
	if (first !== null && typeof first === 'object') {
		if (first.path) return originalConnect.apply(this, args); // unix socket
		host = first.host;
		port = first.port;
	} else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
		port = first;
		host = typeof args[1] === 'string' ? args[1] : undefined;
	} else {
		return originalConnect.apply(this, args); // a pipe path
	}
	if (isLoopback(host)) return originalConnect.apply(this, args);
	record('connect', `${host}:${port}`);
	const error = refused(host, port);
	process.nextTick(() => this.destroy(error));
	return this;
};

function guardLookup(original) {
	return function guardedLookup(hostname, ...rest) {
		if (isLoopback(hostname)) return original.call(this, hostname, ...rest);
		record('dns', String(hostname));
		const callback = rest[rest.length - 1];
		const error = Object.assign(
			new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked: this n8n may only reach 127.0.0.1)`),
			{
				code: 'ENOTFOUND',
				errno: -3008,
				syscall: 'getaddrinfo',
				hostname,
			},
		);
		if (typeof callback === 'function') {
			process.nextTick(() => callback(error));
			return {};
		}
		return Promise.reject(error);
	};
}

dns.lookup = guardLookup(dns.lookup);
if (dns.promises) dns.promises.lookup = guardLookup(dns.promises.lookup);
