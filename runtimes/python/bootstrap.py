"""gatewise runtime client for python3.* functions.

Speaks the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API the way the AWS Python runtime
(awslambdaric) does, with the standard library only. Loads $_HANDLER ("dir/module.function")
with $LAMBDA_TASK_ROOT first on sys.path.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = "/2018-06-01/runtime"
_connection = None


def call(method, path, body=None, headers=None):
    """One request to the Runtime API over a kept-alive connection (reopened once if stale)."""
    global _connection
    for attempt in (1, 2):
        if _connection is None:
            _connection = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
        try:
            _connection.request(method, path, body=body, headers=headers or {})
            response = _connection.getresponse()
            return response.headers, response.read()
        except (http.client.HTTPException, OSError):
            _connection.close()
            _connection = None
            if attempt == 2:
                raise


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


def post_error(path, error, request_id=""):
    payload = error_payload(error, request_id)
    trace = "".join(payload["stackTrace"])
    print(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}", file=sys.stderr)
    if trace:
        print("Traceback (most recent call last):\n" + trace.rstrip("\n"), file=sys.stderr)
    headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": payload["errorType"]}
    call("POST", path, json.dumps(payload), headers)


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


def handle(handler, headers, body, trace_id):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    trace_id.set(headers.get("Lambda-Runtime-Trace-Id", ""))
    deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
    context = LambdaContext(request_id, deadline_ms, headers.get("Lambda-Runtime-Invoked-Function-Arn"))
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
        post_error(f"{API}/invocation/{request_id}/error", error, request_id)
        return
    try:
        call("POST", f"{API}/invocation/{request_id}/response", payload, {"Content-Type": "application/json"})
    except (http.client.HTTPException, OSError):
        # A refused response (over Lambda's 6 MB: the API answers 413 and may close the
        # connection mid-body) fails the invocation, not the runtime.
        pass


def main():
    sys.path[0] = os.environ["LAMBDA_TASK_ROOT"]
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as error:
        post_error(f"{API}/init/error", error)
        sys.exit(1)
    trace_id = TraceIdVariable()
    while True:
        headers, body = call("GET", f"{API}/invocation/next")
        handle(handler, headers, body, trace_id)


if __name__ == "__main__":
    main()
