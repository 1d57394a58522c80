#include "Game.hh"

#include <getopt.h>

namespace {

void help (char** argv) {
  cout << "Usage: " << argv[0] << " [options] player1 player2 player3 player4 [< default.cnf] [> match.out]" << endl
       << "Available options:" << endl
       << "--seed=seed     -s seed      set random seed (required)" << endl
       << "--input=file    -i input     set input file  (default: stdin)" << endl
       << "--output=file   -o output    set output file (default: stdout)" << endl
       << "--list          -l           list registered players" << endl
       << "--version       -v           print version" << endl
       << "--help          -h           print help" << endl;
}

}

int main (int argc, char** argv) {
  if (argc == 1) {
    help(argv);
    return EXIT_SUCCESS;
  }

  struct option long_options[] = {
    { "seed",    required_argument, 0, 's' },
    { "input",   required_argument, 0, 'i' },
    { "output",  required_argument, 0, 'o' },
    { "list",    no_argument,       0, 'l' },
    { "version", no_argument,       0, 'v' },
    { "help",    no_argument,       0, 'h' },
    { 0, 0, 0, 0 }
  };

  char* ifile = 0;
  char* ofile = 0;
  int seed = -1;
  vector<string> names;

  while (true) {
    int index = 0;
    int c = getopt_long(argc, argv, "s:i:o:lvh", long_options, &index);
    if (c == -1) break;
    switch (c) {
      case 's': seed = string_to_int(optarg); break;
      case 'i': ifile = optarg; break;
      case 'o': ofile = optarg; break;
      case 'l': Registry::print_players(cout); return EXIT_SUCCESS;
      case 'v': cout << Settings::version() << endl; return EXIT_SUCCESS;
      case 'h': help(argv); return EXIT_SUCCESS;
      default: return EXIT_FAILURE;
    }
  }
  while (optind < argc) names.push_back(argv[optind++]);

  _my_assert(seed >= 0, "Missing seed (-s)?");

  ifstream ifs;
  ofstream ofs;
  if (ifile) { ifs.open(ifile); _my_assert(ifs, string("Cannot open ") + ifile + "."); }
  if (ofile) { ofs.open(ofile); _my_assert(ofs, string("Cannot open ") + ofile + "."); }
  Game::run(names, ifile ? ifs : cin, ofile ? static_cast<ostream&>(ofs) : cout, seed);
  return EXIT_SUCCESS;
}
