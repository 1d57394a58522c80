#include "SecGame.hh"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// An answer longer than this is a flood: the player is dead.
const size_t MAX_ANSWER = 64 * 1024;

double now () {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int millis_until (double deadline) {
  double left = deadline - now();
  return left <= 0 ? 0 : int(left * 1000) + 1;
}

string fifo (const string& dir, int pl, bool board) {
  return dir + "/" + int_to_string(pl) + (board ? ".brd" : ".act");
}

void make_fifo (const string& path) {
  if (mkfifo(path.c_str(), 0600) != 0) {
    _my_assert(errno == EEXIST, "In mkfifo(" + path + "): " + strerror(errno));
  }
}

// A stream buffer that drops everything: a player's standard output.
class NullBuffer : public streambuf {
protected:
  int overflow (int c) override { return c == EOF ? 0 : c; }
  streamsize xsputn (const char*, streamsize n) override { return n; }
};

}

pid_t SecGame::start_player (const string& name, int pl, int seed, const string& brd, const string& act) {
  pid_t pid = fork();
  _my_assert(pid >= 0, "In fork().");
  if (pid > 0) return pid;

  // Child: limits first, then exec, as Jutge's master does.
  struct rlimit cpu;
  cpu.rlim_cur = rlim_t(ceil(TIME_LIMIT));
  cpu.rlim_max = cpu.rlim_cur + 1;
  setrlimit(RLIMIT_CPU, &cpu);
  struct rlimit core = { 0, 0 };
  setrlimit(RLIMIT_CORE, &core);

  string exe = "./AI" + name + ".exe";
  string s = int_to_string(seed), p = int_to_string(pl);
  const char* argv[] = { exe.c_str(), "-s", s.c_str(), "-p", p.c_str(), name.c_str(),
                         brd.c_str(), act.c_str(), 0 };
  execv(argv[0], const_cast<char* const*>(argv));
  cerr << "error: cannot execute " << exe << ": " << strerror(errno) << endl;
  _exit(127);
}

void SecGame::connect (Peer& p, const string& brd, const string& act, double deadline) {
  // The action FIFO first: opening it for reading without blocking never
  // waits. Then the board FIFO for writing, which succeeds once the player
  // has opened it for reading (it does so first, then its action FIFO).
  p.act = open(act.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  _my_assert(p.act >= 0, "Cannot open " + act + ": " + strerror(errno));
  while (true) {
    p.brd = open(brd.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (p.brd >= 0) return;
    _my_assert(errno == ENXIO or errno == EINTR, "Cannot open " + brd + ": " + strerror(errno));
    if (p.pid > 0 and waitpid(p.pid, 0, WNOHANG) == p.pid) { p.pid = -1; return; }
    if (now() >= deadline) return;
    usleep(2000);
  }
}

void SecGame::mark_dead (Board& b, vector<Peer>& peers, int pl, const string& why) {
  Peer& p = peers[pl];
  if (p.dead) return;
  cerr << "info: player " << b.name(pl) << " (" << pl << ") is dead: " << why << endl;
  p.dead = true;
  b.stats_[pl] = -1;
  if (p.brd >= 0) close(p.brd);
  if (p.act >= 0) close(p.act);
  p.brd = p.act = -1;
  if (p.pid > 0) {
    kill(p.pid, SIGKILL);
    waitpid(p.pid, 0, 0);
    p.pid = -1;
  }
}

bool SecGame::write_all (int fd, const string& data, double deadline) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n > 0) { done += size_t(n); continue; }
    if (n < 0 and errno == EINTR) continue;
    if (n < 0 and errno != EAGAIN) return false;        // EPIPE: the player closed its board
    struct pollfd pfd = { fd, POLLOUT, 0 };
    int r = poll(&pfd, 1, millis_until(deadline));
    if (r == 0) return false;                           // the player does not read
    if (r > 0 and (pfd.revents & (POLLERR | POLLHUP))) return false;
  }
  return true;
}

bool SecGame::read_answer (Peer& p, double deadline, string& answer, string& why) {
  size_t scanned = 0;
  while (true) {
    // An answer ends with the line "-1".
    for (size_t i = scanned; i + 3 <= p.pending.size(); ++i) {
      if ((i == 0 or p.pending[i - 1] == '\n') and p.pending.compare(i, 3, "-1\n") == 0) {
        answer = p.pending.substr(0, i + 3);
        p.pending.erase(0, i + 3);
        return true;
      }
    }
    scanned = p.pending.size() >= 3 ? p.pending.size() - 3 : 0;
    if (p.pending.size() > MAX_ANSWER) { why = "answer longer than " + int_to_string(MAX_ANSWER) + " bytes"; return false; }

    struct pollfd pfd = { p.act, POLLIN, 0 };
    int ms = millis_until(deadline);
    int r = poll(&pfd, 1, ms);
    if (r < 0 and errno == EINTR) continue;
    if (r == 0) { why = "no answer in time"; return false; }
    char buf[65536];
    ssize_t n = read(p.act, buf, sizeof buf);
    if (n > 0) { p.pending.append(buf, size_t(n)); continue; }
    if (n < 0 and (errno == EAGAIN or errno == EINTR)) {
      if (ms == 0) { why = "no answer in time"; return false; }
      continue;
    }
    why = "closed its pipe";
    return false;
  }
}

