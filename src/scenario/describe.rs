//! Scenarios for people: the JSON that clients read and the plain text a teacher reviews.

use serde_json::{json, Value};

use crate::engine::expr::{ArithOp, CmpOp, Expr};
use crate::engine::model::{Effect, Scenario};

/// An expression written back in the scenario language, with names instead of indexes.
pub fn show(scenario: &Scenario, expr: &Expr) -> String {
    let mv = |m: usize, t: &Option<usize>| {
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

/// The JSON that `GET /api/scenarios/{id}` serves: everything a client shows about a scenario.
pub fn to_json(scenario: &Scenario) -> Value {
    let role_id = |r: usize| scenario.roles[r].id.clone();
    json!({
        "id": scenario.id,
        "title": scenario.title,
        "summary": scenario.summary,
        "source": { "title": scenario.source_title, "paragraphs": scenario.source_paragraphs },
        "roles": scenario.roles.iter().map(|r| json!({
            "id": r.id, "name": r.name, "briefing": r.briefing, "action_points": r.action_points,
            "objective": {
                "summary": r.objective.summary, "essay": r.objective.essay,
                "score": r.objective.terms.iter().map(|t| json!({
                    "label": t.label,
                    "tracks": t.tracks.iter().map(|i| scenario.tracks[*i].id.clone()).collect::<Vec<_>>(),
                    "weight": t.weight, "invert": t.invert,
                })).collect::<Vec<_>>(),
            },
        })).collect::<Vec<_>>(),
        "tracks": scenario.tracks.iter().map(|t| json!({
            "id": t.id, "name": t.name, "summary": t.summary, "min": t.min, "max": t.max, "start": t.start,
            "visible_to": t.visible_to.as_ref().map(|v| v.iter().map(|r| role_id(*r)).collect::<Vec<_>>()),
        })).collect::<Vec<_>>(),
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
        })).collect::<Vec<_>>(),
    })
}

/// The scenario as plain text for a teacher to review before class.
pub fn explain(scenario: &Scenario) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let cite = |essay: &[u32]| essay.iter().map(|p| format!("¶{p}")).collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        out,
        "{} ({})\n{}\nSource: {} ({} paragraphs)\n",
        scenario.title, scenario.id, scenario.summary, scenario.source_title, scenario.source_paragraphs
    );
    let _ = writeln!(out, "ROUNDS");
    for (i, r) in scenario.rounds.iter().enumerate() {
        let events: Vec<&str> = r.events.iter().map(|e| scenario.events[*e].name.as_str()).collect();
        let _ = writeln!(
            out,
            "  {}. {}{}",
            i + 1,
            r.name,
            if events.is_empty() { String::new() } else { format!(" [event: {}]", events.join(", ")) }
        );
        let _ = writeln!(out, "     {}", r.briefing);
    }
    let _ = writeln!(out, "\nTRACKS");
    for t in &scenario.tracks {
        let who = t
            .visible_to
            .as_ref()
            .map(|v| {
                format!(
                    " (seen only by {})",
                    v.iter().map(|r| scenario.roles[*r].name.as_str()).collect::<Vec<_>>().join(", ")
                )
            })
            .unwrap_or_default();
        let _ = writeln!(out, "  {:<18} {} to {}, starts at {}{who}: {}", t.id, t.min, t.max, t.start, t.summary);
    }
    for (r, role) in scenario.roles.iter().enumerate() {
        let _ = writeln!(out, "\nROLE {} ({} action points)\n  {}", role.name, role.action_points, role.briefing);
        let terms: Vec<String> = role
            .objective
            .terms
            .iter()
            .map(|t| format!("{}{} x{}", if t.invert { "low " } else { "" }, t.label, t.weight))
            .collect();
        let _ = writeln!(
            out,
            "  Objective: {} {} — score: {}",
            role.objective.summary,
            cite(&role.objective.essay),
            terms.join(", ")
        );
        for (_, m) in scenario.moves_of(r) {
            let _ = writeln!(out, "  * {} [{}] cost {} {}", m.name, m.id, m.cost, cite(&m.essay));
            let _ = writeln!(out, "      {}", m.summary);
            if !m.targets.is_empty() {
                let _ = writeln!(
                    out,
                    "      targets: {}",
                    m.targets.iter().map(|t| scenario.targets[*t].name.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            if let Some(j) = &m.joint {
                let partners: Vec<String> = j
                    .partners
                    .iter()
                    .map(|p| p.role.map_or("its target".to_string(), |r| scenario.roles[r].name.clone()))
                    .collect();
                let _ = writeln!(
                    out,
                    "      joint with {} ({})",
                    partners.join(" and "),
                    if j.need_all { "all needed" } else { "any one is enough" }
                );
            }
            if let Some(e) = &m.available {
                let _ = writeln!(out, "      only when: {}", show(scenario, e));
            }
            if let Some(e) = &m.requires {
                let _ = writeln!(out, "      fails unless: {}", show(scenario, e));
            }
            if !m.effects.is_empty() {
                let _ = writeln!(out, "      on success: {}", effects_text(scenario, &m.effects));
            }
            for (t, e) in &m.by_target {
                let _ = writeln!(out, "      aimed at {}: {}", scenario.targets[*t].name, effects_text(scenario, e));
            }
            if !m.on_fail.is_empty() {
                let _ = writeln!(out, "      on failure: {}", effects_text(scenario, &m.on_fail));
            }
        }
    }
    let _ = writeln!(out, "\nINTERACTIONS");
    for i in &scenario.interactions {
        let _ = writeln!(
            out,
            "  * {} {}{}\n      when {}\n      then {}",
            i.id,
            cite(&i.essay),
            if i.once { " (once)" } else { "" },
            show(scenario, &i.when),
            effects_text(scenario, &i.effects)
        );
        let _ = writeln!(out, "      {}", i.text);
    }
    let _ = writeln!(out, "\nEVENTS");
    for e in &scenario.events {
        let random = if e.random_chance > 0 {
            format!(" ({}% chance in rounds {:?})", e.random_chance, e.random_rounds)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  * {} [{}] {}{random}\n      {}", e.name, e.id, cite(&e.essay), e.text);
        if !e.effects.is_empty() {
            let _ = writeln!(out, "      effects: {}", effects_text(scenario, &e.effects));
        }
        if let Some(c) = &e.choice {
            let _ = writeln!(
                out,
                "      {} must choose: {} (default {})",
                scenario.roles[c.role].name,
                c.moves.iter().map(|m| scenario.moves[*m].name.as_str()).collect::<Vec<_>>().join(" / "),
                scenario.moves[c.default].name
            );
        }
    }
    out
}
