#!/usr/bin/env node
// Node's cluster example with the same hello handler as loomcluster's main job (HelloCluster):
// GET / -> {"message":"Hello from worker <id>"} as application/json, one worker per CPU (or WORKERS),
// every worker listening on PORT (default 8000). SIGTERM/SIGINT: the primary disconnects the workers and
// exits 0.
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');
const os = require('node:os');

const port = Number(process.env.PORT || 8000);
const workers = Number(process.env.WORKERS || os.availableParallelism());

if (cluster.isPrimary) {
  console.log(`Primary ${process.pid} is running`);
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => cluster.disconnect(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const body = JSON.stringify({ message: `Hello from worker ${cluster.worker.id}` });
  http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }).listen(port);
  console.log(`Worker ${cluster.worker.id} started`);
}
