"use strict";
// The Orchard viewer: reads a match file (the output of Game or SecGame) and replays it.
// No libraries, no build step. The file is loaded from ?game=URL or with the file picker.

const COLORS = ["#1565c0", "#00897b", "#6a1b9a", "#37474f"];

// Parses a match file into {game, seed, settings, names, states: [...], moves: [...]}.
// A state: {round, score[], status[], grid[] (strings), units: [{id, player, i, j}]};
// moves[r]: the moves done between state r and state r + 1.
function parseMatch(text) {
  const lines = text.split("\n");
  let k = 0;
  const next = () => {
    if (k >= lines.length) throw new Error("The match file ends too early (line " + (k + 1) + ").");
    return lines[k++];
  };
  const skipBlank = () => { while (k < lines.length && lines[k].trim() === "") k++; };
  const words = (expected) => {
    const w = next().trim().split(/\s+/);
    if (expected && w[0] !== expected) throw new Error("Expected '" + expected + "' at line " + k + ", found '" + w[0] + "'.");
    return w;
  };

  const match = { game: next().trim(), settings: {}, states: [], moves: [] };
  skipBlank();
  match.seed = Number(words("Seed")[1]);
  skipBlank();
  match.version = next().trim();
  while (k < lines.length && lines[k].trim() !== "") {
    const [key, value] = next().trim().split(/\s+/);
    match.settings[key] = Number(value);
  }
  skipBlank();
  match.names = words("names").slice(1);
  const rows = match.settings.rows;
  skipBlank();
  while (k < lines.length) {
    skipBlank();
    if (k >= lines.length) break;
    if (lines[k].startsWith("moves")) {
      const n = Number(words("moves")[1]);
      const moves = [];
      for (let m = 0; m < n; m++) {
        const [id, d] = next().trim().split(/\s+/);
        moves.push({ id: Number(id), dir: d });
      }
      match.moves.push(moves);
      continue;
    }
    const state = { round: Number(words("round")[1]) };
    state.score = words("score").slice(1).map(Number);
    state.status = words("status").slice(1).map(Number);
    words("grid");
    state.grid = [];
    for (let i = 0; i < rows; i++) state.grid.push(next().trim());
    const n = Number(words("units")[1]);
    state.units = [];
    for (let u = 0; u < n; u++) {
      const [id, player, i, j] = next().trim().split(/\s+/).map(Number);
      state.units.push({ id, player, i, j });
    }
    match.states.push(state);
  }
  if (match.states.length === 0) throw new Error("No state in the match file.");
  return match;
}

const viewer = {
  match: null,
  time: 0,        // a real number: state floor(time), moving towards the next one
  playing: false,
  speed: 8,
  last: null,
};

const $ = (id) => document.getElementById(id);
const canvas = $("board");
const ctx = canvas.getContext("2d");

function showError(message) {
  $("error").textContent = message;
}

function load(text, source) {
  try {
    viewer.match = parseMatch(text);
  } catch (e) {
    viewer.match = null;
    showError("Cannot read " + source + ": " + e.message);
    return;
  }
  showError("");
  $("source").textContent = source + " — " + viewer.match.game + ", seed " + viewer.match.seed;
  $("slider").max = viewer.match.states.length - 1;
  const tbody = document.querySelector("#players tbody");
  tbody.innerHTML = "";
  viewer.match.names.forEach((name, pl) => {
    const tr = document.createElement("tr");
    tr.innerHTML = '<td class="swatch"><span style="background:' + COLORS[pl % 4] + '"></span></td>' +
      "<td></td><td></td><td></td>";
    tr.children[1].textContent = name;
    tbody.appendChild(tr);
  });
  const size = Math.min(680, 40 * Math.max(viewer.match.settings.rows, viewer.match.settings.cols));
  canvas.width = canvas.height = size;
  viewer.time = 0;
  setPlaying(true);
  draw();
}

function setPlaying(on) {
  viewer.playing = on && viewer.match !== null;
  $("play").textContent = viewer.playing ? "⏸" : "▶";
  viewer.last = null;
  if (viewer.playing) requestAnimationFrame(tick);
}

