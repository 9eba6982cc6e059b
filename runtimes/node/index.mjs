// gatewise runtime client for nodejs* functions: runs handlers the way the AWS Node.js runtime
// does, with no dependencies. It speaks the Lambda Runtime API to gatewise in frames over the
// socket pair it inherits as the descriptor its argument names, not over HTTP at
// $AWS_LAMBDA_RUNTIME_API (that server still runs, for handlers that call it): the frame format
// is documented in crates/gatewise-lambda/src/runtime_api/pipe.rs. Node marks the descriptors
// it inherits close-on-exec at startup (libuv's uv_disable_stdio_inheritance), so a handler's
// child processes never get the pipe.
// Loads $_HANDLER ("dir/file.export") from $LAMBDA_TASK_ROOT: CommonJS through require,
// ES modules (.mjs, or .js under "type": "module") through import().
import fs from 'node:fs';
import net from 'node:net';
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
const env = process.env;
// Handlers see the argv they would see without the pipe's descriptor.
const pipeFd = Number(process.argv.splice(2)[0]);
let currentId = null;

// Frame kinds (pipe.rs).
const NEXT = 1;
const INVOCATION = 2;
const RESPONSE = 3;
const ERROR = 4;
const INIT_ERROR = 5;

// The pipe keeps the process alive only while it waits for an invocation (ref'd around that
// wait): while a handler runs, an empty event loop must mean the handler is done, as the
// callbackWaitsForEmptyEventLoop rule needs. Pending writes keep the loop alive by themselves.
const pipe = new net.Socket({ fd: pipeFd, readable: true, writable: true });
pipe.unref();
// gatewise closes its end when it is done with the instance, or when the runtime asked it to
// (exitAfter); the process then ends.
let exitStatus = null;
pipe.on('error', () => {});
pipe.on('close', () => process.exit(exitStatus ?? 1));

// Frames arrive in chunks, joined only when enough has arrived for the next step of parsing
// (a 6 MB event in 64 kB chunks is copied three times, not once per chunk).
let chunks = [];
let buffered = 0;
let needed = 5;
let onInvocation = null;
pipe.on('data', (chunk) => {
  chunks.push(chunk);
  buffered += chunk.length;
  deliver();
});

// Hands a complete INVOCATION frame to the waiting loop: { head: [fields], body: Buffer }.
function deliver() {
  if (!onInvocation || buffered < needed) return;
  let buffer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
  chunks = [buffer];
  const headEnd = 5 + buffer.readUInt32BE(1);
  needed = headEnd + 4;
  if (buffered < needed) return;
  const end = needed + buffer.readUInt32BE(headEnd);
  needed = end;
  if (buffered < needed) return;
  if (buffer[0] !== INVOCATION) throw new Error(`unexpected frame kind ${buffer[0]} from gatewise`);
  const frame = { head: buffer.toString('utf8', 5, headEnd).split('\n'), body: buffer.subarray(headEnd + 4, end) };
  buffer = buffer.subarray(end);
  chunks = buffer.length ? [buffer] : [];
  buffered = buffer.length;
  needed = 5;
  const resolve = onInvocation;
  onInvocation = null;
  pipe.unref();
  resolve(frame);
}

// Frames ([kind, head, body] with string head and body) in one buffer, for one write.
function encode(...frames) {
  let size = 0;
  for (const frame of frames) size += 9 + Buffer.byteLength(frame[1]) + Buffer.byteLength(frame[2]);
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [kind, head, body] of frames) {
    buffer[at] = kind;
    const headLength = buffer.write(head, at + 5);
    buffer.writeUInt32BE(headLength, at + 1);
    at += 5 + headLength;
    const bodyLength = buffer.write(body, at + 4);
    buffer.writeUInt32BE(bodyLength, at);
    at += 4 + bodyLength;
  }
  return buffer;
}

// Sends a last frame, then exits with `status` once gatewise has handled it: the runtime shuts
// its sending side down and gatewise closes the pipe after reading everything before that, so
// the frame's outcome never loses a race with the exit.
function exitAfter(frame, status) {
  if (exitStatus !== null) return;
  exitStatus = status;
  pipe.ref();
  pipe.end(encode(frame));
}

// Sends `frames` followed by NEXT, and waits for the invocation gatewise answers with.
function next(...frames) {
  const invocation = new Promise((resolve) => { onInvocation = resolve; });
  pipe.ref();
  pipe.write(encode(...frames, [NEXT, '', '']));
  deliver();
  return invocation;
}

// Error payloads as the AWS Node.js runtime posts them.
function errorPayload(error) {
  if (error instanceof Error) {
    const trace = String(error.stack || '').split('\n');
    return { errorType: error.name, errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

// An ERROR (or INIT_ERROR, without a request id) frame for `error`, logged as the AWS runtime
// logs it; the error type travels beside the body as Lambda-Runtime-Function-Error-Type does.
function errorFrame(id, error) {
  const payload = errorPayload(error);
  console.error('Invoke Error', JSON.stringify(payload));
  const type = String(payload.errorType);
  return id === null ? [INIT_ERROR, type, JSON.stringify(payload)] : [ERROR, `${id}\n${type}`, JSON.stringify(payload)];
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

function uncaught(error) {
  console.error('Uncaught Exception', JSON.stringify(errorPayload(error)));
  if (currentId) exitAfter(errorFrame(currentId, error), 129);
  else process.exit(129);
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', (reason) => uncaught(reason instanceof Error ? reason
  : new RuntimeError('Runtime.UnhandledPromiseRejection', String(reason))));

async function main() {
  let handler;
  try {
    handler = await loadHandler(env._HANDLER || '');
  } catch (error) {
    exitAfter(errorFrame(null, error), 1);
    return;
  }
  // What the previous invocation answered, sent with the request for the next one.
  let answer = [];
  for (;;) {
    const invocation = await next(...answer);
    answer = []; // the previous result is not kept while the handler runs
    const [id, deadlineMs, functionArn, traceId] = invocation.head;
    const deadline = Number(deadlineMs);
    currentId = id;
    env._X_AMZN_TRACE_ID = traceId || '';
    const context = {
      awsRequestId: id,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: functionArn,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    };
    try {
      let event;
      try { event = JSON.parse(invocation.body.toString('utf8')); } catch (error) {
        throw new RuntimeError('Runtime.UnmarshalError', `Unable to parse the event: ${error.message}`);
      }
      const result = await run(handler, event, context);
      let body;
      try { body = JSON.stringify(result === undefined ? null : result) ?? 'null'; } catch (error) {
        throw new RuntimeError('Runtime.MarshalError', `Unable to stringify response body: ${error.message}`);
      }
      // Over Lambda's 6 MB, gatewise fails the invocation and the runtime keeps serving.
      answer = [[RESPONSE, id, body]];
    } catch (error) {
      answer = [errorFrame(id, error)];
    }
    currentId = null;
  }
}

main().catch((error) => {
  console.error('Runtime API client failed', error);
  process.exit(1);
});
