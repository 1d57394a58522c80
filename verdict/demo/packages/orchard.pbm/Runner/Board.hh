#ifndef Board_hh
#define Board_hh

#include "Info.hh"
#include "Action.hh"
#include "Random.hh"

/**
 * The referee's board: the match's state plus what players never see
 * (the names and the board's own random generator). Hidden from students
 * (handler.yml, game.hide): they link Obj/Board.o.Linux64 instead.
 */
class Board : public Info {

  friend class Game;
  friend class SecGame;

  vector<string> names_;
  Random_generator rng_;

  void generate ();
  void spawn_fruit ();

public:

  /** Reads the settings from is and builds round 0 from the seed. */
  Board (istream& is, int seed);

  /** The name of player pl. */
  const string& name (int pl) const { return names_[pl]; }

  /**
   * Plays one round: validates the players' actions (invalid orders are
   * ignored), moves the units in a random order, collects the fruits and
   * spawns new ones. Writes the moves done to os.
   */
  void next (const vector<Action>& actions, ostream& os);

  /** Writes the line with the players' names. */
  void print_names (ostream& os) const;

  /** Writes "info: player <name> got score <n>" per player to stderr. */
  void print_results () const;
};

#endif