double SecGame::cpu_time (pid_t pid) {
  ifstream ifs("/proc/" + int_to_string(pid) + "/stat");
  string all((istreambuf_iterator<char>(ifs)), istreambuf_iterator<char>());
  size_t close_paren = all.rfind(')');
  if (close_paren == string::npos) return 0;
  istringstream iss(all.substr(close_paren + 2));
  // Fields after the command name: state is field 3; utime and stime are 14 and 15.
  vector<string> f(13);
  for (auto& x : f) iss >> x;
  long utime = string_to_int(f[11]), stime = string_to_int(f[12]);
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

void SecGame::run_master (const vector<string>& names, istream& is, ostream& os, ostream& rs,
                          int seed, const string& fifo_dir, double timeout, double start_timeout) {
  cerr << "info: seed " << seed << endl;
  cerr << "info: loading game" << endl;
  Board b(is, seed);
  cerr << "info: loaded game" << endl;

  int np = b.nb_players();
  _my_assert(int(names.size()) == np, "Wrong number of players.");
  for (int pl = 0; pl < np; ++pl) b.names_[pl] = names[pl];

  signal(SIGPIPE, SIG_IGN);

  bool own = fifo_dir.empty();
  string dir = fifo_dir;
  if (own) {
    char tmpl[] = "/tmp/game-XXXXXX";
    _my_assert(mkdtemp(tmpl), "In mkdtemp().");
    dir = tmpl;
  }
  cerr << "info: fifos in " << dir << (own ? "" : " (players started outside)") << endl;
  for (int pl = 0; pl < np; ++pl) {
    make_fifo(fifo(dir, pl, true));
    make_fifo(fifo(dir, pl, false));
  }

  vector<Peer> peers(np);
  if (own)
    for (int pl = 0; pl < np; ++pl)
      peers[pl].pid = start_player(names[pl], pl, seed, fifo(dir, pl, true), fifo(dir, pl, false));

  double start_deadline = now() + start_timeout;
  for (int pl = 0; pl < np; ++pl) {
    connect(peers[pl], fifo(dir, pl, true), fifo(dir, pl, false), start_deadline);
    if (peers[pl].brd < 0) mark_dead(b, peers, pl, "did not open its pipes");
  }

  os << "SecGame" << endl << endl;
  os << "Seed " << seed << endl << endl;
  b.print_settings(os);
  os << endl;
  b.print_names(os);
  b.print_state(os);

  ostringstream settings;
  b.print_settings(settings);
  for (int pl = 0; pl < np; ++pl)
    if (not peers[pl].dead and not write_all(peers[pl].brd, settings.str(), now() + timeout))
      mark_dead(b, peers, pl, "does not read its board");

  for (int round = 0; round < b.nb_rounds(); ++round) {
    cerr << "info: start round " << round << endl;
    vector<Action> actions(np);
    for (int pl = 0; pl < np; ++pl) {
      Peer& p = peers[pl];
      if (p.dead) continue;
      if (p.pid > 0 and cpu_time(p.pid) >= TIME_LIMIT) { mark_dead(b, peers, pl, "out of CPU time"); continue; }

      ostringstream board;
      board << "go" << endl;
      b.print_state(board);
      double start = now();
      double deadline = start + timeout;
      string answer, why;
      if (not write_all(p.brd, board.str(), deadline)) { mark_dead(b, peers, pl, "does not read its board"); continue; }
      bool ok = read_answer(p, deadline, answer, why);
      p.wall += now() - start;
      if (not ok) { mark_dead(b, peers, pl, why); continue; }
      actions[pl] = Action::parse(answer);

      if (p.pid > 0) {
        double t = cpu_time(p.pid);
        b.stats_[pl] = min(1.0, t / TIME_LIMIT);
        if (t >= TIME_LIMIT) mark_dead(b, peers, pl, "out of CPU time");
      }
    }
    b.next(actions, os);
    b.print_state(os);
    cerr << "info: end round " << round << endl;
  }

  for (int pl = 0; pl < np; ++pl) {
    Peer& p = peers[pl];
    if (p.brd >= 0) close(p.brd);
    if (p.act >= 0) close(p.act);
    if (p.pid > 0) {
      kill(p.pid, SIGKILL);
      waitpid(p.pid, 0, 0);
    }
  }
  if (own) {
    for (int pl = 0; pl < np; ++pl) {
      unlink(fifo(dir, pl, true).c_str());
      unlink(fifo(dir, pl, false).c_str());
    }
    rmdir(dir.c_str());
  }

  b.print_results();
  for (int pl = 0; pl < np; ++pl)
    cerr << "info: player " << b.name(pl) << " ended with status " << fixed << setprecision(3)
         << b.status(pl) << " after " << peers[pl].wall << " s waiting" << endl;
  for (int pl = 0; pl < np; ++pl)
    rs << b.name(pl) << " " << fixed << setprecision(3) << b.status(pl) << " " << b.score(pl) << endl;
  cerr << "info: game played" << endl;
}

void SecGame::run_child (int pl, const string& name, const string& brd_pipe,
                         const string& act_pipe, int seed) {
  _my_assert(name.size() <= 12, "Player name too long.");

  // What a player writes to its standard output goes nowhere.
  static NullBuffer null;
  cout.rdbuf(&null);

  ifstream brd(brd_pipe);
  _my_assert(brd, "Cannot open the board pipe " + brd_pipe + ".");
  ofstream act(act_pipe);
  _my_assert(act, "Cannot open the action pipe " + act_pipe + ".");

  Player* player = Registry::new_player(name);
  player->me_ = pl;
  player->set_random_seed(seed + pl + 1);
  *static_cast<Settings*>(player) = Settings::read_settings(brd);

  string s;
  while (brd >> s) {
    _my_assert(s == "go", "Expected 'go' while reading the board.");
    player->reset(brd);
    player->play();
    static_cast<const Action&>(*player).print(act);
    if (not act) break;
  }
  delete player;
}
