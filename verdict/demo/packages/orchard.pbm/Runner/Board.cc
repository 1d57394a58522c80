#include "Board.hh"

Board::Board (istream& is, int seed) {
  *static_cast<Settings*>(this) = Settings::read_settings(is);
  names_ = vector<string>(nb_players());
  rng_.set_random_seed(seed);
  clear_state();
  generate();
}

void Board::generate () {
  // Walls only on cells whose row and column are both odd ("pillars"), so
  // that every free cell stays reachable; drawn on the top-left quarter and
  // mirrored, so that the four corners are alike.
  for (int i = 1; i <= rows() / 2; i += 2)
    for (int j = 1; j <= cols() / 2; j += 2)
      if (rng_.random(0, 99) < wall_percent()) {
        grid_[i][j].type = Wall;
        grid_[rows() - 1 - i][j].type = Wall;
        grid_[i][cols() - 1 - j].type = Wall;
        grid_[rows() - 1 - i][cols() - 1 - j].type = Wall;
      }

  // Player 0 starts at the top-left corner, then clockwise.
  const Pos offsets[] = { {0, 0}, {0, 1}, {1, 0}, {0, 2}, {2, 0}, {0, 3}, {3, 0} };
  for (int pl = 0; pl < nb_players(); ++pl)
    for (int k = 0; k < nb_units(); ++k) {
      Pos o = offsets[k];
      Pos p = o;
      if (pl == 1) p = Pos(o.i, cols() - 1 - o.j);
      if (pl == 2) p = Pos(rows() - 1 - o.i, cols() - 1 - o.j);
      if (pl == 3) p = Pos(rows() - 1 - o.i, o.j);
      int id = int(units_.size());
      units_.push_back(Unit(id, pl, p));
      grid_[p.i][p.j].unit = id;
    }

  for (int f = 0; f < nb_fruits(); ++f) spawn_fruit();
}

void Board::spawn_fruit () {
  vector<Pos> candidates;
  for (int i = 0; i < rows(); ++i)
    for (int j = 0; j < cols(); ++j) {
      const Cell& c = grid_[i][j];
      if (c.type == Empty and c.fruit == 0 and c.unit == -1) candidates.push_back(Pos(i, j));
    }
  if (candidates.empty()) return;
  Pos p = candidates[rng_.random(0, int(candidates.size()) - 1)];
  grid_[p.i][p.j].fruit = rng_.random(0, 99) < gold_percent() ? gold_value() : 1;
}

void Board::next (const vector<Action>& actions, ostream& os) {
  // Validation: each player may order its own units only, once each.
  vector<Dir> order(units_.size(), Stay);
  vector<bool> given(units_.size(), false);
  for (int pl = 0; pl < nb_players(); ++pl) {
    int ignored = 0;
    for (const auto& o : actions[pl].orders_) {
      int id = o.first;
      if (id < 0 or id >= int(units_.size()) or units_[id].player != pl or given[id]) {
        ++ignored;
        continue;
      }
      given[id] = true;
      order[id] = o.second;
    }
    if (ignored > 0) cerr << "info: ignored " << ignored << " invalid order(s) of player " << pl << endl;
  }

  // Moves, in a random order: a unit steps if the target is free then.
  vector<string> moves;
  for (int id : rng_.random_permutation(int(units_.size()))) {
    if (order[id] == Stay) continue;
    Unit& u = units_[id];
    Pos to = u.pos + order[id];
    if (not is_free(to)) continue;
    grid_[u.pos.i][u.pos.j].unit = -1;
    grid_[to.i][to.j].unit = id;
    u.pos = to;
    moves.push_back(int_to_string(id) + " " + dir_to_char(order[id]));
  }
  os << "moves " << moves.size() << endl;
  for (const string& m : moves) os << m << endl;

  // Harvest, then new fruits.
  int eaten = 0;
  for (const Unit& u : units_) {
    Cell& c = grid_[u.pos.i][u.pos.j];
    if (c.fruit > 0) {
      scores_[u.player] += c.fruit;
      c.fruit = 0;
      ++eaten;
    }
  }
  for (int f = 0; f < eaten; ++f) spawn_fruit();
  ++round_;
}

void Board::print_names (ostream& os) const {
  os << "names";
  for (const string& n : names_) os << " " << n;
  os << endl << endl;
}

void Board::print_results () const {
  int best = -1;
  for (int pl = 0; pl < nb_players(); ++pl) {
    cerr << "info: player " << name(pl) << " got score " << score(pl) << endl;
    best = max(best, score(pl));
  }
  cerr << "info: player(s)";
  for (int pl = 0; pl < nb_players(); ++pl)
    if (score(pl) == best) cerr << " " << name(pl);
  cerr << " got top score" << endl;
}
