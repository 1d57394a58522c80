#ifndef SecGame_hh
#define SecGame_hh

#include "Board.hh"
#include "Player.hh"
#include "Registry.hh"

#include <sys/types.h>

/**
 * The CPU time (seconds) a player may use in a whole match when SecGame
 * starts the players itself. With outside-started players (--fifos) the
 * outside runner enforces it.
 */
const double TIME_LIMIT = 1.0;

/** The seconds the master waits, by default, for all the players to open their FIFOs. */
const double START_TIMEOUT = 10.0;

/**
 * The secure form: the master (the referee, SecGame) and one process per
 * player (AI<Name>.exe), connected by a pair of FIFOs per player.
 */
class SecGame {

  struct Peer {
    int brd = -1;       // the master writes the board here
    int act = -1;       // and reads the player's action here
    pid_t pid = -1;     // -1 when the player is started by someone else
    string pending;     // bytes read but not used yet
    double wall = 0;    // wall-clock seconds spent waiting for answers
    bool dead = false;
  };

  static void connect (Peer& p, const string& brd, const string& act, double deadline);
  static void mark_dead (Board& b, vector<Peer>& peers, int pl, const string& why);
  static bool write_all (int fd, const string& data, double deadline);
  static bool read_answer (Peer& p, double deadline, string& answer, string& why);
  static double cpu_time (pid_t pid);
  static pid_t start_player (const string& name, int pl, int seed, const string& brd, const string& act);

public:

  /**
   * Plays a match as the master. When fifo_dir is empty, the master makes
   * the FIFOs in a temporary folder and starts ./AI<name>.exe itself, with
   * a CPU limit of TIME_LIMIT; otherwise the players are started by an
   * outside runner on fifo_dir/<n>.brd and fifo_dir/<n>.act. Either way, a
   * player that closes its pipes or gives no answer within timeout seconds
   * of wall-clock time is dead for the rest of the match; so is one that has not opened its
   * FIFOs start_timeout seconds after the start.
   */
  static void run_master (const vector<string>& names, istream& is, ostream& os, ostream& rs,
                          int seed, const string& fifo_dir, double timeout, double start_timeout);

  /** Plays as player number pl in its own process. */
  static void run_child (int pl, const string& name, const string& brd_pipe,
                         const string& act_pipe, int seed);
};

#endif
