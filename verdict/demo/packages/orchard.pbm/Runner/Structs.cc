#include "Structs.hh"

char dir_to_char (Dir d) {
  static const char c[] = { 'u', 'd', 'l', 'r', 's' };
  return d >= Up and d < DirSize ? c[d] : '?';
}

Dir char_to_dir (char c) {
  switch (c) {
    case 'u': return Up;
    case 'd': return Down;
    case 'l': return Left;
    case 'r': return Right;
    case 's': return Stay;
    default:  return DirSize;
  }
}

Pos operator+ (const Pos& p, Dir d) {
  switch (d) {
    case Up:    return Pos(p.i - 1, p.j);
    case Down:  return Pos(p.i + 1, p.j);
    case Left:  return Pos(p.i, p.j - 1);
    case Right: return Pos(p.i, p.j + 1);
    default:    return p;
  }
}

ostream& operator<< (ostream& os, const Pos& p) {
  return os << "(" << p.i << ", " << p.j << ")";
}
