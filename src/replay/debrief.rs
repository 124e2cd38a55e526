//! The debrief of a stored game, for the class: scores against objectives, the turning points
//! (with a "what if" the engine computes), every decision with its essay paragraph, and the
//! promises made in messages beside the moves then made.

use serde_json::{json, Value};

use super::fold::{Replay, ReplayRound};
use crate::engine::report::Delta;
use crate::engine::{resolve_round, scores, EventId, InteractionId, Lookup, MoveId, RoleId, RoundReport, Scenario};
use crate::i18n::phrases::fill;
use crate::i18n::{narrate, Lang};
use crate::scenario::Localized;

/// How many turning points the debrief shows, at most.
const TURNING_POINTS: usize = 3;

/// What moved the tracks in a round: an interaction or an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Interaction(InteractionId),
    Event(EventId),
}

impl Cause {
    fn fired(self, report: &RoundReport) -> bool {
        match self {
            Cause::Interaction(i) => report.interactions.iter().any(|o| o.interaction == i),
            Cause::Event(e) => report.events.iter().any(|o| o.event == e),
        }
    }
}

/// A round's biggest mover.
struct TurningPoint<'a> {
    round: &'a ReplayRound,
    cause: Cause,
    effects: &'a [Delta],
    weight: i64,
}

fn weight(effects: &[Delta]) -> i64 {
    effects.iter().map(|d| d.amount.abs()).sum()
}

/// Per round the interaction or event that moved tracks the most; then the biggest rounds.
fn turning_points(replay: &Replay) -> Vec<TurningPoint<'_>> {
    let mut points: Vec<TurningPoint> = replay
        .rounds
        .iter()
        .filter_map(|round| {
            let interactions =
                round.report.interactions.iter().map(|o| (Cause::Interaction(o.interaction), o.effects.as_slice()));
            let events = round.report.events.iter().map(|o| (Cause::Event(o.event), o.effects.as_slice()));
            interactions
                .chain(events)
                .map(|(cause, effects)| TurningPoint { round, cause, effects, weight: weight(effects) })
                .filter(|p| p.weight > 0)
                // The first of equals: `max_by_key` keeps the last, so compare reversed positions.
                .rev()
                .max_by_key(|p| p.weight)
        })
        .collect();
    points.sort_by_key(|p| (std::cmp::Reverse(p.weight), p.round.round));
    points.truncate(TURNING_POINTS);
    points.sort_by_key(|p| p.round.round);
    points
}

/// Re-resolves the round without each order in turn. The what-if is the order whose absence
/// stops the cause from firing, and among those the one that changes the fewest tracks (the most
/// targeted counterfactual: "without the pressure" rather than "without the visit the pressure
/// was about"); when no single order stops it, the one that changes the most. The engine runs on
/// `english`; the words are in `sc`'s language.
fn what_if(english: &Scenario, sc: &Scenario, lang: Lang, point: &TurningPoint) -> Value {
    let round = point.round;
    // Ranked by (stops the cause, then fewer tracks changed if it does, more change if not).
    type Rank = (bool, std::cmp::Reverse<usize>, i64);
    let mut best: Option<(Rank, RoleId, usize, Vec<i64>)> = None;
    for (role, orders) in round.orders.iter().enumerate() {
        let role = RoleId::new(role);
        for index in 0..orders.len() {
            let mut without = round.orders.clone();
            without[role].remove(index);
            let (next, report) = resolve_round(english, &round.before, &without);
            let stopped = !point.cause.fired(&report);
            let diffs = next.tracks.iter().zip(&round.after.tracks).map(|(a, b)| (a - b).abs());
            let (tracks_changed, change) = (diffs.clone().filter(|d| *d != 0).count(), diffs.sum::<i64>());
            if change == 0 && !stopped {
                continue;
            }
            let rank: Rank = if stopped {
                (true, std::cmp::Reverse(tracks_changed), 0)
            } else {
                (false, std::cmp::Reverse(0), change)
            };
            if best.as_ref().is_none_or(|b| rank > b.0) {
                best = Some((rank, role, index, next.tracks));
            }
        }
    }
    let Some(((stopped, ..), role, index, tracks)) = best else { return Value::Null };
    let p = lang.phrases();
    let w = &p.what_if;
    let order = &round.orders[role][index];
    let mv = &sc.moves[order.mv];
    let target = order.target.and_then(|t| sc.targets.lookup(t));
    // Every track the order's absence changes: as data, and in words for the narrative.
    let (differences, changes): (Vec<Value>, Vec<String>) = sc
        .tracks
        .iter()
        .zip(round.after.tracks.iter().zip(&tracks))
        .filter(|(_, (actual, without))| actual != without)
        .map(|(t, (actual, without))| {
            let data = json!({
                "track": t.id, "name": t.name, "private": t.visible_to.is_some(),
                "actual": actual, "without": without,
            });
            let words = fill(
                w.difference,
                &[("track", &t.name), ("without", &without.to_string()), ("actual", &actual.to_string())],
            );
            (data, words)
        })
        .unzip();
    let role_name = p.possessive(&sc.roles[role].name);
    let mut narrative = fill(w.without, &[("role", &role_name), ("move", &mv.name)]);
    if let Some(t) = target {
        narrative.push_str(&fill(w.aimed_at, &[("target", &t.name)]));
    }
    narrative.push_str(if stopped { w.would_not } else { w.would_still });
    if !changes.is_empty() {
        narrative.push_str(w.colon);
        narrative.push_str(&changes.join(w.separator));
    }
    narrative.push_str(w.end);
    json!({
        "role": sc.roles[role].id, "move": mv.id, "move_name": mv.name, "target": target.map(|t| t.id.clone()),
        "fired_without": !stopped, "narrative": narrative, "differences": differences,
    })
}

