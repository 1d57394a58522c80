#ifndef Player_hh
#define Player_hh

#include "Info.hh"
#include "Action.hh"
#include "Random.hh"
#include "Registry.hh"

/**
 * The base class of every player. A player derives from it, defines
 * play() and registers itself with RegisterPlayer(PLAYER_NAME).
 *
 * Inside play() a player reads the state through Info (round(), cell(),
 * unit(), units(), fruits(), score(), ...), gives orders through Action
 * (move(id, dir)) and may draw random numbers (random(l, u)), whose
 * sequence depends only on the match's seed and the player's number.
 */
class Player : public Info, public Action, public Random_generator {

  friend class Game;
  friend class SecGame;

  int me_;

  /** Sets the information of a new round and forgets the last orders. */
  void reset (const Info& info);

  /** The same, reading the state from the board FIFO (secure form). */
  void reset (istream& is);

public:

  Player () : me_(-1) { }

  virtual ~Player () { }

  /** My player number (0 to 3). */
  int me () const { return me_; }

  /** Called once per round: give the orders of this round. */
  virtual void play () = 0;
};

#endif
