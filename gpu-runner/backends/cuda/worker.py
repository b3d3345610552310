"""The cuda backend's worker: multiplies float32 matrices on an NVIDIA GPU with PyTorch or CuPy.

hcx starts it as `python3 -u worker.py --engine auto|torch|cupy|numpy` and talks to it over
stdin/stdout in frames:

    4 bytes   length of the header, unsigned little-endian (at most 64 KiB)
    header    a UTF-8 JSON object; "bytes" (default 0) is the length of the payload after it
    payload   raw bytes

Requests and replies:

    {"op":"hello"}
        -> {"ok":true,"engine":"torch"|"cupy"|"numpy",
            "device":{"name","memoryBytes","computeCapability","driver"}}
        -> {"ok":false,"error":"..."} when no engine with a CUDA device can be used
    {"op":"matmul","n","k","m","bytes"} + A (n*k float32 LE, row-major) + B (k*m)
        -> {"ok":true,"deviceMs","peakMemoryBytes","bytes"} + C (n*m float32 LE)
        -> {"ok":false,"error":"...","kind":"request"|"unavailable"|"oom"|"engine"}
    {"op":"quit"} -> {"ok":true}, then the worker exits

A request that is well framed but wrong (unknown op, bad sizes) is answered with ok:false and
the worker goes on. A frame whose own length cannot be trusted (a header that is too long, not
JSON, or with a bad "bytes") is answered with ok:false too, but the worker then exits with
status 2: it can no longer tell where the next frame starts. End of input exits with status 0.

`--engine auto` (the default) takes PyTorch when torch.cuda.is_available(), else CuPy when it
sees a device. `--engine numpy` runs on the CPU: it exists only so the protocol can be checked
on machines without a GPU, and auto never picks it.

Only the standard library and the engine are used, so the worker runs wherever the engine does
(Python 3.9 or later).
"""

import argparse
import json
import os
import struct
import sys
import time

MAX_HEADER_BYTES = 64 * 1024
MAX_SIDE = 32768
# A matmul request carries A and B: at most two MAX_SIDE x MAX_SIDE float32 matrices.
MAX_PAYLOAD_BYTES = 2 * MAX_SIDE * MAX_SIDE * 4
DISCARD_CHUNK = 1 << 20
ENGINES = ("auto", "torch", "cupy", "numpy")

# CuPy reads this when it is imported: TF32 would round the inputs to 10-bit mantissas, and a
# product that is not exact cannot be checked against the buyer's reference.
os.environ.setdefault("CUPY_TF32", "0")


class RequestError(Exception):
    """A well framed request that cannot be served; the worker answers and goes on."""

    kind = "request"


class EngineUnavailable(RequestError):
    kind = "unavailable"


class EngineFailed(RequestError):
    kind = "engine"


class FramingError(Exception):
    """A frame whose length is unknown; the worker answers and stops."""


class EndOfInput(Exception):
    def __init__(self, partial):
        super().__init__("end of input")
        self.partial = partial


def log(message):
    sys.stderr.write("hcx cuda worker: %s\n" % message)
    sys.stderr.flush()


# ---- frames -------------------------------------------------------------------------------


def claim_stdout():
    """The frame channel: a private copy of stdout, with fd 1 pointed at stderr.

    Engines and their native libraries sometimes print to stdout; one stray line would corrupt
    the frame stream, so from here on anything written to fd 1 lands in stderr instead.
    """
    sys.stdout.flush()
    frames_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(frames_fd, "wb", buffering=1 << 16)


def read_exact(stream, length):
    buffer = bytearray(length)
    view = memoryview(buffer)
    got = 0
    while got < length:
        count = stream.readinto(view[got:])
        if not count:
            raise EndOfInput(partial=True)
        got += count
    return buffer


def discard(stream, length):
    left = length
    while left > 0:
        chunk = stream.read(min(left, DISCARD_CHUNK))
        if not chunk:
            raise EndOfInput(partial=True)
        left -= len(chunk)


