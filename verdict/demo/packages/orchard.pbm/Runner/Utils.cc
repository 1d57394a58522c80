#include "Utils.hh"

// Nothing to compile: every helper is inline. The file exists so that the
// Makefile's object list is the same as in every Jutge game.
