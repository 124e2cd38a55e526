//! Scenarios for people: the JSON that clients read and the plain text a teacher reviews.

use serde_json::{json, Value};

use crate::engine::expr::{ArithOp, CmpOp, Expr};
use crate::engine::model::{Effect, Lesson, PrivateObjective, Scenario, ScoreTerm};
use crate::engine::{Lookup, MoveId, RoleId, TargetId};
use crate::i18n::phrases::fill;
use crate::i18n::Lang;

/// An expression written back in the scenario language, with names instead of indexes.
pub fn show(scenario: &Scenario, expr: &Expr) -> String {
    let mv = |m: MoveId, t: &Option<TargetId>| {
        let def = &scenario.moves[m];
        let target = t.map(|t| format!("[{}]", scenario.targets[t].id)).unwrap_or_default();
        format!("{}.{}{target}", scenario.roles[def.role].id, def.id)
    };
    let list = |items: &[Expr], sep: &str| items.iter().map(|e| show(scenario, e)).collect::<Vec<_>>().join(sep);
    match expr {
        Expr::Int(v) => v.to_string(),
        Expr::Bool(b) => b.to_string(),
        Expr::Track(t) => scenario.tracks[*t].id.clone(),
        Expr::Round => "round".to_string(),
        Expr::Ordered { mv: m, target } => mv(*m, target),
        Expr::Succeeded { mv: m, target } => format!("ok({})", mv(*m, target)),
        Expr::Event(e) => format!("event({})", scenario.events[*e].id),
        Expr::Not(e) => format!("not {}", show(scenario, e)),
        Expr::Neg(e) => format!("-{}", show(scenario, e)),
        Expr::And(items) => format!("({})", list(items, " and ")),
        Expr::Or(items) => format!("({})", list(items, " or ")),
        Expr::Min(items) => format!("min({})", list(items, ", ")),
        Expr::Max(items) => format!("max({})", list(items, ", ")),
        Expr::Cmp(op, a, b) => {
            let op = match op {
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
            };
            format!("{} {op} {}", show(scenario, a), show(scenario, b))
        }
        Expr::Arith(op, a, b) => {
            let op = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                ArithOp::Div => "/",
            };
            format!("({} {op} {})", show(scenario, a), show(scenario, b))
        }
    }
}

fn effects_json(scenario: &Scenario, effects: &[Effect]) -> Value {
    let mut map = serde_json::Map::new();
    for e in effects {
        // Private tracks are nobody's business in the public description (see `to_json`).
        if scenario.tracks[e.track].visible_to.is_some() {
            continue;
        }
        let amount = match &e.amount {
            Expr::Int(v) => json!(v),
            other => json!(show(scenario, other)),
        };
        map.insert(scenario.tracks[e.track].id.clone(), amount);
    }
    Value::Object(map)
}

