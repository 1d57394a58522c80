#ifndef Info_hh
#define Info_hh

#include "Settings.hh"
#include "State.hh"

/**
 * All a player can know: the settings and the current state, with a few
 * helpers to query them.
 */
class Info : public Settings, public State {

  friend class Game;
  friend class SecGame;

public:

  using Settings::pos_ok;

  /** Whether p is inside the board. */
  bool pos_ok (Pos p) const { return Settings::pos_ok(p.i, p.j); }

  /** Whether a unit could step onto p now: inside, not a wall, no unit on it. */
  bool is_free (Pos p) const { return pos_ok(p) and cell(p).type != Wall and cell(p).unit == -1; }

  /** The ids of the units of player pl, in increasing order. */
  vector<int> units (int pl) const;

  /** The positions of all the fruits, row by row. */
  vector<Pos> fruits () const;

  /** Writes the state in the format of the match file and of the board FIFO. */
  void print_state (ostream& os) const;

  /** Reads a state written by print_state (the settings must be set). */
  void read_state (istream& is);

  /** Makes an empty state for the settings (round 0, no walls, no fruits, no units). */
  void clear_state ();
};

#endif