function seek(t) {
  if (!viewer.match) return;
  viewer.time = Math.max(0, Math.min(viewer.match.states.length - 1, t));
  draw();
}

function tick(now) {
  if (!viewer.playing) return;
  if (viewer.last !== null) viewer.time += (now - viewer.last) / 1000 * viewer.speed;
  viewer.last = now;
  const end = viewer.match.states.length - 1;
  if (viewer.time >= end) { viewer.time = end; setPlaying(false); }
  draw();
  if (viewer.playing) requestAnimationFrame(tick);
}

function draw() {
  const match = viewer.match;
  if (!match) return;
  const r = Math.floor(viewer.time);
  const f = viewer.time - r;
  const state = match.states[r];
  const after = match.states[Math.min(r + 1, match.states.length - 1)];
  const rows = match.settings.rows, cols = match.settings.cols;
  const cell = Math.floor(Math.min(canvas.width / cols, canvas.height / rows));

  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const c = state.grid[i][j];
      const x = j * cell, y = i * cell;
      if ((i + j) % 2 === 0) { ctx.fillStyle = "#c3dba4"; ctx.fillRect(x, y, cell, cell); }
      if (c === "#") {
        ctx.fillStyle = "#5d4037";
        ctx.fillRect(x + 2, y + 2, cell - 4, cell - 4);
      } else if (c === "o" || c === "*") {
        ctx.fillStyle = c === "o" ? "#c62828" : "#f9a825";
        ctx.beginPath();
        ctx.arc(x + cell / 2, y + cell / 2, cell * (c === "o" ? 0.18 : 0.26), 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  const later = new Map(after.units.map((u) => [u.id, u]));
  for (const u of state.units) {
    const v = later.get(u.id) || u;
    const i = u.i + (v.i - u.i) * f, j = u.j + (v.j - u.j) * f;
    const dead = state.status[u.player] < 0;
    ctx.globalAlpha = dead ? 0.35 : 1;
    ctx.fillStyle = COLORS[u.player % 4];
    ctx.beginPath();
    ctx.arc((j + 0.5) * cell, (i + 0.5) * cell, cell * 0.38, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.font = Math.floor(cell * 0.4) + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(String(u.id), (j + 0.5) * cell, (i + 0.5) * cell);
    ctx.globalAlpha = 1;
  }

  $("round").textContent = "Round " + state.round + " / " + (match.states.length - 1);
  $("slider").value = r;
  const best = Math.max(...state.score);
  document.querySelectorAll("#players tbody tr").forEach((tr, pl) => {
    tr.children[2].textContent = state.score[pl];
    tr.children[3].textContent = state.status[pl] < 0 ? "dead" : "ok";
    tr.classList.toggle("dead", state.status[pl] < 0);
    tr.classList.toggle("top", state.score[pl] === best);
  });
}

$("play").addEventListener("click", () => setPlaying(!viewer.playing));
$("first").addEventListener("click", () => { setPlaying(false); seek(0); });
$("last").addEventListener("click", () => { setPlaying(false); seek(Infinity); });
$("back").addEventListener("click", () => { setPlaying(false); seek(Math.ceil(viewer.time) - 1); });
$("forward").addEventListener("click", () => { setPlaying(false); seek(Math.floor(viewer.time) + 1); });
$("slider").addEventListener("input", (e) => { setPlaying(false); seek(Number(e.target.value)); });
$("speed").addEventListener("input", (e) => {
  viewer.speed = Number(e.target.value);
  $("speed-value").textContent = viewer.speed;
});
$("speed-value").textContent = viewer.speed;
$("picker").addEventListener("change", (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => load(String(reader.result), file.name);
  reader.readAsText(file);
});
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT") return;
  if (e.key === " ") { e.preventDefault(); setPlaying(!viewer.playing); }
  else if (e.key === "ArrowRight") $("forward").click();
  else if (e.key === "ArrowLeft") $("back").click();
  else if (e.key === "Home") $("first").click();
  else if (e.key === "End") $("last").click();
});

const url = new URLSearchParams(window.location.search).get("game");
if (url) {
  fetch(url)
    .then((response) => {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    })
    .then((text) => load(text, url))
    .catch((e) => showError("Cannot load " + url + ": " + e.message));
}
