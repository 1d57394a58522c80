#ifndef Registry_hh
#define Registry_hh

#include "Utils.hh"

class Player;

/**
 * Players register themselves by name (RegisterPlayer) so that Game can
 * build them from the names on its command line.
 */
class Registry {

public:

  typedef Player* (*Factory) ();

  static int Register (const char* name, Factory factory);

  static Player* new_player (const string& name);

  static void print_players (ostream& os);
};

#define _stringification(s) #s
#define _stringify(s) _stringification(s)
#define RegisterPlayer(x) static int registration = Registry::Register(_stringify(x), x::factory)

#endif
