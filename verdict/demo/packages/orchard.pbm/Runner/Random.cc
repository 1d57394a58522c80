#include "Random.hh"

uint64_t Random_generator::next () {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void Random_generator::set_random_seed (int s) {
  state_ = uint64_t(uint32_t(s)) * 0x2545f4914f6cdd1dULL + 0x9e3779b97f4a7c15ULL;
}

int Random_generator::random (int l, int u) {
  _my_assert(l <= u, "random(l, u) needs l <= u.");
  uint64_t span = uint64_t(int64_t(u) - int64_t(l) + 1);
  return int(int64_t(l) + int64_t(next() % span));
}

bool Random_generator::randomize (double p) {
  return double(next() >> 11) / double(1ULL << 53) < p;
}

vector<int> Random_generator::random_permutation (int n) {
  vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  for (int i = n - 1; i > 0; --i) swap(v[i], v[random(0, i)]);
  return v;
}
