/*
 * verdict sandbox runner: PID 1 inside a bubblewrap sandbox.
 *
 * The sandbox is set up once per submission; this runner then executes each test
 * as a plain fork+exec, so a test costs about as much as a bare fork+exec.
 *
 * Protocol on the fd given as argv[1] (a SOCK_SEQPACKET socket to the host):
 *   request  = NUL-separated strings:
 *              "run", wall_ms, rl_cpu_s, rl_as, rl_fsize, rl_nofile, rl_stack, rl_nproc,
 *              cwd, argc, argv..., envc, env...
 *              with three fds attached (SCM_RIGHTS): stdin, stdout, stderr of the program.
 *   "kill"   = kill the running program (sent by the host when the cgroup's CPU
 *              time goes over the limit, or its output over the cap).
 *   response = "exit=N signal=N wall_us=N utime_us=N stime_us=N maxrss_kb=N wall_limit=0|1
 *               killed=0|1 exec_errno=N"
 *
 * At start the runner sends "ready" with one fd attached: /box, opened before any untrusted
 * program ran. The host reaches box files only through it (openat2, RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS), never through /proc/<pid>/root, so a link in the box cannot make the
 * host read or write one of its own files.
 *
 * After each program ends, kill(-1, SIGKILL) removes every other process of the
 * sandbox (double-forked daemons included): as PID 1 of the namespace the runner
 * is the only survivor, and as PID 1 it cannot be killed from inside. Then /tmp and
 * /dev/shm are emptied: they are each test's scratch space, and what a test leaves there
 * must not be memory (charged to the slot) that the next test inherits.
 *
 * Supervision: the runner makes itself non-dumpable (a program of the same uid cannot
 * ptrace it, pidfd_getfd its control socket or read its /proc files), and each program is
 * exec'd under a seccomp filter (install_seccomp below) that answers EPERM to the calls no
 * judged program needs. The host enforces the wall limit too, whatever the runner does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int CONTROL_FD = 3; /* argv[1] */
#define MAX_MSG 65536
#define MAX_ARGS 512

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void set_limit(int resource, unsigned long long value) {
    if (value == 0) return; /* 0 = leave unlimited */
    struct rlimit rl = {value, value}; /* hard = soft: no signal games */
    setrlimit(resource, &rl);
}

static void reap_everything(void) {
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR) {
    }
}

/*
 * The seccomp filter: calls a judged program never needs, answered with EPERM (not a kill,
 * so that runtimes probing for a feature fall back gracefully). Keep in sync with
 * DENIED_SYSCALLS in sandbox_runner.py, which documents them.
 */
static const int DENIED[] = {
    /* reaching other processes (the runner): ptrace, memory, descriptors */
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_pidfd_open, SYS_pidfd_getfd,
    SYS_kcmp, SYS_process_madvise,
    /* kernel attack surface no judged program needs */
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_keyctl, SYS_add_key,
    SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_fanotify_init,
    SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_lookup_dcookie, SYS_syslog, SYS_uselib,
    /* namespaces and mounts */
    SYS_unshare, SYS_setns, SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_move_mount,
    SYS_open_tree, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_mount_setattr,
    /* the machine itself */
    SYS_kexec_load, SYS_kexec_file_load, SYS_init_module, SYS_finit_module, SYS_delete_module,
    SYS_reboot, SYS_swapon, SYS_swapoff, SYS_acct, SYS_quotactl, SYS_iopl, SYS_ioperm,
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex, SYS_sethostname,
    SYS_setdomainname, SYS_vhangup,
};
#define DENIED_COUNT (int)(sizeof DENIED / sizeof DENIED[0])
#define NEW_NAMESPACES                                                                         \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
     CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */)
#define X32_SYSCALL_BIT 0x40000000
#define RET_ERRNO(e) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))

