#ifndef Utils_hh
#define Utils_hh

// Includes and small helpers shared by every part of the game.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace std;

/**
 * Stops the program with a message when cond is false (the game's own assert,
 * active whatever NDEBUG says).
 */
#define _my_assert(cond, msg) \
  if (not (cond)) { cerr << "error: " << (msg) << endl; exit(EXIT_FAILURE); }

inline int string_to_int (const string& s) {
  istringstream iss(s);
  int i = 0;
  iss >> i;
  return i;
}

inline string int_to_string (int i) {
  ostringstream oss;
  oss << i;
  return oss.str();
}

#endif