fn turning_point_json(english: &Scenario, sc: &Scenario, lang: Lang, point: &TurningPoint) -> Value {
    let (kind, id, line) = match point.cause {
        Cause::Interaction(i) => {
            let def = &sc.interactions[i];
            ("interaction", def.id.clone(), (def.text.clone(), def.essay.clone()))
        }
        Cause::Event(e) => {
            let def = &sc.events[e];
            let line = fill(lang.phrases().event, &[("name", &def.name), ("text", &def.text)]);
            ("event", def.id.clone(), (line, def.essay.clone()))
        }
    };
    // The track it moved the most (the first of equals).
    let biggest = point.effects.iter().rev().max_by_key(|d| d.amount.abs());
    json!({
        "round": point.round.round, "kind": kind, "id": id, "narrative": line.0, "essay": line.1,
        "track": biggest.map(|d| sc.tracks[d.track].id.clone()),
        "track_name": biggest.map(|d| sc.tracks[d.track].name.clone()),
        "amount": biggest.map(|d| d.amount),
        "effects": point.effects.iter().map(|d| json!({ "track": sc.tracks[d.track].id, "amount": d.amount }))
            .collect::<Vec<_>>(),
        "what_if": what_if(english, sc, lang, point),
    })
}

/// Every order a role made, round by round, with its outcome and paragraph.
fn decisions(sc: &Scenario, lang: Lang, replay: &Replay) -> Vec<Value> {
    sc.indexed_roles()
        .map(|(role, def)| {
            let orders: Vec<Value> = replay
                .rounds
                .iter()
                .flat_map(|r| r.report.orders.iter().filter(move |o| o.role == role).map(move |o| (r.round, o)))
                .map(|(round, o)| {
                    let line = narrate::order(sc, o, lang);
                    let mv = sc.moves.lookup(o.order.mv);
                    json!({
                        "round": round, "move": mv.map(|m| m.id.clone()), "move_name": mv.map(|m| m.name.clone()),
                        "target": o.order.target.and_then(|t| sc.targets.lookup(t)).map(|t| t.id.clone()),
                        "succeeded": o.status.succeeded(), "status": o.status.code(), "automatic": o.automatic,
                        "narrative": line.text, "essay": line.essay,
                    })
                })
                .collect();
            json!({ "role": def.id, "name": def.name, "orders": orders })
        })
        .collect()
}

/// Whether a message names a move: its name, or its id with `-`/`_` read as spaces.
fn names_move(text: &str, name: &str, id: &str) -> bool {
    let text = text.to_lowercase();
    let id = id.replace(['-', '_'], " ").to_lowercase();
    text.contains(&name.to_lowercase()) || (id.len() >= 4 && text.replace(['-', '_'], " ").contains(&id))
}

/// Messages in which a role names one of its own moves (by its name in any language the scenario
/// has, or its id), beside whether it then made it. `sc` is the scenario in the reader's language.
fn promises(sc: &Scenario, texts: &Localized, replay: &Replay) -> Vec<Value> {
    let finished = replay.finished();
    let made_in = |role: RoleId, mv: MoveId, from_round: u32| {
        replay
            .rounds
            .iter()
            .filter(|r| r.round >= from_round)
            .find(|r| r.orders.lookup(role).is_some_and(|orders| orders.iter().any(|o| o.mv == mv)))
            .map(|r| r.round)
    };
    let mut out = Vec::new();
    for m in &replay.messages {
        let Some(role) = m.from_role else { continue };
        for (mv, def) in sc.moves_of(role) {
            let named =
                texts.all().filter_map(|copy| copy.moves.lookup(mv)).any(|d| names_move(&m.text, &d.name, &d.id));
            if !named {
                continue;
            }
            let round = made_in(role, mv, m.round);
            let made = match round {
                Some(r) if r == m.round => "same_round",
                Some(_) => "later",
                None if finished => "never",
                None => "not_yet",
            };
            out.push(json!({
                "seq": m.seq, "round": m.round, "from": m.from.name, "role": sc.roles[role].id,
                "to": m.to_ids(sc).map_or_else(|| Value::from("all"), Value::from),
                "text": m.text, "move": def.id, "move_name": def.name, "made": made, "made_in_round": round,
            }));
        }
    }
    out
}

