"""The JVM's languages: Jutge's JDK and Kotlin, with the heap sized from the memory limit so that
running out of memory is the JVM's own error, not the cgroup's kill."""

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
JVM_MEMORY_ERRORS = ("java.lang.OutOfMemoryError",)


def java_home() -> str:
    javac = shutil.which("javac") or "/usr/bin/javac"
    return str(Path(os.path.realpath(javac)).parent.parent)


def java_run(java: str) -> RunArgv:
    def argv(limits: Limits) -> list[str]:
        heap = max(limits.memory_mb * 3 // 4, 16)
        return [
            java,
            f"-Xmx{heap}m",
            "-Xss64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:MaxMetaspaceSize=64m",
            "-Xshare:auto",
            "-XX:-UsePerfData",
            MAIN,
        ]

    return argv


def _java_entry(source: bytes, file_name: str | None) -> tuple[str, str]:
    entry = java_entry(source, file_name)
    return entry.file_name, entry.main_class


def _kotlin_entry(source: bytes, file_name: str | None) -> tuple[str, str]:
    entry = kotlin_entry(source, file_name)
    return entry.file_name, entry.main_class


def _kotlin_run(java: str) -> RunArgv:
    """The JVM's command, with the jar kotlinc made (the Kotlin runtime included) as class path."""
    jvm = java_run(java)

    def argv(limits: Limits) -> list[str]:
        command = jvm(limits)
        return [*command[:-1], "-cp", "main.jar", *command[-1:]]

    return argv


def _kotlin_language(home: str) -> Language:
    """Kotlin on the JVM. kotlinc is seldom installed: without it the language is listed as
    unavailable (the catalogue says why), and its main-class rule is still used and tested."""
    kotlinc = shutil.which("kotlinc") or "/usr/bin/kotlinc"
    return Language(
        id="Kotlin",
        name="Kotlin (JVM)",
        extensions=(".kt",),
        source_name="Main.kt",
        compile=(kotlinc, SOURCE, "-include-runtime", "-d", "main.jar"),
        run=_kotlin_run(f"{home}/bin/java"),
        artifacts=("main.jar",),
        version_command=(kotlinc, "-version"),
        toolchain=kotlinc,
        selftest_source=SUM_KOTLIN,
        entry_point=_kotlin_entry,
        processes=64,
        compile_processes=128,
        env=(("JAVA_HOME", home),),
        memory_errors=JVM_MEMORY_ERRORS,
        aliases=("KT",),
    )


def build() -> list[Language]:
    home = java_home()
    return [
        Language(
            id="JDK",
            time_class="medium",
            name="Java 17",
            extensions=(".java",),
            source_name="Main.java",
            compile=(f"{home}/bin/javac", "-J-Xmx512m", "-J-XX:+UseSerialGC", "-encoding", "UTF-8", SOURCE),
            run=java_run(f"{home}/bin/java"),
            artifacts=("*.class",),
            version_command=(f"{home}/bin/java", "-version"),
            toolchain=f"{home}/bin/javac",
            selftest_source=SUM_JAVA,
            entry_point=_java_entry,
            processes=64,
            memory_errors=JVM_MEMORY_ERRORS,
            aliases=("JAVA",),
        ),
        _kotlin_language(home),
    ]
