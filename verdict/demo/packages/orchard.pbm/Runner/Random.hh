#ifndef Random_hh
#define Random_hh

#include "Utils.hh"

/**
 * A small random generator (splitmix64) whose sequence is the same on every
 * compiler and library, so that a match depends only on its seed.
 */
class Random_generator {

  uint64_t state_;

  uint64_t next ();

public:

  Random_generator () : state_(0x9e3779b97f4a7c15ULL) { }

  /** Restarts the sequence from seed s. */
  void set_random_seed (int s);

  /** Returns a random integer in [l, u] (l <= u). */
  int random (int l, int u);

  /** Returns true with probability p (0 <= p <= 1). */
  bool randomize (double p);

  /** Returns a random permutation of 0 .. n-1. */
  vector<int> random_permutation (int n);
};

#endif