/// Every role's memo and private objective (revealed after the game), in the scenario's order
/// of roles.
pub fn memos(sc: &Scenario) -> Vec<Value> {
    sc.roles
        .iter()
        .map(|r| {
            json!({
                "role": r.id, "name": r.name, "memo": (!r.memo.is_empty()).then_some(&r.memo),
                "private_objective": r.private_objective.as_ref().map(|p| json!({ "summary": p.summary, "essay": p.essay })),
            })
        })
        .collect()
}

/// What each player wrote after the game (its latest reflection), in the order they sat down.
fn reflections(sc: &Scenario, replay: &Replay) -> Vec<Value> {
    replay
        .players
        .iter()
        .filter_map(|p| {
            let text = p.reflection.as_ref()?;
            let role = p.role.and_then(|r| sc.roles.lookup(r)).map(|r| r.id.as_str());
            Some(json!({ "player_id": p.id, "player": p.name, "role": role, "text": text }))
        })
        .collect()
}

/// The debrief of a stored game (the shape of `GET /api/sessions/{id}/debrief`), in a language:
/// `texts` is the scenario the game was played with, in every language it has.
pub fn debrief(texts: &Localized, lang: Lang, replay: &Replay, session_id: &str, status: &str) -> Value {
    let lang = texts.pick(lang);
    let (sc, english) = (texts.get(lang), texts.english_scenario());
    let points = scores(sc, &replay.final_state.tracks);
    let bots = replay.bot_roles();
    let score_rows: Vec<Value> = sc
        .indexed_roles()
        .map(|(i, r)| {
            json!({
                "role": r.id, "name": r.name, "score": points.lookup(i), "objective": r.objective.summary,
                "essay": r.objective.essay, "bot": bots.contains(&i), "players": replay.names_of(sc, lang, i),
            })
        })
        .collect();
    let tracks: Vec<Value> = sc
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // The state keeps the tracks at the start and after every round.
            let history: Vec<Option<i64>> = replay.final_state.history.iter().map(|h| h.get(i).copied()).collect();
            let mut track = super::track_json(t);
            track["start"] = json!(t.start);
            track["history"] = json!(history);
            track
        })
        .collect();
    let turning: Vec<Value> = turning_points(replay).iter().map(|p| turning_point_json(english, sc, lang, p)).collect();
    json!({
        "session_id": session_id,
        "language": lang,
        "scenario": { "id": sc.id, "title": sc.title },
        "status": status,
        "rounds_played": replay.rounds.len(),
        "finished": replay.finished(),
        "ok": replay.ok(),
        "errors": replay.errors,
        "scores": score_rows,
        "tracks": tracks,
        "turning_points": turning,
        "decisions": decisions(sc, lang, replay),
        "promises": promises(sc, texts, replay),
        "memos": memos(sc),
        "reflections": reflections(sc, replay),
        "debrief_questions": sc.lesson.as_ref().map(|l| &l.debrief_questions),
        "caveats": sc.lesson.as_ref().map(|l| &l.caveats),
        "reflection_prompt": sc.lesson.as_ref().map(|l| &l.reflection),
    })
}

#[cfg(test)]
mod tests {
    use super::names_move;

    #[test]
    fn names_take_the_possessive_they_read_with() {
        let en = crate::i18n::Lang::En.phrases();
        assert_eq!(en.possessive("Alba"), "Alba's");
        assert_eq!(en.possessive("the Lowlands"), "the Lowlands'");
        assert_eq!(crate::i18n::Lang::Ru.phrases().possessive("Alba"), "Alba");
    }

    #[test]
    fn a_message_names_a_move_by_name_or_id() {
        assert!(names_move("We will Host a Summit next round", "host a summit", "host-summit"));
        assert!(names_move("ok, host summit it is", "Host a summit", "host-summit"));
        assert!(!names_move("no promises", "Host a summit", "host-summit"));
        // Very short ids are not matched inside other words.
        assert!(!names_move("the answer", "Wait", "ans"));
    }
}
