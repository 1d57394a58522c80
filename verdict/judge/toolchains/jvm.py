"""The JVM's languages: Jutge's JDK and Kotlin, and Clojure, all on Debian 12's OpenJDK 17.

Every JVM here runs with flags sized from the run's limits, never from the host: the heap is three
quarters of the memory limit (so that running out of memory is the JVM's own
``java.lang.OutOfMemoryError``, reported as MLE, rather than the cgroup's kill), ``-XX:MaxRAM`` is the
limit (the JVM would otherwise size its defaults from the host's RAM, which it still sees through
/proc/meminfo), and ``-XX:ActiveProcessorCount=2`` keeps its thread count the same on every worker.

Where we depart from jutge-driver-std (``std/compilers.py``, ``std/etc/jdk/JudgeMain.java``):

- JDK. Jutge copies the source to ``Main.java``, compiles it with its ``JudgeMain`` wrapper and runs
  ``java -Xmx1024M -Xss1024M JudgeMain`` with 2 GB of memory whatever the problem says. The wrapper
  catches every Throwable and exits with 1, hiding it. We run the program's own main class (read
  from the source: a public class other than ``Main`` works too) without a wrapper: an uncaught
  exception already exits with 1 (RE), and its message must reach stderr, where
  ``java.lang.OutOfMemoryError`` tells MLE from RE. The problem's memory limit holds. The stack
  (``-Xss``, the main thread's too) is a quarter of the memory limit, at most Jutge's 1024 MB: about
  1.3 million plain frames under 256 MB. A stack overflow unwinding through JIT-compiled frames costs
  the JVM about twice the stack again in native memory (measured), so a quarter keeps an endless
  recursion a StackOverflowError (RE) instead of a memory kill.
- Kotlin. Jutge's driver calls ``kotlinc program.kt`` (Kotlin/Native, by its ``.konan`` link). We
  compile for the JVM with Debian's kotlinc 1.3.31, calling its compiler class with our own JVM
  flags (``kotlinc``'s script adds ``-noverify``, which JDK 17 warns about in every compile output,
  and sizes its heap at 256 MB), into a small ``main.jar`` run beside Debian's kotlin-stdlib.
- Clojure. Jutge's toolkit runs ``clj -M program.clj`` and checks nothing first. We run
  ``clojure.main main.clj`` on the JVM directly (no ``clj`` launcher in Debian 12), and check the
  file first, so that a reader or compile error is CE: see :data:`CLOJURE_CHECK`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from verdict.judge.java_source import java_entry
from verdict.judge.kotlin_source import kotlin_entry
from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import MAIN, SOURCE, Language, RunArgv

SUM_JAVA = (
    "import java.util.*;\npublic class Main { public static void main(String[] x) {"
    " Scanner s = new Scanner(System.in); long a = s.nextLong(), b = s.nextLong();"
    " System.out.println(a + b); } }\n"
)
SUM_KOTLIN = (
    'fun main() {\n    val (a, b) = readLine()!!.trim().split(Regex("\\\\s+")).map { it.toLong() }\n'
    "    println(a + b)\n}\n"
)
SUM_CLOJURE = (
    '(let [[a b] (map #(Long/parseLong %) (clojure.string/split (read-line) #"\\s+"))]\n'
    "  (println (+ a b)))\n"
)
JVM_MEMORY_ERRORS = ("java.lang.OutOfMemoryError",)
# Clojure's short report names the class without its package: "Execution error (OutOfMemoryError)".
CLOJURE_MEMORY_ERRORS = (*JVM_MEMORY_ERRORS, "(OutOfMemoryError)")
# The compilers' own JVM: a fixed heap, C1 only (a compile is a short run: C2 would cost more CPU
# than it saves), threads as for a run.
COMPILER_JVM = ("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=2")
CLOJURE_SOURCE = "main.clj"
# The Clojure check: read every top-level form (a reader error is CE) and compile it without
# running it, as Clojure's own `eval` does minus the call: a form is compiled as the body of
# `(fn* [] form)`, which resolves every symbol and expands every macro (the student's macros run, as
# in any compile) but runs nothing; a `def` inside it still interns its var, so later forms that
# use the name compile. Forms that only define (namespaces and requires of Clojure's own libraries,
# functions, macros, records, protocols, multimethods) are evaluated, as the later forms need them
# defined (a macro must exist to expand); their own expressions (a defmulti's dispatch, a
# defmethod's value) are all that runs. A top-level `do` is split, as Clojure's `eval` splits it.
# `def` and `defonce` are not evaluated: their value may be the program's computation or input.
CLOJURE_CHECK = """\
(let [harmless (set (map resolve '[ns in-ns require use import refer refer-clojure
                                   defn defn- defmacro declare definline
                                   defprotocol defrecord deftype definterface defstruct
                                   defmulti defmethod extend extend-type extend-protocol comment]))
      defining? (fn [form] (and (seq? form) (symbol? (first form))
                                (contains? harmless (resolve (first form)))))
      check (fn check [form]
              (if (defining? form)
                (eval form)
                (let [expanded (macroexpand form)]
                  (if (and (seq? expanded) (= 'do (first expanded)))
                    (run! check (rest expanded))
                    (eval (list 'fn* [] form))))))
      source "main.clj"
      eof (Object.)]
  (with-open [reader (clojure.lang.LineNumberingPushbackReader. (clojure.java.io/reader source))]
    (with-bindings {clojure.lang.Compiler/SOURCE_PATH source clojure.lang.Compiler/SOURCE source}
      (try
        (loop []
          (let [form (try (read {:eof eof :read-cond :allow} reader)
                          (catch Exception e
                            (throw (clojure.lang.Compiler$CompilerException.
                                    source (.getLineNumber reader) (.getColumnNumber reader) nil
                                    clojure.lang.Compiler$CompilerException/PHASE_READ
                                    (or (.getCause e) e)))))]
            (when-not (identical? form eof) (check form) (recur))))
        (System/exit 0)
        (catch Throwable e
          (binding [*out* *err*]
            (print (-> e Throwable->map clojure.main/ex-triage clojure.main/ex-str))
            (flush))
          (System/exit 1))))))
"""


def java_home() -> str:
    javac = shutil.which("javac") or "/usr/bin/javac"
    return str(Path(os.path.realpath(javac)).parent.parent)


def jvm_flags(limits: Limits) -> list[str]:
    """A run's JVM flags, sized from its limits (see the module's docstring)."""
    heap = max(limits.memory_mb * 3 // 4, 16)
    stack = min(max(limits.memory_mb // 4, 16), 1024)
    return [
        f"-Xmx{heap}m",
        f"-Xss{stack}m",
        f"-XX:MaxRAM={limits.memory_mb}m",
        "-XX:ActiveProcessorCount=2",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:ReservedCodeCacheSize=32m",
        "-XX:MaxMetaspaceSize=128m",
        "-Xshare:auto",
        "-XX:-UsePerfData",
    ]


def java_run(java: str, *class_path: str) -> RunArgv:
    """``java <flags> [-cp <class path>] <main class>``."""
    path = ["-cp", ":".join(class_path)] if class_path else []

    def argv(limits: Limits) -> list[str]:
        return [java, *jvm_flags(limits), *path, MAIN]

    return argv


def _java_entry(source: bytes, file_name: str | None) -> tuple[str, str]:
    entry = java_entry(source, file_name)
    return entry.file_name, entry.main_class


def _kotlin_entry(source: bytes, file_name: str | None) -> tuple[str, str]:
    entry = kotlin_entry(source, file_name)
    return entry.file_name, entry.main_class


def _jdk(home: str) -> Language:
    return Language(
        id="JDK",
        function_assembly="java",
        time_class="medium",  # Jutge's class for Java
        name="Java 17",
        extensions=(".java",),
        source_name="Main.java",
        compile=(f"{home}/bin/javac", *(f"-J{flag}" for flag in COMPILER_JVM), "-encoding", "UTF-8", SOURCE),
        run=java_run(f"{home}/bin/java"),
        artifacts=("*.class",),
        version_command=(f"{home}/bin/java", "-version"),
        toolchain=f"{home}/bin/javac",
        selftest_source=SUM_JAVA,
        entry_point=_java_entry,
        processes=64,
        memory_errors=JVM_MEMORY_ERRORS,
        aliases=("JAVA",),
    )


def kotlin_lib() -> Path:
    """kotlinc's lib folder (Debian: /usr/share/kotlin/kotlinc/lib, links into /usr/share/java)."""
    kotlinc = shutil.which("kotlinc") or "/usr/bin/kotlinc"
    return Path(os.path.realpath(kotlinc)).parent.parent / "lib"


def _kotlin(home: str) -> Language:
    """Kotlin on the JVM (Debian's kotlinc 1.3.31: the ``fun main()`` without arguments works)."""
    lib = kotlin_lib()
    compiler = (
        f"{home}/bin/java",
        *COMPILER_JVM,
        # kotlinc's own launch: the preloader puts the compiler's jars (trove4j...) on its path.
        "-cp",
        f"{lib}/kotlin-preloader.jar",
        "org.jetbrains.kotlin.preloading.Preloader",
        "-cp",
        f"{lib}/kotlin-compiler.jar",
        "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler",
    )
    return Language(
        id="Kotlin",
        time_class="medium",  # compiled to JVM bytecode, as Java (its runtime is one small jar more)
        name="Kotlin (JVM)",
        extensions=(".kt",),
        source_name="Main.kt",
        compile=(*compiler, SOURCE, "-d", "main.jar"),
        run=java_run(f"{home}/bin/java", "main.jar", f"{lib}/kotlin-stdlib.jar"),
        artifacts=("main.jar",),
        version_command=(*compiler, "-version"),
        toolchain=f"{lib}/kotlin-compiler.jar",
        selftest_source=SUM_KOTLIN,
        entry_point=_kotlin_entry,
        processes=64,
        # The compiler loads ~100 MB of jars: 2-4 s of CPU here, more on a loaded worker.
        compile_cpu_seconds=60,
        memory_errors=JVM_MEMORY_ERRORS,
        aliases=("KT",),
    )


def _clojure(home: str) -> Language:
    """Clojure 1.11 (Debian's ``clojure``; its jar names spec.alpha's jars in its manifest)."""
    jar = os.path.realpath("/usr/share/java/clojure.jar")
    clojure = (
        "-Dclojure.main.report=stderr",
        "-cp",
        jar,
        "clojure.main",
    )  # a crash's report on stderr, not in /tmp
    java = f"{home}/bin/java"
    return Language(
        id="Clojure",
        # Slow, not medium as Java: every run loads clojure.core and compiles the program's forms
        # before they run (0.5 s of CPU for a hello world here, more for a longer program), and
        # a student's code (boxed numbers, untyped interop resolved by reflection) runs several
        # times slower than the same Java.
        time_class="slow",
        name="Clojure 1.11",
        extensions=(".clj",),
        source_name=CLOJURE_SOURCE,
        compile=(java, *COMPILER_JVM, *clojure, "-e", CLOJURE_CHECK),
        run=lambda limits: [java, *jvm_flags(limits), *clojure, CLOJURE_SOURCE],
        artifacts=(CLOJURE_SOURCE,),
        version_command=(java, "-cp", jar, "clojure.main", "-e", '(println "Clojure" (clojure-version))'),
        toolchain=jar,
        selftest_source=SUM_CLOJURE,
        processes=64,
        memory_errors=CLOJURE_MEMORY_ERRORS,
        aliases=("CLJ",),
    )


def build() -> list[Language]:
    home = java_home()
    return [_jdk(home), _kotlin(home), _clojure(home)]
