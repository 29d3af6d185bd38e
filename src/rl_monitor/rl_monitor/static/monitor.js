// The monitor page's logic: one WebSocket (/ws) of JSON snapshots, drawn as figures,
// Plotly curves, a canvas top view per env and the latest episodes.
// A lost connection keeps the last state on screen and is retried every 2 s, so the page
// outlives the end of a run and a monitor or env node that restarts.
'use strict';

const MAX_POINTS = 5000;        // curve points kept in the page
const STALE_S = 3.0;            // an env silent this long is marked silent
const RETRY_MS = 2000;
const history = { step: [], rate: [], trainReturn: [], trainSuccess: [] };
let evaluations = [];
let updates = 0;
let robotRadius = 0.23;

function text(id, value) { document.getElementById(id).textContent = value; }

function number(value, digits) {
  return value === null || value === undefined ? '-' : Number(value).toFixed(digits);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
}

function showProgress(p) {
  if (!p) return;
  text('run-name', `${p.run_name} (${p.algorithm}, ${p.task})`);
  const status = document.getElementById('status');
  status.textContent = p.status;
  status.className = `badge ${p.status}`;
  const steps = document.getElementById('steps');
  steps.textContent = Number(p.num_timesteps).toLocaleString('en');
  steps.dataset.value = p.num_timesteps;
  text('total-steps', Number(p.total_timesteps).toLocaleString('en'));
  text('steps-per-second', number(p.steps_per_second, 0));
  text('elapsed', duration(p.elapsed));
  text('time-left', duration(p.time_left));
  text('episodes', p.episodes);
  text('train-return', number(p.train_return_mean, 2));
  text('train-success', number(p.train_success_rate, 2));
  text('eval-return', p.eval_timesteps ? number(p.eval_return_mean, 2) : '-');
  text('eval-success', p.eval_timesteps ? number(p.eval_success_rate, 2) : '-');
  text('success-target', number(p.success_target, 2));
}

function addHistory(h) {
  if (h.reset) Object.values(history).forEach((list) => { list.length = 0; });
  for (const [step, rate, ret, success] of h.points) {
    history.step.push(step);
    history.rate.push(rate);
    history.trainReturn.push(ret);
    history.trainSuccess.push(success);
  }
  Object.values(history).forEach((list) => list.splice(0, list.length - MAX_POINTS));
  return h.reset || h.points.length > 0;
}

function layout(title, yTitle) {
  return { title: { text: title, font: { size: 13 } }, margin: { l: 50, r: 10, t: 30, b: 35 },
           xaxis: { title: { text: 'steps' } }, yaxis: { title: { text: yTitle } },
           legend: { orientation: 'h', y: -0.25 }, showlegend: true };
}

function drawCurves() {
  const evalSteps = evaluations.map((e) => e[0]);
  // Copies: Plotly.react redraws a trace only when its arrays are new objects.
  const line = (x, y, name) => ({ x: x.slice(), y: y.slice(), name, mode: 'lines',
                                  type: 'scatter' });
  const marks = (y, name) => ({ x: evalSteps, y, name, mode: 'lines+markers', type: 'scatter' });
  const config = { displayModeBar: false, responsive: true };
  Plotly.react('plot-rate', [line(history.step, history.rate, 'steps/s')],
               layout('training speed', 'steps/s'), config);
  Plotly.react('plot-return', [line(history.step, history.trainReturn, 'train (last 100)'),
                               marks(evaluations.map((e) => e[1]), 'eval')],
               layout('return', 'mean return'), config);
  Plotly.react('plot-success', [line(history.step, history.trainSuccess, 'train (last 100)'),
                                marks(evaluations.map((e) => e[2]), 'eval')],
               layout('success rate', 'success rate'), config);
}

function envCard(name) {
  const label = name || '/';
  let card = document.querySelector(`.env[data-env="${CSS.escape(label)}"]`);
  if (card) return card;
  const empty = document.getElementById('no-envs');
  if (empty) empty.remove();
  card = document.createElement('section');
  card.className = 'env';
  card.dataset.env = label;
  card.innerHTML = `<h3></h3><canvas width="320" height="320" data-frames="0"></canvas>
    <div class="pose">no pose yet</div><div class="episode"></div>`;
  card.querySelector('h3').textContent = label;
  document.getElementById('envs').appendChild(card);
  return card;
}

function bounds(view) {
  const xs = [], ys = [];
  const arena = view.arena;
  if (arena && arena.walls.length) {
    for (const [x, y, , sx, sy] of arena.walls) {
      const r = Math.hypot(sx, sy) / 2;
      xs.push(x - r, x + r); ys.push(y - r, y + r);
    }
  } else {
    for (const [x, y] of view.trail) { xs.push(x); ys.push(y); }
    if (view.pose) { xs.push(view.pose[0]); ys.push(view.pose[1]); }
    if (arena && arena.goal) { xs.push(arena.goal[0]); ys.push(arena.goal[1]); }
  }
  if (!xs.length) { xs.push(0); ys.push(0); }
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const half = Math.max(1.5, (Math.max(...xs) - Math.min(...xs)) / 2 + 0.3,
                        (Math.max(...ys) - Math.min(...ys)) / 2 + 0.3);
  return { cx, cy, half };
}

