#ifndef Action_hh
#define Action_hh

#include "Structs.hh"

/**
 * The orders a player gives in one round: a direction for some of its units.
 */
class Action {

  friend class Board;
  friend class Game;
  friend class SecGame;
  friend class Player;

  // The orders in the order they were given. The referee keeps, for each
  // unit, the first order only, and ignores orders for units of others.
  vector< pair<int, Dir> > orders_;

public:

  /** Orders unit id to take one step in direction d (Stay: stay). */
  void move (int id, Dir d) { orders_.push_back(make_pair(id, d)); }

  /** Forgets the orders given so far this round. */
  void clear () { orders_.clear(); }

  /** The number of orders given so far this round. */
  int nb_orders () const { return int(orders_.size()); }

  /**
   * Writes the orders as the action FIFO carries them: one line "<id> <dir>"
   * per order (dir one of u d l r s), then a line "-1".
   */
  void print (ostream& os) const;

  /**
   * Reads orders written by print (up to the "-1" line). Malformed lines are
   * skipped: the referee validates what is left.
   */
  static Action parse (const string& text);
};

#endif
