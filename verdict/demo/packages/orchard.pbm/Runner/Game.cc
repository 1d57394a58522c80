#include "Game.hh"

void Game::run (const vector<string>& names, istream& is, ostream& os, int seed) {
  cerr << "info: seed " << seed << endl;
  cerr << "info: loading game" << endl;
  Board b(is, seed);
  cerr << "info: loaded game" << endl;

  int np = b.nb_players();
  _my_assert(int(names.size()) == np, "Wrong number of players.");

  vector<Player*> players;
  for (int pl = 0; pl < np; ++pl) {
    b.names_[pl] = names[pl];
    cerr << "info: loading player " << names[pl] << endl;
    players.push_back(Registry::new_player(names[pl]));
    players[pl]->me_ = pl;
    players[pl]->set_random_seed(seed + pl + 1);
  }
  cerr << "info: players loaded" << endl;

  os << "Game" << endl << endl;
  os << "Seed " << seed << endl << endl;
  b.print_settings(os);
  os << endl;
  b.print_names(os);
  b.print_state(os);

  for (int round = 0; round < b.nb_rounds(); ++round) {
    cerr << "info: start round " << round << endl;
    vector<Action> actions(np);
    for (int pl = 0; pl < np; ++pl) {
      players[pl]->reset(b);
      players[pl]->play();
      actions[pl] = *players[pl];
    }
    b.next(actions, os);
    b.print_state(os);
    cerr << "info: end round " << round << endl;
  }

  b.print_results();
  for (Player* p : players) delete p;
  cerr << "info: game played" << endl;
}