static int install_seccomp(void) {
    struct sock_filter prog[16 + 2 * DENIED_COUNT];
    int n = 0;
    /* Another architecture (int 0x80 from a 64-bit process) numbers calls differently. */
    prog[n++] = (struct sock_filter)LOAD(arch);
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = (struct sock_filter)LOAD(nr);
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
    for (int i = 0; i < DENIED_COUNT; i++) {
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DENIED[i], 0, 1);
        prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
    }
    /* clone3 hides its flags behind a pointer: ENOSYS makes libc fall back to clone, whose
     * flags the filter can read (no new namespaces). */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    prog[n++] = (struct sock_filter)RET_ERRNO(ENOSYS);
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
    prog[n++] = (struct sock_filter)LOAD(args[0]); /* low 32 bits on little-endian x86_64 */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NEW_NAMESPACES, 0, 1);
    prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog fprog = {(unsigned short)n, prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    if (ftw->level > 0) remove(path);
    return 0;
}

/* Empties a scratch directory; every process of the sandbox is gone, so nothing races. */
static void empty_dir(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT); }

static int receive(char *buf, int fds[3], int *nfds) {
    char control[CMSG_SPACE(3 * sizeof(int))];
    struct iovec iov = {buf, MAX_MSG - 1};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(CONTROL_FD, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return -1;
    buf[n] = 0;
    *nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            *nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            if (*nfds > 3) *nfds = 3;
            memcpy(fds, CMSG_DATA(c), *nfds * sizeof(int));
        }
    }
    return (int)n;
}

/* Split the request into its NUL-separated fields. */
static int split(char *buf, int len, char **fields, int max) {
    int count = 0;
    for (int i = 0; i < len && count < max; i += strlen(buf + i) + 1) fields[count++] = buf + i;
    return count;
}

static void child(char **f, int argc, char **argv, char **env, int fds[3], int errpipe) {
    for (int i = 0; i < 3; i++) dup2(fds[i], i);
    /* The runner is non-dumpable, and so is this fork until exec: /proc/self would be root's. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int adj = open("/proc/self/oom_score_adj", O_WRONLY);
    if (adj >= 0) { /* the program, not the runner, is the OOM killer's choice */
        if (write(adj, "1000", 4) < 0) {
        }
        close(adj);
    }
    set_limit(RLIMIT_CPU, strtoull(f[2], 0, 10));
    set_limit(RLIMIT_AS, strtoull(f[3], 0, 10));
    set_limit(RLIMIT_FSIZE, strtoull(f[4], 0, 10));
    set_limit(RLIMIT_NOFILE, strtoull(f[5], 0, 10));
    set_limit(RLIMIT_STACK, strtoull(f[6], 0, 10));
    set_limit(RLIMIT_NPROC, strtoull(f[7], 0, 10));
    set_limit(RLIMIT_CORE, 0);
    signal(SIGPIPE, SIG_DFL);
    (void)argc;
    if (install_seccomp() != 0) {
        int e = errno; /* never run a program without its filter */
        if (write(errpipe, &e, sizeof e) < 0) {
        }
        _exit(127);
    }
    if (chdir(f[8]) == 0) execve(argv[0], argv, env);
    int e = errno;
    if (write(errpipe, &e, sizeof e) < 0) {
    }
    _exit(127);
}

