#ifndef Structs_hh
#define Structs_hh

#include "Utils.hh"

/**
 * Directions a unit can be told to take.
 */
enum Dir { Up, Down, Left, Right, Stay, DirSize };

/** The character of a direction on the wire and in the match file (u d l r s). */
char dir_to_char (Dir d);

/** The direction of a character, or DirSize when the character means none. */
Dir char_to_dir (char c);

/**
 * A position on the board: row i (0 at the top), column j (0 at the left).
 */
struct Pos {
  int i, j;

  Pos () : i(0), j(0) { }
  Pos (int i, int j) : i(i), j(j) { }

  bool operator== (const Pos& p) const { return i == p.i and j == p.j; }
  bool operator!= (const Pos& p) const { return not (*this == p); }
  bool operator<  (const Pos& p) const { return i != p.i ? i < p.i : j < p.j; }
};

/** The position one step from p in direction d. */
Pos operator+ (const Pos& p, Dir d);

ostream& operator<< (ostream& os, const Pos& p);

/**
 * What a cell is made of.
 */
enum CellType { Empty, Wall };

/**
 * A cell: its type, the value of the fruit on it (0 if none)
 * and the id of the unit standing on it (-1 if none).
 */
struct Cell {
  CellType type;
  int fruit;
  int unit;

  Cell () : type(Empty), fruit(0), unit(-1) { }
};

/**
 * A unit (a picker): its id, its owner and its position.
 */
struct Unit {
  int id;
  int player;
  Pos pos;

  Unit () : id(-1), player(-1), pos() { }
  Unit (int id, int player, Pos pos) : id(id), player(player), pos(pos) { }
};

#endif
