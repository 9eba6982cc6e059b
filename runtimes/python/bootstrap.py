"""gatewise runtime client for python3.* functions.

Runs handlers the way the AWS Python runtime (awslambdaric) does, with the standard library only.
It speaks the Lambda Runtime API to gatewise in frames over the socket pair it inherits as the
descriptor its argument names, not over HTTP at $AWS_LAMBDA_RUNTIME_API (that server still
runs, for handlers that call it): the frame format is documented in
crates/gatewise-lambda/src/runtime_api/pipe.rs. Loads $_HANDLER ("dir/module.function") with
$LAMBDA_TASK_ROOT first on sys.path.
"""

import importlib
import json
import os
import socket
import struct
import sys
import time
import traceback

# Frame kinds (pipe.rs).
NEXT, INVOCATION, RESPONSE, ERROR, INIT_ERROR = 1, 2, 3, 4, 5
# A frame's fixed parts: kind and head length, then body length.
PREFIX = struct.Struct(">BI")
LENGTH = struct.Struct(">I")
# The longest body a frame can say it carries. A longer response is over gatewise's limit, and
# so are its first MAX_BODY bytes, which are sent instead: the invocation fails the same way.
MAX_BODY = 0xFFFFFFFF


class Pipe:
    """The Runtime API pipe to gatewise."""

    def __init__(self, fd):
        # Inherited descriptors stay inheritable; the handler's child processes must not get it.
        os.set_inheritable(fd, False)
        self._socket = socket.socket(fileno=fd)
        self._reader = self._socket.makefile("rb")

    def send(self, *frames):
        """Sends frames, (kind, head, body) with bytes head and body, in one write."""
        parts = []
        for kind, head, body in frames:
            if len(body) > MAX_BODY:
                body = memoryview(body)[:MAX_BODY]
            parts += (PREFIX.pack(kind, len(head)), head, LENGTH.pack(len(body)), body)
        self._socket.sendall(b"".join(parts))

    def exit_after(self, frame):
        """Sends a last frame, then exits once gatewise has handled it: the sending side is shut
        down and gatewise closes the pipe after reading everything before that, so the frame's
        outcome never loses a race with the exit."""
        self.send(frame)
        self._socket.shutdown(socket.SHUT_WR)
        self._reader.read()
        sys.exit(1)

    def next(self, *frames):
        """Sends frames and NEXT, then returns the invocation gatewise answers with: its head
        fields (request id, deadline ms, function ARN, trace id) and its event."""
        self.send(*frames, (NEXT, b"", b""))
        kind, head_length = PREFIX.unpack(self._read(PREFIX.size))
        head = self._read(head_length)
        (body_length,) = LENGTH.unpack(self._read(LENGTH.size))
        body = self._read(body_length)
        if kind != INVOCATION:
            raise RuntimeError(f"unexpected frame kind {kind} from gatewise")
        return head.decode().split("\n"), body

    def _read(self, size):
        data = self._reader.read(size)
        if len(data) < size:
            # gatewise closes its end only when it is done with the instance.
            sys.exit(1)
        return data


class RuntimeFailure(Exception):
    """A failure the runtime itself reports, with Lambda's error type."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def error_payload(error, request_id):
    if isinstance(error, RuntimeFailure):
        return {"errorMessage": str(error), "errorType": error.error_type, "requestId": request_id, "stackTrace": []}
    frames = traceback.extract_tb(error.__traceback__)[1:]
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def error_frame(error, request_id=None):
    """An ERROR frame for the invocation request_id, or without one an INIT_ERROR frame; logged
    as awslambdaric logs it. The error type travels beside the body, as
    Lambda-Runtime-Function-Error-Type does."""
    payload = error_payload(error, request_id or "")
    trace = "".join(payload["stackTrace"])
    print(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}", file=sys.stderr)
    if trace:
        print("Traceback (most recent call last):\n" + trace.rstrip("\n"), file=sys.stderr)
    body = json.dumps(payload).encode()
    if request_id is None:
        return INIT_ERROR, payload["errorType"].encode(), body
    return ERROR, f"{request_id}\n{payload['errorType']}".encode(), body


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError:
        raise RuntimeFailure("Runtime.MalformedHandlerName", f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise RuntimeFailure("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}")
    except SyntaxError as error:
        raise RuntimeFailure("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}")
    function = getattr(module, function_name, None)
    if function is None:
        raise RuntimeFailure("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return function


class LambdaContext:
    """The context object, with the attributes awslambdaric gives it."""

    def __init__(self, request_id, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = None
        self.identity = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class TraceIdVariable:
    """Sets _X_AMZN_TRACE_ID once per invocation without growing the process.

    os.environ[...] = v calls setenv(3), and glibc never frees a replaced value (~150 bytes a
    call, without bound). Instead one fixed buffer "_X_AMZN_TRACE_ID=<value>" is handed to
    putenv(3) once — putenv keeps the pointer, not a copy — and rewritten in place; the
    os.environ mapping is updated without its putenv hook. Children started by subprocess and
    C code calling getenv(3) still see the current value. Trace ids have a fixed shape far
    below the buffer's size; a longer value (or no ctypes) falls back to os.environ, which is
    correct but grows.
    """

    NAME = "_X_AMZN_TRACE_ID"
    CAPACITY = 256

    def __init__(self):
        self._buffer = None
        try:
            import ctypes

            libc = ctypes.CDLL(None)
            buffer = ctypes.create_string_buffer(len(self.NAME) + 1 + self.CAPACITY + 1)
            buffer.value = f"{self.NAME}=".encode()
            if libc.putenv(buffer) == 0:
                self._buffer = buffer
        except (ImportError, OSError, AttributeError):
            pass

    def set(self, value):
        encoded = value.encode()
        data = getattr(os.environ, "_data", None)
        if self._buffer is None or len(encoded) > self.CAPACITY or data is None or b"\0" in encoded:
            os.environ[self.NAME] = value
            return
        self._buffer.value = f"{self.NAME}=".encode() + encoded
        data[os.environ.encodekey(self.NAME)] = os.environ.encodevalue(value)


def handle(handler, fields, body, trace_id):
    """Runs one invocation; returns the frame that answers it."""
    request_id, deadline_ms, function_arn, trace = fields
    trace_id.set(trace)
    context = LambdaContext(request_id, int(deadline_ms), function_arn)
    try:
        try:
            event = json.loads(body)
        except ValueError as error:
            raise RuntimeFailure("Runtime.UnmarshalError", f"Unable to unmarshal input: {error}")
        result = handler(event, context)
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as error:
            raise RuntimeFailure("Runtime.MarshalError", f"Unable to marshal response: {error}")
    except Exception as error:
        return error_frame(error, request_id)
    # Over Lambda's 6 MB, gatewise fails the invocation and the runtime keeps serving.
    return RESPONSE, request_id.encode(), payload.encode()


def main():
    # Handlers see the argv they would see without the pipe's descriptor.
    pipe = Pipe(int(sys.argv.pop(1)))
    sys.path[0] = os.environ["LAMBDA_TASK_ROOT"]
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as error:
        pipe.exit_after(error_frame(error))
    trace_id = TraceIdVariable()
    # What the previous invocation answered, sent with the request for the next one.
    answer = ()
    while True:
        fields, body = pipe.next(*answer)
        del answer  # the previous result is not kept while the handler runs
        answer = (handle(handler, fields, body, trace_id),)


if __name__ == "__main__":
    main()
