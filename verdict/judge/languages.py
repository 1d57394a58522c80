"""Languages as data: how to compile and run each one, named with Jutge's compiler ids.

Kattis's language ids (problemtools' ``config/languages.yaml``: ``cpp``, ``python3``, ``kotlin``...)
are accepted wherever a compiler id is (`KATTIS_LANGUAGES`), and the file names its ``files``
globs claim (``*.C``, ``*.c++``, ``*.py3``, ``*.kt``) are recognised.

Every command runs inside the sandbox (compilers included). Paths are absolute because the
runner execs without a PATH search. A language whose toolchain is missing is listed as
unavailable with the reason, never an error.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from verdict.judge.bwrap import Mount
from verdict.judge.errors import UnknownLanguage
from verdict.judge.java_source import java_entry
from verdict.judge.kotlin_source import kotlin_entry
from verdict.judge.python_libraries import library_env, library_mounts
from verdict.judge.sandbox import Limits
from verdict.judge.turtle_alias import turtle_mounts

BF2C = Path(__file__).with_name("bf2c.py")
C_FLAGS = ["-D_JUDGE_", "-DNDEBUG", "-O2"]

SUM_C = (
    '#include <stdio.h>\nint main(void){long a,b;if(scanf("%ld %ld",&a,&b)!=2)return 1;'
    'printf("%ld\\n",a+b);return 0;}\n'
)
SUM_CPP = '#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n'
SUM_CPP20 = (
    "#include <iostream>\n#include <span>\n#include <vector>\n"
    "int main(){long long a,b;std::cin>>a>>b;std::vector<long long> v{a,b};"
    'std::span<long long> s(v);long long t=0;for(auto x:s)t+=x;std::cout<<t<<"\\n";}\n'
)
SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_JAVA = (
    "import java.util.*;\npublic class Main { public static void main(String[] x) {"
    " Scanner s = new Scanner(System.in); long a = s.nextLong(), b = s.nextLong();"
    " System.out.println(a + b); } }\n"
)
SUM_JS = (
    "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
    "console.log(a + b);\n"
)
SUM_RUST = (
    "use std::io::Read;\nfn main(){let mut s=String::new();std::io::stdin().read_to_string(&mut s)"
    ".unwrap();let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();"
    'println!("{}",v[0]+v[1]);}\n'
)
SUM_KOTLIN = (
    'fun main() {\n    val (a, b) = readLine()!!.trim().split(Regex("\\\\s+")).map { it.toLong() }\n'
    "    println(a + b)\n}\n"
)
SUM_PERL = 'my ($a, $b) = split " ", <STDIN>;\nprint $a + $b, "\\n";\n'
SUM_RUBY = "a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n"
SUM_PHP = '<?php\nfscanf(STDIN, "%d %d", $a, $b);\necho $a + $b, "\\n";\n'
SUM_LUA = 'local a, b = io.read("n", "n")\nprint(string.format("%d", a + b))\n'
# Fixed form, as Jutge's GFortran reads .f files: statements from column 7.
SUM_FORTRAN = (
    "      PROGRAM SUM\n      INTEGER*8 A, B\n      READ(*,*) A, B\n      WRITE(*,'(I0)') A+B\n      END\n"
)
SUM_D = 'import std.stdio;\nvoid main(){long a,b;readf(" %d %d", &a, &b);writeln(a+b);}\n'
# Brainf*ck has no numbers: the self-test reads one character and prints it incremented.
SELFTEST_BF = ",+.\n"

RunArgv = Callable[[Limits], list[str]]
# Stand-ins in compile and run argvs, as problemtools' %mainfile and %mainclass: the source's file
# name in the box and the program's main name (a Java class), both read from the submission.
SOURCE = "{source}"
MAIN = "{main}"
EntryPoint = Callable[[bytes, str | None], tuple[str, str]]


@dataclass(frozen=True)
class Language:
    id: str  # Jutge compiler id
    name: str
    extensions: tuple[str, ...]
    source_name: str  # file name the source gets in the box
    compile: tuple[str, ...] | None  # argv, or None for interpreted languages without a check
    run: RunArgv  # argv from the run's limits (a JVM needs its heap size)
    artifacts: tuple[str, ...]  # files kept after compiling (glob patterns in the box)
    version_command: tuple[str, ...]
    toolchain: str  # the binary whose presence makes the language available
    selftest_source: str = SUM_PY
    selftest_input: str = "2 3\n"
    selftest_output: str = "5"
    processes: int = 16  # minimum processes/threads a run needs (JVM, node)
    compile_processes: int = 64
    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    memory_errors: tuple[str, ...] = ()  # stderr patterns meaning "ran out of memory"
    flags: tuple[str, ...] = field(default=())
    # Jutge's time class: "fast", "medium" or "slow" (verdict.judge.time_limits applies it).
    time_class: str = "fast"
    # (source, the submission's file name or None) -> (file name in the box, main name); None: the
    # fixed source_name. May raise JavaSourceError (a compile error).
    entry_point: EntryPoint | None = None

    def entry(self, source: bytes, file_name: str | None = None) -> tuple[str, str]:
        """The source's file name in the box and the main name to run (``{main}`` in run)."""
        if self.entry_point is None:
            return self.source_name, ""
        return self.entry_point(source, file_name)

    def compile_argv(self, source_name: str) -> list[str]:
        return [source_name if part == SOURCE else part for part in self.compile or ()]

    def run_argv(self, limits: Limits, main: str = "") -> list[str]:
        main = main or Path(self.source_name).stem
        return [main if part == MAIN else part for part in self.run(limits)]

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.env)


