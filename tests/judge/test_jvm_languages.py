"""The JVM's languages (JDK, Kotlin, Clojure) through the real sandbox: running out of memory is MLE
for each, the JVM sizes itself from the run's limits and not from the host, the stack takes deep
recursion, and Clojure's check makes reader and compile errors CE without running the program."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verdict.judge.compiler import Compiled, program_sandbox, run_program
from verdict.judge.languages import get_language
from verdict.judge.sandbox import Limits, RunResult, SandboxConfig, Status

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
LIMITS = Limits(cpu_time=10, memory_mb=256)
CompileFn = Callable[..., Compiled]

# 1 GB in 8 MB arrays (the JVM zeroes each one: the memory is touched), under a 256 MB limit.
HOGS = {
    "JDK": """import java.util.*;
public class Main { public static void main(String[] a) {
    List<long[]> keep = new ArrayList<>();
    for (int i = 0; i < 128; i++) keep.add(new long[1 << 20]);
    System.out.println(keep.size()); } }
""",
    "Kotlin": """fun main() {
    val keep = mutableListOf<LongArray>()
    repeat(128) { keep.add(LongArray(1 shl 20)) }
    println(keep.size)
}
""",
    "Clojure": """(def kept (reduce (fn [blocks _] (conj blocks (long-array (* 1024 1024)))) [] (range 128)))
(println (count kept))
""",
}
JAVA_NORMAL = """import java.util.*;
public class Main { public static void main(String[] a) {
    Scanner in = new Scanner(System.in); int n = in.nextInt();
    long[] v = new long[n]; long s = 0; for (int i = 0; i < n; i++) { v[i] = i; s += v[i]; }
    Map<Integer, Integer> m = new HashMap<>(); for (int i = 0; i < 100000; i++) m.put(i, i);
    System.out.println(s + " " + m.size()); } }
"""
# What the JVM believes about its machine, and how many threads (the JVM's own included) it runs.
JAVA_SIZES = """import java.nio.file.*;
public class Main { public static void main(String[] a) throws Exception {
    long threads = Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.split("\\\\s+")[1])).sum();
    Runtime r = Runtime.getRuntime();
    System.out.println(r.maxMemory() / 1048576 + " " + r.availableProcessors() + " " + threads); } }
"""
JAVA_THREADS = """import java.util.*;
public class Main { public static void main(String[] a) throws Exception {
    List<Thread> threads = new ArrayList<>(); long[] sums = new long[32];
    for (int t = 0; t < 32; t++) { final int k = t;
        Thread th = new Thread(() -> { for (int i = 0; i < 1000; i++) sums[k] += i; });
        th.start(); threads.add(th); }
    for (Thread th : threads) th.join();
    System.out.println(Arrays.stream(sums).sum()); } }
"""
JAVA_DEEP = """public class Main {
    static int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
    public static void main(String[] a) { System.out.println(depth(1000000)); } }
"""
JAVA_ENDLESS = """public class Main {
    static int f(int n) { return 1 + f(n + 1); }
    public static void main(String[] a) { System.out.println(f(0)); } }
