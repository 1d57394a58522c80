#include "Settings.hh"

string Settings::version () {
  return "Orchard v1";
}

namespace {

int read_field (istream& is, const string& name) {
  string s;
  int v = 0;
  is >> s >> v;
  _my_assert(is and s == name, "Expected '" + name + "' while parsing the settings.");
  return v;
}

}

Settings Settings::read_settings (istream& is) {
  Settings r;
  string s, v;

  // The version, compared word by word.
  istringstream vs(version());
  while (vs >> v) {
    is >> s;
    _my_assert(s == v, "Wrong game or version: expected '" + version() + "'.");
  }

  r.nb_players_   = read_field(is, "nb_players");
  r.nb_rounds_    = read_field(is, "nb_rounds");
  r.rows_         = read_field(is, "rows");
  r.cols_         = read_field(is, "cols");
  r.nb_units_     = read_field(is, "nb_units");
  r.nb_fruits_    = read_field(is, "nb_fruits");
  r.gold_percent_ = read_field(is, "gold_percent");
  r.gold_value_   = read_field(is, "gold_value");
  r.wall_percent_ = read_field(is, "wall_percent");

  _my_assert(r.nb_players_ == 4, "nb_players must be 4.");
  _my_assert(r.nb_rounds_ >= 1 and r.nb_rounds_ <= 10000, "nb_rounds must be in [1, 10000].");
  _my_assert(r.rows_ >= 9 and r.rows_ <= 61 and r.rows_ % 2 == 1, "rows must be odd, in [9, 61].");
  _my_assert(r.cols_ >= 9 and r.cols_ <= 61 and r.cols_ % 2 == 1, "cols must be odd, in [9, 61].");
  _my_assert(r.nb_units_ >= 1 and r.nb_units_ <= 7, "nb_units must be in [1, 7].");
  _my_assert(r.nb_fruits_ >= 1 and r.nb_fruits_ <= r.rows_ * r.cols_ / 4, "nb_fruits is out of range.");
  _my_assert(r.gold_percent_ >= 0 and r.gold_percent_ <= 100, "gold_percent must be in [0, 100].");
  _my_assert(r.gold_value_ >= 1 and r.gold_value_ <= 100, "gold_value must be in [1, 100].");
  _my_assert(r.wall_percent_ >= 0 and r.wall_percent_ <= 100, "wall_percent must be in [0, 100].");
  return r;
}

void Settings::print_settings (ostream& os) const {
  os << version() << endl
     << "nb_players "   << nb_players_   << endl
     << "nb_rounds "    << nb_rounds_    << endl
     << "rows "         << rows_         << endl
     << "cols "         << cols_         << endl
     << "nb_units "     << nb_units_     << endl
     << "nb_fruits "    << nb_fruits_    << endl
     << "gold_percent " << gold_percent_ << endl
     << "gold_value "   << gold_value_   << endl
     << "wall_percent " << wall_percent_ << endl;
}
