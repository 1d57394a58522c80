#ifndef Settings_hh
#define Settings_hh

#include "Utils.hh"

/**
 * The settings of a match, read from the configuration file (default.cnf).
 * They never change during a match.
 */
class Settings {

  friend class Info;
  friend class Board;
  friend class Game;
  friend class SecGame;
  friend class Player;

  int nb_players_;
  int nb_rounds_;
  int rows_;
  int cols_;
  int nb_units_;
  int nb_fruits_;
  int gold_percent_;
  int gold_value_;
  int wall_percent_;

public:

  /** The name and version of the game: the first line of the settings. */
  static string version ();

  /** Number of players in a match (always 4). */
  int nb_players () const { return nb_players_; }

  /** Number of rounds of a match. */
  int nb_rounds () const { return nb_rounds_; }

  /** Number of rows of the board (odd). */
  int rows () const { return rows_; }

  /** Number of columns of the board (odd). */
  int cols () const { return cols_; }

  /** Number of units of each player. */
  int nb_units () const { return nb_units_; }

  /** Number of fruits on the board at the start of every round. */
  int nb_fruits () const { return nb_fruits_; }

  /** Chance, in percent, that a new fruit is golden. */
  int gold_percent () const { return gold_percent_; }

  /** Points of a golden fruit (an ordinary fruit is worth 1). */
  int gold_value () const { return gold_value_; }

  /** Chance, in percent, that a pillar cell is a wall. */
  int wall_percent () const { return wall_percent_; }

  /** Whether (i, j) is inside the board. */
  bool pos_ok (int i, int j) const { return i >= 0 and i < rows_ and j >= 0 and j < cols_; }

  /** Reads the settings in the format of default.cnf and checks them. */
  static Settings read_settings (istream& is);

  /** Writes the settings in the format of default.cnf. */
  void print_settings (ostream& os) const;
};

#endif
