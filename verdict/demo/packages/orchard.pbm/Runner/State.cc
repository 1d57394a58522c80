#include "State.hh"

// All of State is inline.
