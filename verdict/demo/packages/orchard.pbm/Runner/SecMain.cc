#include "SecGame.hh"

#include <getopt.h>

namespace {

void help (char** argv) {
  cout << "Usage: " << argv[0] << " [options] player1 player2 player3 player4 [< default.cnf] [> match.out]" << endl
       << "   or: " << argv[0] << " -s seed -p number name board_fifo action_fifo   (a player)" << endl
       << "Available options:" << endl
       << "--seed=seed     -s seed      set random seed (required)" << endl
       << "--player=pl     -p player    run as player number pl (child)" << endl
       << "--input=file    -i input     set input file  (default: stdin)" << endl
       << "--output=file   -o output    set output file (default: stdout)" << endl
       << "--result=file   -r result    set result file (default: stderr)" << endl
       << "--fifos=dir     -f dir       players are started by someone else on dir/<n>.brd, dir/<n>.act" << endl
       << "--timeout=secs  -t secs      wall-clock seconds a player has for each answer" << endl
       << "--wait=secs     -w secs      wall-clock seconds the players have to open their fifos" << endl
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
    { "player",  required_argument, 0, 'p' },
    { "seed",    required_argument, 0, 's' },
    { "input",   required_argument, 0, 'i' },
    { "output",  required_argument, 0, 'o' },
    { "result",  required_argument, 0, 'r' },
    { "fifos",   required_argument, 0, 'f' },
    { "timeout", required_argument, 0, 't' },
    { "wait",    required_argument, 0, 'w' },
    { "list",    no_argument,       0, 'l' },
    { "version", no_argument,       0, 'v' },
    { "help",    no_argument,       0, 'h' },
    { 0, 0, 0, 0 }
  };

  int player = -1;
  char* ifile = 0;
  char* ofile = 0;
  char* rfile = 0;
  string fifo_dir;
  double timeout = 2 * TIME_LIMIT;
  double start_timeout = START_TIMEOUT;
  int seed = -1;
  vector<string> args;

  while (true) {
    int index = 0;
    int c = getopt_long(argc, argv, "p:s:i:o:r:f:t:w:lvh", long_options, &index);
    if (c == -1) break;
    switch (c) {
      case 'p': player = string_to_int(optarg); break;
      case 's': seed = string_to_int(optarg); break;
      case 'i': ifile = optarg; break;
      case 'o': ofile = optarg; break;
      case 'r': rfile = optarg; break;
      case 'f': fifo_dir = optarg; break;
      case 't': timeout = atof(optarg); break;
      case 'w': start_timeout = atof(optarg); break;
      case 'l': Registry::print_players(cout); return EXIT_SUCCESS;
      case 'v': cout << Settings::version() << endl; return EXIT_SUCCESS;
      case 'h': help(argv); return EXIT_SUCCESS;
      default: return EXIT_FAILURE;
    }
  }
  while (optind < argc) args.push_back(argv[optind++]);

  _my_assert(seed >= 0, "Missing seed (-s)?");
  _my_assert(timeout > 0, "The timeout (-t) must be positive.");
  _my_assert(start_timeout > 0, "The wait (-w) must be positive.");

  if (player == -1) { // master
    ifstream ifs;
    ofstream ofs, rfs;
    if (ifile) { ifs.open(ifile); _my_assert(ifs, string("Cannot open ") + ifile + "."); }
    if (ofile) { ofs.open(ofile); _my_assert(ofs, string("Cannot open ") + ofile + "."); }
    if (rfile) { rfs.open(rfile); _my_assert(rfs, string("Cannot open ") + rfile + "."); }
    SecGame::run_master(args, ifile ? ifs : cin,
                        ofile ? static_cast<ostream&>(ofs) : cout,
                        rfile ? static_cast<ostream&>(rfs) : cerr,
                        seed, fifo_dir, timeout, start_timeout);
  }
  else { // child
    _my_assert(args.size() == 3, "Wrong number of parameters: name board_fifo action_fifo.");
    SecGame::run_child(player, args[0], args[1], args[2], seed);
  }
  return EXIT_SUCCESS;
}