def read_header(stream):
    """The next header as a dict, with its payload length checked but the payload left unread."""
    prefix = stream.read(4)
    if not prefix:
        raise EndOfInput(partial=False)
    if len(prefix) < 4:
        prefix += read_exact(stream, 4 - len(prefix))
    (length,) = struct.unpack("<I", prefix)
    if length > MAX_HEADER_BYTES:
        raise FramingError("the header is %d bytes; at most %d are allowed" % (length, MAX_HEADER_BYTES))
    raw = read_exact(stream, length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise FramingError("the header is not UTF-8 JSON (%s)" % err)
    if not isinstance(header, dict):
        raise FramingError("the header is JSON but not an object")
    size = header.get("bytes", 0)
    if not is_whole(size) or size < 0 or size > MAX_PAYLOAD_BYTES:
        raise FramingError(
            '"bytes" must be a whole number from 0 to %d, got %s' % (MAX_PAYLOAD_BYTES, json.dumps(size))
        )
    return header, size


def write_frame(out, header, payload=None):
    header = dict(header)
    header["bytes"] = 0 if payload is None else len(payload)
    raw = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    out.write(struct.pack("<I", len(raw)))
    out.write(raw)
    if payload is not None:
        out.write(payload)
    out.flush()


def is_whole(value):
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


# ---- engines ------------------------------------------------------------------------------


class TorchEngine:
    name = "torch"

    def __init__(self):
        import torch

        if not torch.cuda.is_available():
            build = torch.version.cuda
            if build is None:
                raise RuntimeError("torch %s is a CPU-only build" % torch.__version__)
            raise RuntimeError(
                "torch %s (CUDA %s) sees no device: torch.cuda.is_available() is False; check the NVIDIA "
                "driver and CUDA_VISIBLE_DEVICES" % (torch.__version__, build)
            )
        # Exact float32: TF32 or reduced-precision kernels would change products of whole numbers.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
        self.torch = torch
        self.device = torch.device("cuda", 0)
        # Create the CUDA context now, so the first job is not charged for it.
        torch.zeros(1, device=self.device)
        torch.cuda.synchronize(self.device)

    def describe(self):
        props = self.torch.cuda.get_device_properties(self.device)
        return {
            "name": props.name,
            "memoryBytes": int(props.total_memory),
            "computeCapability": "%d.%d" % (props.major, props.minor),
            "driver": nvidia_driver_version(),
        }

    def matmul(self, n, k, m, a_bytes, b_bytes):
        torch = self.torch
        out = bytearray(n * m * 4)
        host_a = torch.frombuffer(a_bytes, dtype=torch.float32).view(n, k)
        host_b = torch.frombuffer(b_bytes, dtype=torch.float32).view(k, m)
        host_c = torch.frombuffer(out, dtype=torch.float32).view(n, m)
        torch.cuda.synchronize(self.device)
        torch.cuda.reset_peak_memory_stats(self.device)
        started = time.perf_counter()
        a = host_a.to(self.device)
        b = host_b.to(self.device)
        c = torch.matmul(a, b)
        host_c.copy_(c)
        torch.cuda.synchronize(self.device)
        elapsed = time.perf_counter() - started
        peak = int(torch.cuda.max_memory_allocated(self.device))
        del a, b, c
        return out, elapsed * 1000.0, peak

    def recover(self):
        self.torch.cuda.empty_cache()


class CupyEngine:
    name = "cupy"

    def __init__(self):
        import cupy
        import numpy

        count = cupy.cuda.runtime.getDeviceCount()
        if count < 1:
            raise RuntimeError("cupy %s sees no CUDA device" % cupy.__version__)
        self.cupy = cupy
        self.numpy = numpy
        self.device = cupy.cuda.Device(0)
        self.device.use()
        self.pool = cupy.get_default_memory_pool()
        # Create the CUDA context now, so the first job is not charged for it.
        cupy.zeros(1, dtype=cupy.float32)
        self.device.synchronize()

    def describe(self):
        props = self.cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"]
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        return {
            "name": name,
            "memoryBytes": int(props["totalGlobalMem"]),
            "computeCapability": "%d.%d" % (props["major"], props["minor"]),
            "driver": nvidia_driver_version(),
        }

    def matmul(self, n, k, m, a_bytes, b_bytes):
        cupy, numpy = self.cupy, self.numpy
        out = bytearray(n * m * 4)
        host_a = numpy.frombuffer(a_bytes, dtype="<f4").reshape(n, k)
        host_b = numpy.frombuffer(b_bytes, dtype="<f4").reshape(k, m)
        host_c = numpy.frombuffer(out, dtype="<f4").reshape(n, m)
        self.device.synchronize()
        started = time.perf_counter()
        a = cupy.asarray(host_a)
        b = cupy.asarray(host_b)
        c = cupy.matmul(a, b)
        # A, B and C are all alive here, which is the most this job holds at once.
        peak = int(self.pool.used_bytes())
        c.get(out=host_c)
        self.device.synchronize()
        elapsed = time.perf_counter() - started
        del a, b, c
        return out, elapsed * 1000.0, peak

    def recover(self):
        self.pool.free_all_blocks()


class NumpyEngine:
    """The CPU, through numpy: for checking the protocol where there is no GPU, never for sale."""

    name = "numpy"

    def __init__(self):
        import numpy

        self.numpy = numpy

    def describe(self):
        return {"name": cpu_model(), "memoryBytes": physical_memory(), "computeCapability": None, "driver": None}

    def matmul(self, n, k, m, a_bytes, b_bytes):
        numpy = self.numpy
        out = bytearray(n * m * 4)
        a = numpy.frombuffer(a_bytes, dtype="<f4").reshape(n, k)
        b = numpy.frombuffer(b_bytes, dtype="<f4").reshape(k, m)
        c = numpy.frombuffer(out, dtype="<f4").reshape(n, m)
        started = time.perf_counter()
        numpy.matmul(a, b, out=c)
        elapsed = time.perf_counter() - started
        return out, elapsed * 1000.0, len(a_bytes) + len(b_bytes) + len(out)

    def recover(self):
        pass


ENGINE_CLASSES = {"torch": TorchEngine, "cupy": CupyEngine, "numpy": NumpyEngine}


def open_engine(choice):
    """(engine, None) or (None, why not): every engine tried, and what stopped each one."""
    names = ("torch", "cupy") if choice == "auto" else (choice,)
    reasons = []
    for name in names:
        try:
            return ENGINE_CLASSES[name](), None
        except ImportError as err:
            reasons.append("%s: import failed (%s: %s)" % (name, type(err).__name__, err))
        except Exception as err:  # an engine's own failure (no driver, no device) is a reason, not a crash
            reasons.append("%s: %s" % (name, describe_error(err)))
    if choice == "auto":
        return None, "no CUDA engine is usable: " + "; ".join(reasons)
    return None, "the %s engine is not usable: %s" % (choice, "; ".join(reasons))


def describe_error(err):
    text = str(err).strip().splitlines()
    return "%s: %s" % (type(err).__name__, text[0] if text else "no message")


def nvidia_driver_version():
    """The NVIDIA driver version from NVML (e.g. 550.54.15), or None where it cannot be read."""
    try:
        import ctypes

        for library in ("libnvidia-ml.so.1", "nvml.dll"):
            try:
                nvml = ctypes.CDLL(library)
                break
            except OSError:
                continue
        else:
            return None
        if nvml.nvmlInit_v2() != 0:
            return None
        try:
            text = ctypes.create_string_buffer(96)
            if nvml.nvmlSystemGetDriverVersion(text, ctypes.c_uint(len(text))) != 0:
                return None
            return text.value.decode("ascii", "replace") or None
        finally:
            nvml.nvmlShutdown()
    except Exception:  # the driver version is informative only
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine() or "CPU"


def physical_memory():
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return 0


def is_out_of_memory(err):
    return type(err).__name__ == "OutOfMemoryError" or "out of memory" in str(err).lower()


# ---- requests -----------------------------------------------------------------------------


class Worker:
    def __init__(self, choice, stdin, out):
        self.choice = choice
        self.stdin = stdin
        self.out = out
        self.engine = None
        self.unavailable = None

    def ensure_engine(self):
        if self.engine is None and self.unavailable is None:
            self.engine, self.unavailable = open_engine(self.choice)
            if self.engine is not None:
                log("engine %s" % self.engine.name)
        if self.engine is None:
            raise EngineUnavailable(self.unavailable)
        return self.engine

    def serve(self):
        """Answers requests until quit or end of input; returns the exit status."""
        while True:
            try:
                header, size = read_header(self.stdin)
            except EndOfInput as end:
                if end.partial:
                    log("input ended inside a frame")
                return 0
            except FramingError as err:
                self.reply_error("%s; the worker stops because it cannot find the next frame" % err, "request")
                return 2
            op = header.get("op")
            try:
                if op == "quit":
                    self.expect_no_payload(op, size)
                    write_frame(self.out, {"ok": True})
                    return 0
                if op == "hello":
                    self.expect_no_payload(op, size)
                    self.hello()
                elif op == "matmul":
                    self.matmul(header, size)
                else:
                    self.discard(size)
                    raise RequestError('unknown op %s: expected "hello", "matmul" or "quit"' % json.dumps(op))
            except RequestError as err:
                self.reply_error(str(err), err.kind)
            except EndOfInput:
                log("input ended inside a frame")
                return 0

    def expect_no_payload(self, op, size):
        if size != 0:
            self.discard(size)
            raise RequestError('a "%s" request carries no payload, this one has %d bytes' % (op, size))

    def discard(self, size):
        discard(self.stdin, size)

    def hello(self):
        engine = self.ensure_engine()
        try:
            device = engine.describe()
        except Exception as err:  # a device that cannot describe itself is reported, not a crash
            raise EngineFailed("%s could not describe its device: %s" % (engine.name, describe_error(err)))
        write_frame(self.out, {"ok": True, "engine": engine.name, "device": device})

    def matmul(self, header, size):
        dims = []
        for name in ("n", "k", "m"):
            value = header.get(name)
            if not is_whole(value) or value < 1 or value > MAX_SIDE:
                self.discard(size)
                raise RequestError(
                    '"%s" must be a whole number from 1 to %d, got %s' % (name, MAX_SIDE, json.dumps(value))
                )
            dims.append(value)
        n, k, m = dims
        expected = 4 * (n * k + k * m)
        if size != expected:
            self.discard(size)
            raise RequestError(
                "a %dx%d by %dx%d product needs %d payload bytes (A then B, float32), got %d"
                % (n, k, k, m, expected, size)
            )
        a_bytes = read_exact(self.stdin, 4 * n * k)
        b_bytes = read_exact(self.stdin, 4 * k * m)
        engine = self.ensure_engine()
        try:
            out, device_ms, peak = engine.matmul(n, k, m, a_bytes, b_bytes)
        except Exception as err:  # the engine failing a job is an answer, not a crash
            kind = "oom" if is_out_of_memory(err) else "engine"
            try:
                engine.recover()
            except Exception as again:
                log("could not release device memory: %s" % describe_error(again))
            self.reply_error("%s failed the product: %s" % (engine.name, describe_error(err)), kind)
            return
        write_frame(self.out, {"ok": True, "deviceMs": device_ms, "peakMemoryBytes": peak}, out)

    def reply_error(self, message, kind):
        write_frame(self.out, {"ok": False, "error": message, "kind": kind})


def main(argv):
    parser = argparse.ArgumentParser(description="hcx cuda worker (frames on stdin/stdout)")
    parser.add_argument("--engine", choices=ENGINES, default="auto")
    args = parser.parse_args(argv)
    out = claim_stdout()
    try:
        return Worker(args.engine, sys.stdin.buffer, out).serve()
    except BrokenPipeError:
        # hcx went away; nobody is left to answer.
        return 0
    except KeyboardInterrupt:
        # Ctrl-C in hcx's terminal reaches the whole process group; hcx reports it, not the worker.
        return 130
    finally:
        try:
            out.close()
        except BrokenPipeError:
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
