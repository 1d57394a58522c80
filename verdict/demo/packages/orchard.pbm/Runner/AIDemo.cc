#include "Player.hh"

/**
 * The demo player: each unit walks, by a shortest path, to the fruit that
 * is best for it (value over distance), leaving to its teammates the fruits
 * it does not pick. Better than the Dummy; a start for your own player.
 */

#define PLAYER_NAME Demo

struct PLAYER_NAME : public Player {

  static Player* factory () {
    return new PLAYER_NAME;
  }

  // Distances from p to every cell (walls and other units block; -1 if unreachable)
  // and, for each cell, the first step from p on a shortest path to it.
  void bfs (Pos p, vector< vector<int> >& dist, vector< vector<Dir> >& first) {
    dist = vector< vector<int> >(rows(), vector<int>(cols(), -1));
    first = vector< vector<Dir> >(rows(), vector<Dir>(cols(), Stay));
    queue<Pos> q;
    dist[p.i][p.j] = 0;
    q.push(p);
    while (not q.empty()) {
      Pos c = q.front();
      q.pop();
      for (int d = 0; d < 4; ++d) {
        Pos n = c + Dir(d);
        if (not pos_ok(n) or cell(n).type == Wall or dist[n.i][n.j] != -1) continue;
        if (cell(n).unit != -1 and unit(cell(n).unit).player != me()) continue;
        dist[n.i][n.j] = dist[c.i][c.j] + 1;
        first[n.i][n.j] = c == p ? Dir(d) : first[c.i][c.j];
        q.push(n);
      }
    }
  }

  void play () override {
    set<Pos> taken;
    for (int id : units(me())) {
      const Unit& u = unit(id);
      vector< vector<int> > dist;
      vector< vector<Dir> > first;
      bfs(u.pos, dist, first);
      double best = -1;
      Pos target = u.pos;
      for (Pos f : fruits()) {
        int d = dist[f.i][f.j];
        if (d <= 0 or taken.count(f)) continue;
        double value = double(cell(f).fruit) / d;
        if (value > best) { best = value; target = f; }
      }
      if (best < 0) { move(id, Dir(random(0, 3))); continue; }
      taken.insert(target);
      move(id, first[target.i][target.j]);
    }
  }
};

RegisterPlayer(PLAYER_NAME);