/// Effects as a short phrase: `economy +2, autonomy -1`.
pub fn effects_text(scenario: &Scenario, effects: &[Effect]) -> String {
    effects
        .iter()
        .map(|e| match &e.amount {
            Expr::Int(v) => format!("{} {v:+}", scenario.tracks[e.track].id),
            other => format!("{} by {}", scenario.tracks[e.track].id, show(scenario, other)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a score term counts a private track (then only its role and the instructor may know it).
fn is_private_term(scenario: &Scenario, term: &ScoreTerm) -> bool {
    term.tracks.iter().any(|t| scenario.tracks[*t].visible_to.is_some())
}

fn score_json(scenario: &Scenario, terms: &[&ScoreTerm]) -> Value {
    terms
        .iter()
        .map(|t| {
            json!({
                "label": t.label,
                "tracks": t.tracks.iter().map(|i| scenario.tracks[*i].id.clone()).collect::<Vec<_>>(),
                "weight": t.weight, "invert": t.invert,
            })
        })
        .collect()
}

/// The lesson's public part: what the class sees (objectives, timing, terms, questions).
fn lesson_json(lesson: &Lesson) -> Value {
    json!({
        "objectives": lesson.objectives,
        "minutes": lesson.minutes,
        "timing": lesson.timing,
        "terms": lesson.terms,
        "debrief_questions": lesson.debrief_questions,
        "reflection": lesson.reflection,
    })
}

/// The JSON that `GET /api/scenarios/{id}` serves: everything a client shows about a scenario.
///
/// It is public, so it leaves out what belongs to one role: memos, private objectives, the
/// score terms and effects on tracks only some roles see, and those tracks' summaries.
pub fn to_json(scenario: &Scenario) -> Value {
    let role_id = |r: RoleId| scenario.roles[r].id.clone();
    json!({
        "id": scenario.id,
        "title": scenario.title,
        "summary": scenario.summary,
        "source": { "title": scenario.source_title, "paragraphs": scenario.source_paragraphs },
        "roles": scenario.roles.iter().map(|r| json!({
            "id": r.id, "name": r.name, "briefing": r.briefing, "action_points": r.action_points,
            "objective": {
                "summary": r.objective.summary, "essay": r.objective.essay,
                "score": score_json(scenario, &r.objective.terms.iter().filter(|t| !is_private_term(scenario, t)).collect::<Vec<_>>()),
            },
        })).collect::<Vec<_>>(),
        "tracks": scenario.tracks.iter().map(|t| {
            let mut track = json!({
                "id": t.id, "name": t.name, "min": t.min, "max": t.max, "start": t.start,
                "visible_to": t.visible_to.as_ref().map(|v| v.iter().map(|r| role_id(*r)).collect::<Vec<_>>()),
            });
            if t.visible_to.is_none() {
                track["summary"] = json!(t.summary);
            }
            track
        }).collect::<Vec<_>>(),
        "actors": scenario.targets.iter().filter(|t| t.role.is_none()).map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>(),
        "moves": scenario.moves.iter().map(|m| json!({
            "role": role_id(m.role), "id": m.id, "name": m.name, "summary": m.summary, "essay": m.essay,
            "cost": m.cost,
            "targets": m.targets.iter().map(|t| scenario.targets[*t].id.clone()).collect::<Vec<_>>(),
            "partners": m.joint.as_ref().map(|j| j.partners.iter().map(|p| match p.role {
                Some(r) => role_id(r),
                None => "target".to_string(),
            }).collect::<Vec<_>>()),
            "joint_need": m.joint.as_ref().map(|j| if j.need_all { "all" } else { "any" }),
            "available": m.available.as_ref().map(|e| show(scenario, e)),
            "requires": m.requires.as_ref().map(|e| show(scenario, e)),
            "choice_of": m.choice_of.map(|e| scenario.events[e].id.clone()),
            "effects": effects_json(scenario, &m.effects),
            "by_target": m.by_target.iter().map(|(t, e)| (scenario.targets[*t].id.clone(), effects_json(scenario, e))).collect::<serde_json::Map<_, _>>(),
            "on_fail": effects_json(scenario, &m.on_fail),
        })).collect::<Vec<_>>(),
        "interactions": scenario.interactions.iter().map(|i| json!({
            "id": i.id, "when": show(scenario, &i.when), "effects": effects_json(scenario, &i.effects),
            "text": i.text, "essay": i.essay, "once": i.once,
        })).collect::<Vec<_>>(),
        "events": scenario.events.iter().map(|e| json!({
            "id": e.id, "name": e.name, "text": e.text, "essay": e.essay, "effects": effects_json(scenario, &e.effects),
            "chance": e.random_chance, "rounds": if e.random_chance > 0 { Some(&e.random_rounds) } else { None },
            "choice": e.choice.as_ref().map(|c| json!({
                "role": role_id(c.role),
                "moves": c.moves.iter().map(|m| scenario.moves[*m].id.clone()).collect::<Vec<_>>(),
                "default": scenario.moves[c.default].id,
            })),
        })).collect::<Vec<_>>(),
        "rounds": scenario.rounds.iter().enumerate().map(|(i, r)| json!({
            "number": i + 1, "name": r.name, "briefing": r.briefing,
            "events": r.events.iter().map(|e| scenario.events[*e].id.clone()).collect::<Vec<_>>(),
            "discussion": (!r.discussion.is_empty()).then_some(&r.discussion),
        })).collect::<Vec<_>>(),
        "lesson": scenario.lesson.as_ref().map(lesson_json),
    })
}

/// The memo of one role, for that role's seats and the instructor only (`None` when the scenario
/// has none for it).
pub fn memo(scenario: &Scenario, role: RoleId) -> Option<&str> {
    scenario.roles.lookup(role).map(|r| r.memo.as_str()).filter(|m| !m.is_empty())
}

/// The private objective of one role, for that role's seats and the instructor only.
pub fn private_objective(scenario: &Scenario, role: RoleId) -> Option<&PrivateObjective> {
    scenario.roles.lookup(role).and_then(|r| r.private_objective.as_ref())
}

/// What cites one paragraph of the source.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ParagraphUse {
    pub paragraph: u32,
    /// `role.move` ids.
    pub moves: Vec<String>,
    pub events: Vec<String>,
    pub interactions: Vec<String>,
    /// Role ids whose objective cites it; `role (private)` for a private objective.
    pub objectives: Vec<String>,
}

impl ParagraphUse {
    /// Whether a rule of the game (a move, an event or an interaction) comes from it.
    pub fn drives_play(&self) -> bool {
        !(self.moves.is_empty() && self.events.is_empty() && self.interactions.is_empty())
    }
}

/// For every paragraph 1..=N of the source, what cites it.
pub fn paragraph_map(scenario: &Scenario) -> Vec<ParagraphUse> {
    let mut map: Vec<ParagraphUse> = (1..=scenario.source_paragraphs)
        .map(|paragraph| ParagraphUse { paragraph, ..ParagraphUse::default() })
        .collect();
    let mut add = |essay: &[u32], pick: &dyn Fn(&mut ParagraphUse) -> &mut Vec<String>, name: &str| {
        for p in essay {
            if let Some(entry) = (*p as usize).checked_sub(1).and_then(|i| map.get_mut(i)) {
                let list = pick(entry);
                if !list.iter().any(|x| x == name) {
                    list.push(name.to_string());
                }
            }
        }
    };
    for m in &scenario.moves {
        add(&m.essay, &|u| &mut u.moves, &format!("{}.{}", scenario.roles[m.role].id, m.id));
    }
    for e in &scenario.events {
        add(&e.essay, &|u| &mut u.events, &e.id);
    }
    for i in &scenario.interactions {
        add(&i.essay, &|u| &mut u.interactions, &i.id);
    }
    for r in &scenario.roles {
        add(&r.objective.essay, &|u| &mut u.objectives, &r.id);
        if let Some(p) = &r.private_objective {
            add(&p.essay, &|u| &mut u.objectives, &format!("{} (private)", r.id));
        }
    }
    map
}

/// The whole teacher's guide, for the instructor only: the lesson (objectives, timing, terms,
/// debrief questions, reflection), every role's briefing, objective, memo and private objective,
/// every round's briefing and discussion prompt, and the ¶ map (what each paragraph drives).
pub fn guide(scenario: &Scenario, lang: Lang) -> Value {
    let names = |ids: &[String], lookup: &dyn Fn(&str) -> Option<String>| -> Vec<Value> {
        ids.iter().map(|id| json!({ "id": id, "name": lookup(id).unwrap_or_else(|| id.clone()) })).collect()
    };
    let move_name = |id: &str| {
        let (role, mv) = id.split_once('.')?;
        let r = scenario.role_index(role)?;
        Some(scenario.moves[scenario.move_index(r, mv)?].name.clone())
    };
    let event_name = |id: &str| scenario.event_index(id).map(|e| scenario.events[e].name.clone());
    let interaction_text = |id: &str| scenario.interactions.iter().find(|i| i.id == id).map(|i| i.text.clone());
    let objective_name = |id: &str| {
        let (role, private) = match id.strip_suffix(" (private)") {
            Some(r) => (r, true),
            None => (id, false),
        };
        let name = &scenario.roles[scenario.role_index(role)?].name;
        Some(if private { fill(lang.phrases().private_objective, &[("name", name)]) } else { name.clone() })
    };
    json!({
        "scenario": {
            "id": scenario.id, "title": scenario.title, "summary": scenario.summary,
            "source": { "title": scenario.source_title, "paragraphs": scenario.source_paragraphs },
        },
        "lesson": scenario.lesson.as_ref().map(|lesson| {
            let mut json = lesson_json(lesson);
            json["caveats"] = json!(lesson.caveats);
            json
        }),
        "roles": scenario.indexed_roles().map(|(i, r)| json!({
            "id": r.id, "name": r.name, "briefing": r.briefing,
            "objective": {
                "summary": r.objective.summary, "essay": r.objective.essay,
                "score": score_json(scenario, &r.objective.terms.iter().collect::<Vec<_>>()),
            },
            "memo": memo(scenario, i),
            "private_objective": r.private_objective.as_ref().map(|p| json!({
                "summary": p.summary, "essay": p.essay,
                "tracks": scenario.tracks.iter().filter(|t| t.visible_to.as_deref() == Some(&[i][..]))
                    .map(|t| json!({ "id": t.id, "name": t.name, "summary": t.summary })).collect::<Vec<_>>(),
            })),
        })).collect::<Vec<_>>(),
        "rounds": scenario.rounds.iter().enumerate().map(|(i, r)| json!({
            "number": i + 1, "name": r.name, "briefing": r.briefing,
            "events": r.events.iter().map(|e| json!({ "id": scenario.events[*e].id, "name": scenario.events[*e].name })).collect::<Vec<_>>(),
            "discussion": (!r.discussion.is_empty()).then_some(&r.discussion),
        })).collect::<Vec<_>>(),
        "paragraphs": paragraph_map(scenario).iter().map(|p| json!({
            "paragraph": p.paragraph,
            "moves": names(&p.moves, &move_name),
            "events": names(&p.events, &event_name),
            "interactions": names(&p.interactions, &interaction_text),
            "objectives": names(&p.objectives, &objective_name),
        })).collect::<Vec<_>>(),
    })
}