function box(ctx, [x, y, yaw, sx, sy], fill) {
  ctx.save(); ctx.translate(x, y); ctx.rotate(yaw);
  ctx.fillStyle = fill; ctx.fillRect(-sx / 2, -sy / 2, sx, sy);
  ctx.restore();
}

function disc(ctx, [x, y, r], fill) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill();
}

function drawArena(ctx, arena, px) {
  if (!arena) return;
  arena.walls.forEach((w) => box(ctx, w, '#555'));
  arena.boxes.forEach((b) => box(ctx, b, '#a0764a'));
  arena.cylinders.forEach((c) => disc(ctx, c, '#a0764a'));
  if (arena.goal) disc(ctx, arena.goal, 'rgba(40, 160, 60, 0.45)');
  const [sx, sy, syaw] = arena.start;
  ctx.strokeStyle = '#888'; ctx.lineWidth = 2 * px;
  ctx.beginPath(); ctx.moveTo(sx, sy);
  ctx.lineTo(sx + 0.3 * Math.cos(syaw), sy + 0.3 * Math.sin(syaw)); ctx.stroke();
}

function drawRobot(ctx, view, px) {
  const [x, y, yaw] = view.pose;
  ctx.save(); ctx.translate(x, y); ctx.rotate(yaw);
  for (const [x0, y0, x1, y1, hit] of view.rays) {
    ctx.strokeStyle = hit ? '#e0302a' : 'rgba(230, 120, 40, 0.45)';
    ctx.lineWidth = 1.5 * px;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  }
  ctx.beginPath(); ctx.arc(0, 0, robotRadius, 0, 2 * Math.PI);
  ctx.fillStyle = 'rgba(30, 90, 200, 0.75)'; ctx.fill();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 2 * px;
  ctx.beginPath(); ctx.moveTo(0, 0); ctx.lineTo(robotRadius, 0); ctx.stroke();
  ctx.restore();
}

function drawEnv(canvas, view) {
  const ctx = canvas.getContext('2d');
  const { cx, cy, half } = bounds(view);
  const scale = canvas.width / (2 * half), px = 1 / scale;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  // map frame: x right, y up, centred on the arena
  ctx.setTransform(scale, 0, 0, -scale, canvas.width / 2 - scale * cx, canvas.height / 2 + scale * cy);
  drawArena(ctx, view.arena, px);
  if (view.trail.length > 1) {
    ctx.strokeStyle = '#2a6fdb'; ctx.lineWidth = 2 * px; ctx.beginPath();
    view.trail.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
  }
  if (view.pose) drawRobot(ctx, view, px);
  canvas.dataset.frames = Number(canvas.dataset.frames) + 1;
}

function showEnvs(envs) {
  for (const [name, view] of Object.entries(envs)) {
    const card = envCard(name);
    card.classList.toggle('stale', view.age === null || view.age > STALE_S);
    drawEnv(card.querySelector('canvas'), view);
    const pose = card.querySelector('.pose');
    if (view.pose) {
      const [x, y, yaw] = view.pose;
      pose.textContent = `x ${x.toFixed(2)} m  y ${y.toFixed(2)} m  yaw ${yaw.toFixed(2)} rad`;
      Object.assign(pose.dataset, { x, y, yaw });
    }
    card.querySelector('.episode').textContent =
      `episode ${view.episode_id ?? '-'}  step ${view.step}  return ${view.episode_return}` +
      `  ended ${view.episodes}${view.last_outcome ? ' (last ' + view.last_outcome + ')' : ''}` +
      (view.arena ? '' : '  (no arena markers)');
  }
}

function showEpisodes(episodes) {
  const body = document.querySelector('#episodes-table tbody');
  body.replaceChildren(...episodes.map((e) => {
    const row = document.createElement('tr');
    row.dataset.env = e.env || '/';
    row.dataset.episode = e.episode_id;
    const cells = [e.env || '/', e.episode_id, e.return.toFixed(2), e.length, e.outcome, e.seed];
    for (const value of cells) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.appendChild(cell);
    }
    row.children[4].className = `outcome-${e.outcome}`;
    const bag = document.createElement('td');
    if (e.bag) {
      const link = document.createElement('a');
      link.href = e.bag; link.textContent = 'bag';
      bag.appendChild(link);
    }
    row.appendChild(bag);
    return row;
  }));
}

function show(snapshot) {
  robotRadius = snapshot.robot_radius;
  showProgress(snapshot.progress);
  const changed = addHistory(snapshot.history) ||
                  snapshot.evaluations.length !== evaluations.length;
  evaluations = snapshot.evaluations;
  if (changed || updates === 0) drawCurves();
  showEnvs(snapshot.envs);
  showEpisodes(snapshot.episodes);
  updates += 1;
  text('updates', updates);
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}${location.pathname.replace(/[^/]*$/, '')}ws`);
  const connection = document.getElementById('connection');
  socket.onopen = () => { connection.textContent = 'connected'; connection.className = 'badge connected'; };
  socket.onmessage = (event) => show(JSON.parse(event.data));
  socket.onclose = () => {
    connection.textContent = 'disconnected'; connection.className = 'badge disconnected';
    setTimeout(connect, RETRY_MS);
  };
}

connect();