def _native(
    id: str,
    name: str,
    compiler: str,
    ext: tuple[str, ...],
    selftest: str,
    *,
    options: tuple[str, ...] = (),
    libs: tuple[str, ...] = (),  # after the source, as the linker wants
    toolchain: str | None = None,
    memory_errors: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> Language:
    """A language compiled to ./main with Jutge's flags (``-D_JUDGE_ -DNDEBUG -O2``) by a gcc-like
    driver: C, C++, Fortran, Objective-C, D."""
    source = f"main{ext[0]}"
    return Language(
        id=id,
        name=name,
        extensions=ext,
        source_name=source,
        compile=(compiler, *C_FLAGS, *options, "-o", "main", source, *libs),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=(compiler, "--version"),
        toolchain=toolchain or compiler,
        selftest_source=selftest,
        memory_errors=memory_errors,
        flags=flags,
    )


def _c(
    id: str,
    name: str,
    compiler: str,
    std: str,
    ext: tuple[str, ...],
    selftest: str,
    libs: tuple[str, ...] = (),
) -> Language:
    """C and C++, with a language standard."""
    memory = ("std::bad_alloc",)
    std_flag = (f"-std={std}",)
    return _native(
        id, name, compiler, ext, selftest, options=std_flag, libs=libs, memory_errors=memory, flags=(std,)
    )


def _gcc_part(program: str) -> str:
    """Where gcc keeps one of its front ends (cc1obj...), or the bare name when it has none."""
    try:
        found = subprocess.run(
            ["/usr/bin/gcc", f"-print-prog-name={program}"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return program
    return found or program


def _interpreted(
    id: str, name: str, ext: str, check: tuple[str, ...], interpreter: tuple[str, ...], selftest: str
) -> Language:
    """A slow-class interpreted language whose syntax check counts as compiling (a syntax error is
    CE, as Jutge's driver makes it for Ruby, PHP and Lua)."""
    source = f"main{ext}"
    return Language(
        id=id,
        name=name,
        extensions=(ext,),
        source_name=source,
        compile=(*check, source),
        run=lambda limits: [*interpreter, source],
        artifacts=(source,),
        version_command=(interpreter[0], "-v"),
        toolchain=interpreter[0],
        selftest_source=selftest,
        time_class="slow",
    )


def _rust_sysroot() -> str | None:
    """A Rust toolchain the sandbox uids can read: Debian's in /usr first, else rustup's when
    its directories are world-traversable (rustup under a 0700 /root is not)."""
    if os.path.exists("/usr/bin/rustc"):
        return "/usr"
    rustc = shutil.which("rustc")
    if rustc is None:
        return None
    try:
        out = subprocess.run([rustc, "--print", "sysroot"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    sysroot = out.stdout.strip()
    return sysroot if sysroot and _world_traversable(Path(sysroot)) else None


def _world_traversable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def _rust_prefix(sysroot: str | None) -> str:
    return "/usr" if sysroot in (None, "/usr") else "/opt/rust"


def _java_home() -> str:
    javac = shutil.which("javac") or "/usr/bin/javac"
    return str(Path(os.path.realpath(javac)).parent.parent)


def _java_run(java: str) -> RunArgv:
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
    jvm = _java_run(java)

    def argv(limits: Limits) -> list[str]:
        command = jvm(limits)
        return [*command[:-1], "-cp", "main.jar", *command[-1:]]

    return argv


def _kotlin_language(java_home: str) -> Language:
    """Kotlin on the JVM. kotlinc is seldom installed: without it the language is listed as
    unavailable (the catalogue says why), and its main-class rule is still used and tested."""
    kotlinc = shutil.which("kotlinc") or "/usr/bin/kotlinc"
    return Language(
        id="Kotlin",
        name="Kotlin (JVM)",
        extensions=(".kt",),
        source_name="Main.kt",
        compile=(kotlinc, SOURCE, "-include-runtime", "-d", "main.jar"),
        run=_kotlin_run(f"{java_home}/bin/java"),
        artifacts=("main.jar",),
        version_command=(kotlinc, "-version"),
        toolchain=kotlinc,
        selftest_source=SUM_KOTLIN,
        entry_point=_kotlin_entry,
        processes=64,
        compile_processes=128,
        env=(("JAVA_HOME", java_home),),
        memory_errors=("java.lang.OutOfMemoryError",),
    )


def _node_run(limits: Limits) -> list[str]:
    return ["/usr/bin/node", f"--max-old-space-size={max(limits.memory_mb * 3 // 4, 16)}", "main.js"]


def build_languages() -> list[Language]:
    """Every known language, available or not, probing the host for Java's home and a Rust
    toolchain (which may run ``rustc --print sysroot``). Use :func:`languages`: it builds this once."""
    java_home = _java_home()
    rust = _rust_sysroot()
    return [
        _c("GCC", "C11 (gcc)", "/usr/bin/gcc", "gnu11", (".c",), SUM_C, ("-lm",)),
        _c("G++", "C++17 (g++)", "/usr/bin/g++", "gnu++17", (".cc", ".cpp", ".cxx", ".c++"), SUM_CPP),
        _c("G++11", "C++11 (g++)", "/usr/bin/g++", "gnu++11", (".cc", ".cpp"), SUM_CPP),
        _c("G++17", "C++17 (g++)", "/usr/bin/g++", "gnu++17", (".cc", ".cpp"), SUM_CPP),
        _c("G++20", "C++20 (g++)", "/usr/bin/g++", "gnu++20", (".cc", ".cpp"), SUM_CPP20),
        _c("Clang", "C11 (clang)", "/usr/bin/clang", "gnu11", (".c",), SUM_C, ("-lm",)),
        _c("Clang++17", "C++17 (clang++)", "/usr/bin/clang++", "c++17", (".cc", ".cpp"), SUM_CPP),
        _native("GFortran", "Fortran (gfortran)", "/usr/bin/gfortran", (".f", ".for"), SUM_FORTRAN),
        # gcc without gobjc has no Objective-C front end: its cc1obj tells whether it is there.
        _native("GObjC", "Objective-C (gcc)", "/usr/bin/gcc", (".m",), SUM_C, toolchain=_gcc_part("cc1obj")),
        _native("GDC", "D (gdc)", "/usr/bin/gdc", (".d",), SUM_D),
        _interpreted("Ruby", "Ruby", ".rb", ("/usr/bin/ruby", "-c"), ("/usr/bin/ruby",), SUM_RUBY),
        _interpreted("PHP", "PHP", ".php", ("/usr/bin/php", "--syntax-check"), ("/usr/bin/php",), SUM_PHP),
        _interpreted("Lua", "Lua 5.4", ".lua", ("/usr/bin/luac5.4", "-p"), ("/usr/bin/lua5.4",), SUM_LUA),
        Language(
            id="Python3",
            time_class="slow",
            name="Python 3",
            extensions=(".py", ".py3"),
            source_name="main.py",
            compile=(
                "/usr/bin/python3",
                "-c",
                "import sys; compile(open('main.py','rb').read(), 'main.py', 'exec')",
            ),
            run=lambda limits: ["/usr/bin/python3", "-S", "main.py"],
            artifacts=("main.py",),
            version_command=("/usr/bin/python3", "--version"),
            toolchain="/usr/bin/python3",
            # Jutge's libraries (yogi, easyinput, turtle_pil, PIL): see verdict.judge.python_libraries.
            mounts=(*library_mounts(), *turtle_mounts()),  # import turtle: verdict.judge.turtle_alias
            env=(("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONIOENCODING", "utf-8"), *library_env()),
            memory_errors=("MemoryError",),
        ),
        Language(
            id="JDK",
            time_class="medium",
            name="Java 17",
            extensions=(".java",),
            source_name="Main.java",
            compile=(
                f"{java_home}/bin/javac",
                "-J-Xmx512m",
                "-J-XX:+UseSerialGC",
                "-encoding",
                "UTF-8",
                SOURCE,
            ),
            run=_java_run(f"{java_home}/bin/java"),
            artifacts=("*.class",),
            version_command=(f"{java_home}/bin/java", "-version"),
            toolchain=f"{java_home}/bin/javac",
            selftest_source=SUM_JAVA,
            entry_point=_java_entry,
            processes=64,
            memory_errors=("java.lang.OutOfMemoryError",),
        ),
        _kotlin_language(java_home),
        Language(
            id="nodejs",
            time_class="slow",
            name="JavaScript (Node.js)",
            extensions=(".js",),
            source_name="main.js",
            compile=("/usr/bin/node", "--check", "main.js"),
            run=_node_run,
            artifacts=("main.js",),
            version_command=("/usr/bin/node", "--version"),
            toolchain="/usr/bin/node",
            selftest_source=SUM_JS,
            processes=32,
            memory_errors=("heap out of memory",),
        ),
        Language(
            id="Rust",
            name="Rust",
            extensions=(".rs",),
            source_name="main.rs",
            compile=(
                f"{_rust_prefix(rust)}/bin/rustc",
                "-O",
                "--edition",
                "2021",
                "-C",
                "codegen-units=1",
                "-o",
                "main",
                "main.rs",
            ),
            run=lambda limits: ["./main"],
            artifacts=("main",),
            version_command=(f"{rust}/bin/rustc", "--version") if rust else ("rustc", "--version"),
            toolchain=f"{rust}/bin/rustc" if rust else "rustc",
            selftest_source=SUM_RUST,
            mounts=(Mount(rust, "/opt/rust"),) if rust and rust != "/usr" else (),
            env=(("LD_LIBRARY_PATH", "/opt/rust/lib"),) if rust and rust != "/usr" else (),
            memory_errors=("memory allocation of",),
        ),
        Language(
            id="Perl",
            time_class="slow",
            name="Perl 5",
            extensions=(".pl",),
            source_name="main.pl",
            compile=("/usr/bin/perl", "-c", "main.pl"),
            run=lambda limits: ["/usr/bin/perl", "main.pl"],
            artifacts=("main.pl",),
            version_command=("/usr/bin/perl", "-e", "print $^V"),
            toolchain="/usr/bin/perl",
            selftest_source=SUM_PERL,
            memory_errors=("Out of memory",),
        ),
        Language(
            id="BEEF",
            time_class="slow",
            name="Brainf*ck (translated to C)",
            extensions=(".bf", ".b"),
            source_name="main.bf",
            compile=(
                "/bin/sh",
                "-c",
                "/usr/bin/python3 -S /opt/verdict/bf2c.py main.bf > main.c && "
                "/usr/bin/gcc -O2 -o main main.c && rm main.c",
            ),
            run=lambda limits: ["./main"],
            artifacts=("main",),
            version_command=("/usr/bin/gcc", "-dumpfullversion"),
            toolchain="/usr/bin/gcc",
            selftest_source=SELFTEST_BF,
            selftest_input="A",
            selftest_output="B",
            mounts=(Mount(str(BF2C), "/opt/verdict/bf2c.py", shared=True),),
        ),
    ]


ALIASES = {
    "C": "GCC",
    "C++": "G++17",
    "CPP": "G++17",
    "PYTHON": "Python3",
    "PYTHON3": "Python3",
    "PY": "Python3",
    "JAVA": "JDK",
    "JAVASCRIPT": "nodejs",
    "NODE": "nodejs",
    "JS": "nodejs",
    "RUST": "Rust",
    "PERL": "Perl",
    "BF": "BEEF",
    "BRAINFUCK": "BEEF",
    "CC": "G++17",
    "CPP17": "G++17",
    "CPP20": "G++20",
    "C++17": "G++17",
    "C++20": "G++20",
    "KOTLIN": "Kotlin",
    "KT": "Kotlin",
}

# problemtools' language ids (config/languages.yaml) -> the compiler ids of ours they allow, the
# first being the one a submission in that language gets. Ids with no compiler here name the Jutge
# compiler they would be (Go, GHC...): allowed by a problem, they refuse every other language.
KATTIS_LANGUAGES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "c": ("GCC",),
        "cpp": ("G++17", "G++", "G++11", "G++20"),
        "java": ("JDK",),
        "kotlin": ("Kotlin",),
        "python3": ("Python3",),
        "javascript": ("nodejs",),
        "rust": ("Rust",),
        "go": ("Go",),
        "haskell": ("GHC",),
        "ruby": ("Ruby",),
        "php": ("PHP",),
        "pascal": ("FPC",),
        "csharp": ("CSharp",),
        "python2": ("Python2",),
        "scala": ("Scala",),
        "ocaml": ("OCaml",),
        "lisp": ("CommonLisp",),
        "prolog": ("Prolog",),
        "fsharp": ("FSharp",),
        "objectivec": ("GObjC",),
        "cobol": ("Cobol",),
    }
)


def kattis_compilers(name: str) -> tuple[str, ...]:
    """The compiler ids a Kattis language id allows (``cpp`` → every g++); unknown ids are kept
    as they are (then they match no compiler of ours)."""
    return KATTIS_LANGUAGES.get(name.lower(), (name,))


PREFERRED_BY_EXTENSION = {".cc": "G++17", ".cpp": "G++17", ".cxx": "G++17", ".c++": "G++17"}
# Kattis's C++ glob includes ``*.C``: the only extension whose case matters.
CASE_SENSITIVE_EXTENSIONS = {".C": "G++17"}


class LanguageRegistry:
    """The languages of this process, indexed once: by id, by upper-cased id and alias, by extension."""

    def __init__(self, table: Iterable[Language]) -> None:
        self.by_id: Mapping[str, Language] = MappingProxyType({language.id: language for language in table})
        self._folded = {key.upper(): value for key, value in self.by_id.items()}
        by_extension: dict[str, Language] = {}
        for language in self.by_id.values():  # the first language claiming an extension wins
            for extension in language.extensions:
                by_extension.setdefault(extension, language)
        for extension, language_id in PREFERRED_BY_EXTENSION.items():
            if language_id in self.by_id:
                by_extension[extension] = self.by_id[language_id]
        self._by_extension = by_extension

    def __iter__(self) -> Iterator[Language]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, name: str) -> Language:
        """A language by compiler id (case-insensitive), common alias or Kattis language id."""
        if name in self.by_id:
            return self.by_id[name]
        key = ALIASES.get(name.upper(), name).upper()
        if key in self._folded:
            return self._folded[key]
        kattis = KATTIS_LANGUAGES.get(name.lower())
        if kattis is not None:
            if kattis[0].upper() in self._folded:
                return self._folded[kattis[0].upper()]
            raise UnknownLanguage(f"Kattis language {name!r} ({kattis[0]}) is not offered here")
        raise UnknownLanguage(f"unknown language {name!r}; known: {', '.join(sorted(self.by_id))}")

    def for_file(self, path: Path | str) -> Language:
        """Guess the language from a file name (the first language claiming the extension)."""
        suffix = Path(path).suffix
        if suffix in CASE_SENSITIVE_EXTENSIONS and CASE_SENSITIVE_EXTENSIONS[suffix] in self.by_id:
            return self.by_id[CASE_SENSITIVE_EXTENSIONS[suffix]]
        language = self._by_extension.get(suffix.lower())
        if language is None:
            raise UnknownLanguage(f"cannot tell the language of {Path(path).name!r}; pass --lang")
        return language


@functools.cache
def languages() -> LanguageRegistry:
    """The registry, built once per process (``languages.cache_clear()`` builds it anew, e.g. after
    a test changes the toolchains the host offers)."""
    return LanguageRegistry(build_languages())


def all_languages() -> Mapping[str, Language]:
    """Every known language by id, available or not (see `availability`)."""
    return languages().by_id


def get_language(name: str) -> Language:
    """A language by compiler id (case-insensitive) or common alias."""
    return languages().get(name)


def language_for_file(path: Path | str) -> Language:
    """Guess the language from a file name (the first language claiming the extension)."""
    return languages().for_file(path)


@functools.cache
def toolchain_version(language: Language) -> str | None:
    """The toolchain's version line, or None when it is missing (our trusted host binaries)."""
    if not os.path.exists(language.toolchain):
        return None
    try:
        out = subprocess.run(list(language.version_command), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown version"


def availability(language: Language) -> tuple[bool, str]:
    version = toolchain_version(language)
    if version is None:
        return False, f"{language.toolchain} not found"
    return True, version
