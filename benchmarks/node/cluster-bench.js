#!/usr/bin/env node
// Node's cluster module measured the way the loomcluster core benchmarks measure loomcluster:
//   round trip  primary -> worker -> primary ("ping", worker echoes with process.send): p50/p99 over
//               ROUND_TRIPS sequential round trips after WARM_UP ones
//   one-way     primary -> worker: ONE_WAY messages sent back to back, timed until the worker reports
//               that its 'message' handler has counted all of them (best of ONE_WAY_RUNS runs after one
//               warm-up run)
//   fork        cluster.fork() -> 'online' per worker, FORKS forks one after the other (each worker is
//               disconnected and its 'exit' awaited before the next fork)
// Prints one line per measurement: "node round_trip p50_us=.. p99_us=..", "node one_way msgs_per_s=..",
// "node fork_online median_ms=.. p90_ms=..". Bounded: the whole run is abandoned after 180 s.
// Usage: node cluster-bench.js [roundTrips=20000] [oneWay=200000] [forks=10]
'use strict';
const cluster = require('node:cluster');

if (cluster.isWorker) {
  let count = 0;
  let oneWayTarget = 0;
  process.on('message', (m) => {
    if (m === 'ping') {
      process.send(m);
    } else if (m && m.oneWay !== undefined) { // start of a one-way run: count what follows
      count = 0;
      oneWayTarget = m.oneWay;
      process.send({ ready: true });
    } else if (m === 'x') {
      if (++count === oneWayTarget) process.send({ counted: count });
    }
  });
  return;
}

const ROUND_TRIPS = Number(process.argv[2] || 20000);
const ONE_WAY = Number(process.argv[3] || 200000);
const FORKS = Number(process.argv[4] || 10);
const WARM_UP = 2000;
const ONE_WAY_RUNS = 3;

const guard = setTimeout(() => { console.error('node cluster-bench: timed out after 180 s'); process.exit(2); }, 180000);

const now = () => process.hrtime.bigint();
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
const nextMessage = (worker) => new Promise((resolve) => worker.once('message', resolve));
const online = (worker) => new Promise((resolve) => worker.once('online', resolve));
const exited = (worker) => new Promise((resolve) => worker.once('exit', resolve));

async function roundTrip(worker) {
  const samples = new Float64Array(ROUND_TRIPS);
  for (let i = 0; i < WARM_UP + ROUND_TRIPS; i++) {
    const t0 = now();
    const reply = nextMessage(worker);
    worker.send('ping');
    if ((await reply) !== 'ping') throw new Error('bad echo');
    if (i >= WARM_UP) samples[i - WARM_UP] = Number(now() - t0) / 1000;
  }
  samples.sort();
  console.log(`node round_trip p50_us=${percentile(samples, 50).toFixed(1)} p99_us=${percentile(samples, 99).toFixed(1)} n=${ROUND_TRIPS}`);
}

async function oneWayRun(worker, n) {
  const ready = nextMessage(worker);
  worker.send({ oneWay: n });
  await ready;
  const done = nextMessage(worker);
  const t0 = now();
  for (let i = 0; i < n; i++) worker.send('x');
  const m = await done;
  const seconds = Number(now() - t0) / 1e9;
  if (!m || m.counted !== n) throw new Error('worker counted ' + JSON.stringify(m));
  return n / seconds;
}

async function oneWay(worker) {
  await oneWayRun(worker, Math.min(ONE_WAY, 20000)); // warm-up
  let best = 0;
  const rates = [];
  for (let r = 0; r < ONE_WAY_RUNS; r++) {
    const rate = await oneWayRun(worker, ONE_WAY);
    rates.push(rate);
    best = Math.max(best, rate);
  }
  rates.sort((a, b) => a - b);
  console.log(`node one_way msgs_per_s=${Math.round(rates[Math.floor(rates.length / 2)])} best=${Math.round(best)} n=${ONE_WAY}`);
}

async function forkOnline() {
  const ms = [];
  for (let i = 0; i < FORKS; i++) {
    const t0 = now();
    const w = cluster.fork();
    await online(w);
    ms.push(Number(now() - t0) / 1e6);
    const gone = exited(w);
    w.disconnect();
    await gone;
  }
  ms.sort((a, b) => a - b);
  console.log(`node fork_online median_ms=${percentile(ms, 50).toFixed(1)} p90_ms=${percentile(ms, 90).toFixed(1)} n=${FORKS}`);
}

(async () => {
  const worker = cluster.fork();
  await online(worker);
  await roundTrip(worker);
  await oneWay(worker);
  const gone = exited(worker);
  worker.disconnect();
  await gone;
  await forkOnline();
  clearTimeout(guard);
})().catch((e) => { console.error(e); process.exit(1); });
