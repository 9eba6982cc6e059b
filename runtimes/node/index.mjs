// gatewise runtime client for nodejs* functions: speaks the Lambda Runtime API at
// $AWS_LAMBDA_RUNTIME_API the way the AWS Node.js runtime does, with no dependencies.
// Loads $_HANDLER ("dir/file.export") from $LAMBDA_TASK_ROOT: CommonJS through require,
// ES modules (.mjs, or .js under "type": "module") through import().
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// Every invocation sets _X_AMZN_TRACE_ID. On Node's own process.env that is a setenv(3), and
// glibc never frees a replaced value (~150 bytes a call, without bound). A plain-object copy
// makes the assignment a JS property write; child_process uses process.env as the default
// environment of children, so they still see the current trace id. What is lost: values are
// no longer coerced to strings, and native addons calling getenv(3) see the start-up values.
process.env = { ...process.env };
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const API = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true });
const env = process.env;
let currentId = null;
// Sockets given a listener of last resort: when the API refuses an oversized response it
// answers 413 and closes mid-body, and the write's EPIPE can arrive after the request has read
// the 413 and let go of its socket — an 'error' nobody listens to would end the runtime.
const guarded = new WeakSet();

// One request to the Runtime API over a kept-alive connection; a request that fails on a
// reused connection the API has closed meanwhile (after refusing an oversized response) is
// sent once more on a fresh one, as Node's docs advise for `reusedSocket`.
function call(method, urlPath, body, headers = {}, retried = false) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (req.reusedSocket && !retried) resolve(call(method, urlPath, body, headers, true));
      else reject(error);
    });
    req.on('socket', (socket) => {
      if (guarded.has(socket)) return;
      guarded.add(socket);
      socket.on('error', () => {});
    });
    req.end(body);
  });
}

// Error payloads as the AWS Node.js runtime posts them.
function errorPayload(error) {
  if (error instanceof Error) {
    const trace = String(error.stack || '').split('\n');
    return { errorType: error.name, errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function postError(where, error) {
  const payload = errorPayload(error);
  console.error('Invoke Error', JSON.stringify(payload));
  const headers = { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': payload.errorType };
  return call('POST', where, JSON.stringify(payload), headers);
}

class RuntimeError extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

// Console output carries the request id, as in CloudWatch: time, id, level, message.
for (const [method, level, stream] of [['log', 'INFO', process.stdout], ['info', 'INFO', process.stdout],
  ['debug', 'DEBUG', process.stdout], ['warn', 'WARN', process.stderr], ['error', 'ERROR', process.stderr],
  ['trace', 'TRACE', process.stderr]]) {
  console[method] = (...args) => {
    stream.write(`${new Date().toISOString()}\t${currentId ?? 'undefined'}\t${level}\t${util.format(...args)}\n`);
  };
}

function isModulePackage(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    try { return JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).type === 'module'; } catch { /* keep looking */ }
    if (path.dirname(d) === d) return false;
  }
}

async function loadModule(base) {
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  const require = createRequire(import.meta.url);
  try {
    if (file && (file.endsWith('.mjs') || (file.endsWith('.js') && isModulePackage(path.dirname(file))))) {
      return await import(pathToFileURL(file).href);
    }
    return require(file ?? base);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeError('Runtime.ImportModuleError', `${error.name}: ${error.message}`);
    }
    throw error;
  }
}

async function loadHandler(handler) {
  const slash = handler.lastIndexOf('/') + 1;
  const match = /^([^.]*)\.(.*)$/.exec(handler.slice(slash));
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  const module = await loadModule(path.resolve(env.LAMBDA_TASK_ROOT, handler.slice(0, slash) + match[1]));
  const fn = match[2].split('.').reduce((object, key) => (object == null ? undefined : object[key]), module);
  if (fn === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handler} is not a function`);
  return fn;
}

// Called when the event loop has nothing left to do (callback handlers wait for that).
let onEmptyLoop = null;
process.on('beforeExit', () => { const run = onEmptyLoop; onEmptyLoop = null; if (run) run(); });

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let outcome = null;
    const settle = (finish) => { if (!settled) { settled = true; onEmptyLoop = null; finish(); } };
    const callback = (error, result) => {
      if (outcome || settled) return;
      outcome = () => (error != null ? reject(error) : resolve(result));
      if (context.callbackWaitsForEmptyEventLoop) onEmptyLoop = () => settle(outcome);
      else settle(outcome);
    };
    Object.assign(context, { done: callback, succeed: (r) => callback(null, r), fail: (e) => callback(e ?? 'handled') });
    let returned;
    try { returned = handler(event, context, callback); } catch (error) { settle(() => reject(error)); return; }
    if (returned && typeof returned.then === 'function') {
      returned.then((r) => settle(() => resolve(r)), (e) => settle(() => reject(e)));
    } else if (!outcome) {
      onEmptyLoop = () => settle(() => resolve(null));
    }
  });
}

async function uncaught(error) {
  console.error('Uncaught Exception', JSON.stringify(errorPayload(error)));
  if (currentId) await postError(`${API}/invocation/${currentId}/error`, error).catch(() => {});
  process.exit(129);
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', (reason) => uncaught(reason instanceof Error ? reason
  : new RuntimeError('Runtime.UnhandledPromiseRejection', String(reason))));

async function main() {
  let handler;
  try {
    handler = await loadHandler(env._HANDLER || '');
  } catch (error) {
    await postError(`${API}/init/error`, error).catch(() => {});
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', `${API}/invocation/next`);
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    currentId = id;
    env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    const context = {
      awsRequestId: id,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    };
    let body;
    try {
      let event;
      try { event = JSON.parse(next.body.toString('utf8')); } catch (error) {
        throw new RuntimeError('Runtime.UnmarshalError', `Unable to parse the event: ${error.message}`);
      }
      const result = await run(handler, event, context);
      try { body = JSON.stringify(result === undefined ? null : result) ?? 'null'; } catch (error) {
        throw new RuntimeError('Runtime.MarshalError', `Unable to stringify response body: ${error.message}`);
      }
    } catch (error) {
      await postError(`${API}/invocation/${id}/error`, error);
      currentId = null;
      continue;
    }
    // A refused response (over Lambda's 6 MB: the API answers 413 and may close the
    // connection mid-body) fails the invocation, not the runtime.
    await call('POST', `${API}/invocation/${id}/response`, body, { 'Content-Type': 'application/json' })
      .catch(() => {});
    currentId = null;
  }
}

main().catch((error) => {
  console.error('Runtime API client failed', error);
  process.exit(1);
});
