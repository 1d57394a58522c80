#include "Action.hh"

void Action::print (ostream& os) const {
  for (const auto& o : orders_) os << o.first << " " << dir_to_char(o.second) << "\n";
  os << "-1" << endl;
}

Action Action::parse (const string& text) {
  Action a;
  istringstream iss(text);
  string line;
  while (getline(iss, line)) {
    istringstream ls(line);
    int id;
    string d;
    if (not (ls >> id)) continue;
    if (id == -1) break;
    if (not (ls >> d) or d.size() != 1) continue;
    Dir dir = char_to_dir(d[0]);
    if (dir == DirSize) continue;
    a.orders_.push_back(make_pair(id, dir));
  }
  return a;
}