"""


def run(compiled: Compiled, config: SandboxConfig, stdin: bytes = b"", limits: Limits = LIMITS) -> RunResult:
    with program_sandbox(compiled, config) as box:
        return run_program(box, compiled, limits, stdin=stdin)


# -- memory ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language_id", sorted(HOGS))
def test_a_gigabyte_under_256_mb_is_a_memory_limit(
    language_id: str, compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    """The JVM's OutOfMemoryError, not the cgroup's kill, not a run-time error, not an IE."""
    result = run(compile_program(HOGS[language_id], language_id), sandbox_config)
    assert result.status == Status.MEMORY_LIMIT, (result, result.stderr[:500])
    assert b"OutOfMemoryError" in result.stderr


def test_java_runs_within_256_mb(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    compiled = compile_program(JAVA_NORMAL, "JDK")
    with program_sandbox(compiled, sandbox_config) as box:
        for _ in range(2):  # the second run meets the page cache the first one left
            result = run_program(box, compiled, LIMITS, stdin=b"1000000\n")
            assert result.ok, (result, result.stderr[:500])
            assert result.stdout == b"499999500000 100000\n"
            assert result.memory_bytes < 260 * MiB


# -- the JVM sized from the limits, not from the host ------------------------------------------
def test_the_jvm_sees_the_limits_not_the_host(
    compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    result = run(compile_program(JAVA_SIZES, "JDK"), sandbox_config)
    assert result.ok, (result, result.stderr[:500])
    heap_mb, processors, threads = map(int, result.stdout.split())
    assert heap_mb <= LIMITS.memory_mb * 3 // 4
    assert processors == 2  # whatever the worker's cores
    assert threads < get_language("JDK").processes // 2, threads  # room left for the program's own


def test_a_program_may_start_threads(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    result = run(compile_program(JAVA_THREADS, "JDK"), sandbox_config)
    assert result.ok, (result, result.stderr[:500])
    assert result.stdout == b"15984000\n"


# -- the stack --------------------------------------------------------------------------------------
def test_a_million_deep_recursion_runs(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    result = run(compile_program(JAVA_DEEP, "JDK"), sandbox_config)
    assert result.ok, (result, result.stderr[:500])
    assert result.stdout == b"1000000\n"


def test_an_endless_recursion_is_a_run_time_error(
    compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    """A StackOverflowError (RE), not a memory kill: the stack is a quarter of the limit."""
    result = run(compile_program(JAVA_ENDLESS, "JDK"), sandbox_config)
    assert result.status == Status.RUNTIME_ERROR, (result, result.stderr[:500])
    assert b"StackOverflowError" in result.stderr


# -- Kotlin -----------------------------------------------------------------------------------------
def test_kotlin_type_error_shows_the_line(compile_program: CompileFn) -> None:
    compiled = compile_program(
        'fun main() {\n    val n: Int = "two"\n    println(n)\n}\n', "Kotlin", ok=False
    )
    assert "Main.kt:2" in compiled.output and "type mismatch" in compiled.output.lower()
    assert "deprecated" not in compiled.output  # kotlinc's script's -noverify warning is not ours


def test_kotlin_reads_input(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    source = (
        "fun main() {\n    val words = generateSequence(::readLine).flatMap { it.split(' ').asSequence() }\n"
    )
    source += "    println(words.filter { it.isNotEmpty() }.map { it.toInt() }.sum())\n}\n"
    result = run(compile_program(source, "Kotlin"), sandbox_config, stdin=b"1 2\n3\n")
    assert result.ok and result.stdout == b"6\n", (result, result.stderr[:500])


# -- Clojure's check ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(defn f [x]\n  (+ x 1)\n\n(println (f 2))\n", "Syntax error reading source at (main.clj:5:1)"),
        ('(println "Hello world!"))\n', "Unmatched delimiter"),
        ("(defn f [x]\n  (+ x y))\n", "Syntax error compiling at (main.clj:2:3)"),
        ('(println "Hello world!")\n(printn "Bye")\n', "Unable to resolve symbol: printn"),
        ("(require '[clojure.nothing :as n])\n", "clojure/nothing"),
    ],
    ids=["unclosed", "unmatched", "unknown-local", "unknown-function", "unknown-library"],
)
def test_clojure_errors_are_compile_errors(source: str, message: str, compile_program: CompileFn) -> None:
    compiled = compile_program(source, "Clojure", ok=False)
    assert message in compiled.output, compiled.output


CLOJURE_PROGRAM = """(ns main
  (:require [clojure.string :as str]))

(println "compiled, not run")
(def n (Long/parseLong (str/trim (read-line))))
(defmacro twice [e] `(do ~e ~e))
(defrecord Point [x y])
(defmulti area :shape)
(defmethod area :square [{:keys [side]}] (* side side))

(defn -main []
  (twice (println (str/upper-case "hi") (:x (->Point n 0)) (area {:shape :square :side n}))))

(-main)
"""


def test_clojure_check_compiles_without_running(
    compile_program: CompileFn, sandbox_config: SandboxConfig
) -> None:
    """Definitions are made (a macro, a record, a multimethod, a namespace's requires), top-level
    computation is compiled but not run: nothing printed, no input read, no endless loop."""
    compiled = compile_program(CLOJURE_PROGRAM, "Clojure")
    assert "compiled, not run" not in compiled.output
    result = run(compiled, sandbox_config, stdin=b"3\n")
    assert result.ok, (result, result.stderr[:500])
    assert result.stdout == b"compiled, not run\nHI 3 9\nHI 3 9\n"
    endless = compile_program('(while true (println "never at compile time"))\n', "Clojure")
    assert endless.ok and "never" not in endless.output


def test_clojure_crash_is_a_run_time_error(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    result = run(compile_program("(println (nth [1 2] 5))\n", "Clojure"), sandbox_config)
    assert result.status == Status.RUNTIME_ERROR
    assert b"IndexOutOfBoundsException" in result.stderr
