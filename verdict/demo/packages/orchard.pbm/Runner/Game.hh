#ifndef Game_hh
#define Game_hh

#include "Board.hh"
#include "Player.hh"
#include "Registry.hh"

/**
 * The plain form: all four players linked into one program, playing in turn.
 */
class Game {

public:

  /** Plays a match of the named players; writes the match file to os. */
  static void run (const vector<string>& names, istream& is, ostream& os, int seed);
};

#endif
