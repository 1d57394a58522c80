#include "Player.hh"

/**
 * The Dummy: every unit wanders at random, keeping its direction for a few
 * rounds. Hidden from students (handler.yml), who get Obj/AIDummy.o.Linux64.
 * A player qualifies by beating it.
 */

#define PLAYER_NAME Dummy

struct PLAYER_NAME : public Player {

  static Player* factory () {
    return new PLAYER_NAME;
  }

  vector<Dir> heading;

  void play () override {
    vector<int> mine = units(me());
    if (heading.empty()) heading = vector<Dir>(mine.size(), Stay);
    for (size_t k = 0; k < mine.size(); ++k) {
      const Unit& u = unit(mine[k]);
      // A fruit next to the unit is taken; otherwise keep going or turn.
      Dir next = heading[k];
      for (int d = 0; d < 4; ++d) {
        Pos p = u.pos + Dir(d);
        if (pos_ok(p) and cell(p).fruit > 0 and cell(p).unit == -1) next = Dir(d);
      }
      if (next == heading[k] and (not is_free(u.pos + next) or random(0, 3) == 0)) next = Dir(random(0, 3));
      heading[k] = next;
      move(u.id, next);
    }
  }
};

RegisterPlayer(PLAYER_NAME);