static void run(char *buf, int len, int fds[3]) {
    static char *f[4 * MAX_ARGS];
    int n = split(buf, len, f, 4 * MAX_ARGS);
    char response[512];
    if (n < 10) {
        for (int i = 0; i < 3; i++) close(fds[i]); /* or the host waits forever for EOF */
        snprintf(response, sizeof response, "error=bad request");
        send(CONTROL_FD, response, strlen(response), 0);
        return;
    }
    long long wall_us = atoll(f[1]) * 1000LL;
    int argc = atoi(f[9]);
    if (argc < 1 || argc > MAX_ARGS || 10 + argc >= n) argc = 0;
    char *argv[MAX_ARGS + 1], *env[MAX_ARGS + 1];
    for (int i = 0; i < argc; i++) argv[i] = f[10 + i];
    argv[argc] = NULL;
    int envc = 10 + argc < n ? atoi(f[10 + argc]) : 0;
    if (envc < 0 || envc > MAX_ARGS || 11 + argc + envc > n) envc = 0;
    for (int i = 0; i < envc; i++) env[i] = f[11 + argc + i];
    env[envc] = NULL;

    int errpipe[2];
    if (argc == 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
        for (int i = 0; i < 3; i++) close(fds[i]);
        snprintf(response, sizeof response, "error=bad request");
        send(CONTROL_FD, response, strlen(response), 0);
        return;
    }
    long long start = now_us();
    pid_t pid = fork();
    if (pid == 0) {
        close(errpipe[0]);
        child(f, argc, argv, env, fds, errpipe[1]);
    }
    close(errpipe[1]);
    for (int i = 0; i < 3; i++) close(fds[i]);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int wall_limit = 0, killed = 0;
    struct pollfd pfd[2] = {{pidfd, POLLIN, 0}, {CONTROL_FD, POLLIN, 0}};
    for (;;) {
        long long left = (start + wall_us - now_us()) / 1000;
        if (left <= 0) {
            wall_limit = 1;
            break;
        }
        int r = poll(pfd, 2, (int)(left > 1000000 ? 1000000 : left + 1));
        if (r < 0 && errno == EINTR) continue;
        if (pfd[0].revents) break;
        if (pfd[1].revents) {
            char cmd[16];
            ssize_t k = recv(CONTROL_FD, cmd, sizeof cmd, 0);
            if (k <= 0) _exit(0); /* host gone: die, taking everything with us */
            killed = 1;
            break;
        }
    }
    if (wall_limit || killed) kill(-1, SIGKILL);
    int status = 0;
    struct rusage ru = {0};
    while (wait4(pid, &status, __WALL, &ru) < 0 && errno == EINTR) {
    }
    long long wall = now_us() - start;
    reap_everything(); /* no process outlives its test */
    empty_dir("/tmp");
    empty_dir("/dev/shm");
    close(pidfd);

    int exec_errno = 0;
    if (read(errpipe[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;
    close(errpipe[0]);

    snprintf(response, sizeof response,
             "exit=%d signal=%d wall_us=%lld utime_us=%lld stime_us=%lld maxrss_kb=%ld wall_limit=%d "
             "killed=%d exec_errno=%d",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
             wall, ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
             ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec, ru.ru_maxrss, wall_limit, killed,
             exec_errno);
    send(CONTROL_FD, response, strlen(response), 0);
}

/*
 * Launcher mode, run by the host as root: runner --launch UID FD[,FD...] -- bwrap ARGS...
 * Joins the slot's cgroups (writing "0" to cgroup.procs files the host opened), drops to the
 * slot's uid and execs bubblewrap. Doing this here, not in a Python preexec_fn, keeps the
 * host's threads safe.
 */
static int launch(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[4], "--") != 0) return 125;
    uid_t uid = (uid_t)strtoul(argv[2], 0, 10);
    for (char *fd = strtok(argv[3], ","); fd; fd = strtok(NULL, ",")) {
        int n = atoi(fd);
        if (n >= 0 && write(n, "0", 1) != 1) {
            perror("verdict launcher: cannot join the cgroup");
            return 125;
        }
        if (n >= 0) close(n);
    }
    if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) {
        perror("verdict launcher: cannot switch to the slot uid");
        return 125;
    }
    execvp(argv[5], argv + 5);
    perror("verdict launcher: cannot run bwrap");
    return 127;
}

/* "ready", with the box's directory fd: the host's only way to the box's files. */
static int send_ready(void) {
    int box = open("/box", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (box < 0) return -1;
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {"ready", 5};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &box, sizeof(int));
    ssize_t sent = sendmsg(CONTROL_FD, &msg, 0);
    close(box);
    return sent < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    static char buf[MAX_MSG];
    if (argc > 1 && strcmp(argv[1], "--launch") == 0) return launch(argc, argv);
    if (argc > 1) CONTROL_FD = atoi(argv[1]);
    signal(SIGPIPE, SIG_IGN);
    fcntl(CONTROL_FD, F_SETFD, FD_CLOEXEC); /* the program must never reach the host */
    /* No program of the sandbox's uid may ptrace the runner or take its descriptors. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return 1;
    if (send_ready() < 0) return 1;
    for (;;) {
        int fds[3] = {-1, -1, -1}, nfds = 0;
        int len = receive(buf, fds, &nfds);
        if (len < 0) return 0;
        if (strncmp(buf, "run", 4) == 0 && nfds == 3) {
            run(buf, len, fds);
        } else {
            for (int i = 0; i < nfds; i++) close(fds[i]);
            if (strcmp(buf, "kill") != 0) send(CONTROL_FD, "error=bad request", 17, 0);
        }
    }
}
