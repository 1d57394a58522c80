#include "Player.hh"

void Player::reset (const Info& info) {
  *static_cast<Info*>(this) = info;
  Action::clear();
}

void Player::reset (istream& is) {
  read_state(is);
  Action::clear();
}
