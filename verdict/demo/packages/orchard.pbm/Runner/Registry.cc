#include "Registry.hh"

namespace {

map<string, Registry::Factory>& registry () {
  static map<string, Registry::Factory> r;
  return r;
}

}

int Registry::Register (const char* name, Factory factory) {
  registry()[name] = factory;
  return 999;
}

Player* Registry::new_player (const string& name) {
  auto it = registry().find(name);
  _my_assert(it != registry().end(), "Player " + name + " not registered.");
  return (it->second)();
}

void Registry::print_players (ostream& os) {
  for (const auto& it : registry()) os << it.first << endl;
}
