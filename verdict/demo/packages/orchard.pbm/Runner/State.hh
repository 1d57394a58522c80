#ifndef State_hh
#define State_hh

#include "Structs.hh"

/**
 * The state of a match after a round: what changes from round to round.
 */
class State {

  friend class Info;
  friend class Board;
  friend class Game;
  friend class SecGame;
  friend class Player;

  int round_;
  vector< vector<Cell> > grid_;
  vector<Unit> units_;      // indexed by unit id
  vector<int> scores_;      // indexed by player
  vector<double> stats_;    // -1: dead; otherwise the share of the CPU budget used

public:

  /** The current round (0 before the first one). */
  int round () const { return round_; }

  /** The cell at p (p must be inside the board). */
  const Cell& cell (Pos p) const { return grid_[p.i][p.j]; }

  /** The cell at (i, j) (inside the board). */
  const Cell& cell (int i, int j) const { return grid_[i][j]; }

  /** The unit with this id (0 <= id < 4 * nb_units()). */
  const Unit& unit (int id) const { return units_[id]; }

  /** The score of player pl. */
  int score (int pl) const { return scores_[pl]; }

  /**
   * The status of player pl: -1 if dead; otherwise, in the secure form run by
   * SecGame's own processes, the share of its CPU budget used (0 in the
   * plain Game and when the players are started by an outside runner).
   */
  double status (int pl) const { return stats_[pl]; }
};

#endif
