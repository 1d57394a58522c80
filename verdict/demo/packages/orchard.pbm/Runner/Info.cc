#include "Info.hh"

vector<int> Info::units (int pl) const {
  vector<int> r;
  for (const Unit& u : units_) if (u.player == pl) r.push_back(u.id);
  return r;
}

vector<Pos> Info::fruits () const {
  vector<Pos> r;
  for (int i = 0; i < rows(); ++i)
    for (int j = 0; j < cols(); ++j)
      if (grid_[i][j].fruit > 0) r.push_back(Pos(i, j));
  return r;
}

void Info::clear_state () {
  round_ = 0;
  grid_ = vector< vector<Cell> >(rows(), vector<Cell>(cols()));
  units_.clear();
  scores_ = vector<int>(nb_players(), 0);
  stats_ = vector<double>(nb_players(), 0.0);
}

void Info::print_state (ostream& os) const {
  os << "round " << round_ << endl;
  os << "score";
  for (int s : scores_) os << " " << s;
  os << endl;
  os << "status";
  for (double s : stats_) os << " " << fixed << setprecision(3) << s;
  os << endl;
  os << "grid" << endl;
  for (int i = 0; i < rows(); ++i) {
    for (int j = 0; j < cols(); ++j) {
      const Cell& c = grid_[i][j];
      if (c.type == Wall) os << '#';
      else if (c.fruit == 0) os << '.';
      else if (c.fruit == 1) os << 'o';
      else os << '*';
    }
    os << endl;
  }
  os << "units " << units_.size() << endl;
  for (const Unit& u : units_) os << u.id << " " << u.player << " " << u.pos.i << " " << u.pos.j << endl;
  os << endl;
}

void Info::read_state (istream& is) {
  string s;
  clear_state();
  is >> s >> round_;
  _my_assert(is and s == "round", "Expected 'round' while reading the state.");
  is >> s;
  _my_assert(s == "score", "Expected 'score' while reading the state.");
  for (int& x : scores_) is >> x;
  is >> s;
  _my_assert(s == "status", "Expected 'status' while reading the state.");
  for (double& x : stats_) is >> x;
  is >> s;
  _my_assert(s == "grid", "Expected 'grid' while reading the state.");
  for (int i = 0; i < rows(); ++i) {
    is >> s;
    _my_assert(int(s.size()) == cols(), "Wrong grid line while reading the state.");
    for (int j = 0; j < cols(); ++j) {
      Cell& c = grid_[i][j];
      if (s[j] == '#') c.type = Wall;
      else if (s[j] == 'o') c.fruit = 1;
      else if (s[j] == '*') c.fruit = gold_value();
    }
  }
  int n = 0;
  is >> s >> n;
  _my_assert(is and s == "units" and n >= 0, "Expected 'units' while reading the state.");
  units_ = vector<Unit>(n);
  for (Unit& u : units_) {
    is >> u.id >> u.player >> u.pos.i >> u.pos.j;
    _my_assert(is and pos_ok(u.pos), "Wrong unit while reading the state.");
    grid_[u.pos.i][u.pos.j].unit = u.id;
  }
}
