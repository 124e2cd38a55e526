// The session as the server's frames describe it: the last whole `state`, with every small frame
// since applied to it (a role's draft, a lock, a seat that joined, moved or left, the clock). The
// server sends a whole `state` on taking a seat, when a round starts and when the phase changes;
// everything else arrives as one of the small frames below (docs/protocol.md, "Keeping a view
// current"). Every screen reads the same shape either way.

/** The frame types that change the session view. */
export const VIEW_FRAMES = new Set(['state', 'draft', 'role_ready', 'player', 'player_removed', 'clock']);

/** `roles[].players` and `roles[].bot`, from `players`. */
function regroup(state) {
  const roles = state.roles.map((role) => {
    const members = state.players.filter((p) => p.role === role.id);
    return { ...role, players: members.map((p) => p.player_id), bot: members.some((p) => p.bot) };
  });
  return { ...state, roles };
}

/**
 * A lean `state` (a connection's later ones) leaves out what does not change — track names,
 * summaries, ranges and history, move summaries and ¶s — which the first, full one carried: fill
 * them in from the view so far, so that every screen reads a whole state either way.
 */
function withStatics(previous, state) {
  if (!previous) return state;
  const tracks = new Map((previous.tracks || []).map((t) => [t.id, t]));
  const moves = new Map((previous.moves || []).map((m) => [m.id, m]));
  // The role's memo and private objective came with the full state of this role.
  const you = previous.you && state.you && state.you.role && state.you.role === previous.you.role && state.you.memo === undefined
    ? { memo: previous.you.memo, private_objective: previous.you.private_objective, ...state.you }
    : state.you;
  return {
    ...state,
    you,
    tracks: (state.tracks || []).map((t) => {
      const old = tracks.get(t.id);
      if (!old || t.name !== undefined) return t;
      const { name, summary, min, max, history } = old;
      return { name, summary, min, max, history, ...t };
    }),
    moves: (state.moves || []).map((m) => {
      const old = moves.get(m.id);
      if (!old || m.summary !== undefined) return m;
      return { summary: old.summary, essay: old.essay, ...m };
    }),
  };
}

/**
 * The next view after one frame (a new object; the old one is left as it was), or the same view
 * when the frame does not change it.
 */
export function applyFrame(state, msg) {
  if (msg.type === 'state') return withStatics(state, msg);
  if (!state || !VIEW_FRAMES.has(msg.type)) return state;
  switch (msg.type) {
    case 'draft': {
      const next = { ...state };
      if (state.you && state.you.role === msg.role) next.my_orders = msg.orders;
      if (state.orders) next.orders = { ...state.orders, [msg.role]: msg.orders };
      return next;
    }
    case 'role_ready': {
      const next = { ...state, roles: state.roles.map((r) => (r.id === msg.role ? { ...r, ready: msg.ready } : r)) };
      if (state.you && state.you.role === msg.role) next.ready = msg.ready;
      return next;
    }
    case 'player': {
      const { type, ...player } = msg;
      const known = state.players.some((p) => p.player_id === player.player_id);
      const players = known
        ? state.players.map((p) => (p.player_id === player.player_id ? player : p))
        : [...state.players, player];
      return regroup({ ...state, players });
    }
    case 'player_removed':
      return regroup({ ...state, players: state.players.filter((p) => p.player_id !== msg.player_id) });
    case 'clock':
      return {
        ...state,
        deadline_at: msg.deadline_at,
        remaining_secs: msg.remaining_secs,
        session: { ...state.session, round_secs: msg.round_secs },
      };
    default:
      return state;
  }
}

// ---- A class's view (its console and its projector) ------------------------------------------------
// `class_state` is the whole class; `class_table` one table's summary, which replaces the entry
// with the same number (or is added: a table just opened).

/** The frame types that change a class's view. */
export const CLASS_FRAMES = new Set(['class_state', 'class_table']);

/** The next class view after one frame (the same view when the frame does not change it). */
export function applyClassFrame(view, msg) {
  if (msg.type === 'class_state') return msg;
  if (msg.type !== 'class_table' || !view || !msg.table) return view;
  const known = view.tables.some((t) => t.table === msg.table.table);
  const tables = known
    ? view.tables.map((t) => (t.table === msg.table.table ? msg.table : t))
    : [...view.tables, msg.table].sort((a, b) => a.table - b.table);
  return { ...view, tables };
}

/** The students (not bots) seated at a table's roles. */
export function tableStudents(table) {
  return (table.roles || []).flatMap((r) => (r.players || []).map((p) => ({ ...p, role: r.id })));
}

/** How many students have joined the class. */
export function joinedCount(view) {
  return ((view && view.tables) || []).reduce((n, t) => n + tableStudents(t).length, 0);
}

/**
 * Keeps a game's `report` (a `round_resolved`) in `reports`: once per round (a replayed one
 * replaces it), in round order, and in the tracks' `history` for the charts. The student's page,
 * the console and the projector keep their reports so.
 */
export function keepReport(reports, history, report) {
  const known = reports.findIndex((r) => r.round === report.round);
  if (known >= 0) reports[known] = report;
  else reports.push(report);
  reports.sort((a, b) => a.round - b.round);
  if (history) history.fromReport(report);
}
