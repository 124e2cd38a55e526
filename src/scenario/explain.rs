//! A scenario as plain text for a teacher to read before class (`third-neighbor scenario explain`):
//! the lesson, the rounds, the tracks, each role with its objective, memo and moves, the
//! interactions and events with the rules behind them, the debrief, and which essay paragraphs
//! drive play.

use std::fmt::{self, Write};

use super::describe::{effects_text, paragraph_map, show};
use crate::engine::model::{Lesson, Move, Role};
use crate::engine::{RoleId, Scenario};

/// The scenario as plain text for a teacher to review before class.
pub fn explain(scenario: &Scenario) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut out, scenario);
    out
}

fn write_all(out: &mut String, sc: &Scenario) -> fmt::Result {
    writeln!(
        out,
        "{} ({})\n{}\nSource: {} ({} paragraphs)\n",
        sc.title, sc.id, sc.summary, sc.source_title, sc.source_paragraphs
    )?;
    if let Some(lesson) = &sc.lesson {
        lesson_plan(out, lesson)?;
    }
    rounds(out, sc)?;
    tracks(out, sc)?;
    for (r, role) in sc.indexed_roles() {
        role_text(out, sc, r, role)?;
    }
    interactions(out, sc)?;
    events(out, sc)?;
    if let Some(lesson) = &sc.lesson {
        debrief(out, lesson)?;
    }
    paragraphs(out, sc)
}

fn cite(essay: &[u32]) -> String {
    essay.iter().map(|p| format!("¶{p}")).collect::<Vec<_>>().join(" ")
}

fn lesson_plan(out: &mut String, lesson: &Lesson) -> fmt::Result {
    writeln!(out, "LESSON ({} minutes)", lesson.minutes)?;
    for o in &lesson.objectives {
        writeln!(out, "  objective: {o}")?;
    }
    for step in &lesson.timing {
        writeln!(out, "  {:>3} min  {}", step.minutes, step.step)?;
    }
    for t in &lesson.terms {
        writeln!(out, "  term: {} — {}", t.term, t.meaning)?;
    }
    writeln!(out)
}

fn rounds(out: &mut String, sc: &Scenario) -> fmt::Result {
    writeln!(out, "ROUNDS")?;
    for (i, r) in sc.rounds.iter().enumerate() {
        let events: Vec<&str> = r.events.iter().map(|e| sc.events[*e].name.as_str()).collect();
        let events = if events.is_empty() { String::new() } else { format!(" [event: {}]", events.join(", ")) };
        writeln!(out, "  {}. {}{events}", i + 1, r.name)?;
        writeln!(out, "     {}", r.briefing)?;
        if !r.discussion.is_empty() {
            writeln!(out, "     Discuss: {}", r.discussion)?;
        }
    }
    Ok(())
}

fn tracks(out: &mut String, sc: &Scenario) -> fmt::Result {
    writeln!(out, "\nTRACKS")?;
    for t in &sc.tracks {
        let who = t
            .visible_to
            .as_ref()
            .map(|v| {
                let names: Vec<&str> = v.iter().map(|r| sc.roles[*r].name.as_str()).collect();
                format!(" (seen only by {})", names.join(", "))
            })
            .unwrap_or_default();
        writeln!(out, "  {:<18} {} to {}, starts at {}{who}: {}", t.id, t.min, t.max, t.start, t.summary)?;
    }
    Ok(())
}

fn role_text(out: &mut String, sc: &Scenario, r: RoleId, role: &Role) -> fmt::Result {
    writeln!(out, "\nROLE {} ({} action points)\n  {}", role.name, role.action_points, role.briefing)?;
    let terms: Vec<String> = role
        .objective
        .terms
        .iter()
        .map(|t| format!("{}{} x{}", if t.invert { "low " } else { "" }, t.label, t.weight))
        .collect();
    let objective = &role.objective;
    writeln!(out, "  Objective: {} {} — score: {}", objective.summary, cite(&objective.essay), terms.join(", "))?;
    if let Some(p) = &role.private_objective {
        writeln!(out, "  Private objective (only {} knows): {} {}", role.name, p.summary, cite(&p.essay))?;
    }
    if !role.memo.is_empty() {
        writeln!(out, "  Memo ({} words):", role.memo.split_whitespace().count())?;
        for paragraph in role.memo.split("\n\n") {
            writeln!(out, "    {}", paragraph.split_whitespace().collect::<Vec<_>>().join(" "))?;
        }
    }
    for (_, m) in sc.moves_of(r) {
        move_text(out, sc, m)?;
    }
    Ok(())
}

fn move_text(out: &mut String, sc: &Scenario, m: &Move) -> fmt::Result {
    writeln!(out, "  * {} [{}] cost {} {}", m.name, m.id, m.cost, cite(&m.essay))?;
    writeln!(out, "      {}", m.summary)?;
    if !m.targets.is_empty() {
        let names: Vec<&str> = m.targets.iter().map(|t| sc.targets[*t].name.as_str()).collect();
        writeln!(out, "      targets: {}", names.join(", "))?;
    }
    if let Some(j) = &m.joint {
        let partners: Vec<String> = j
            .partners
            .iter()
            .map(|p| {
                let who = p.role.map_or("its target".to_string(), |r| sc.roles[r].name.clone());
                // Several matching moves of one role: any of them joins in.
                let mut ids: Vec<&str> = p.moves.iter().map(|(_, m)| sc.moves[*m].id.as_str()).collect();
                ids.dedup();
                if ids.len() > 1 {
                    format!("{who} [{}]", ids.join(" or "))
                } else {
                    who
                }
            })
            .collect();
        let need = if j.need_all { "all needed" } else { "any one is enough" };
        writeln!(out, "      joint with {} ({need})", partners.join(" and "))?;
    }
    if let Some(e) = &m.available {
        writeln!(out, "      only when: {}", show(sc, e))?;
    }
    if let Some(e) = &m.requires {
        writeln!(out, "      fails unless: {}", show(sc, e))?;
    }
    if !m.effects.is_empty() {
        writeln!(out, "      on success: {}", effects_text(sc, &m.effects))?;
    }
    for (t, e) in &m.by_target {
        writeln!(out, "      aimed at {}: {}", sc.targets[*t].name, effects_text(sc, e))?;
    }
    if !m.on_fail.is_empty() {
        writeln!(out, "      on failure: {}", effects_text(sc, &m.on_fail))?;
    }
    if !m.unmet_text.is_empty() {
        writeln!(out, "      when its condition fails, the report says: {}", m.unmet_text)?;
    }
    Ok(())
}

fn interactions(out: &mut String, sc: &Scenario) -> fmt::Result {
    writeln!(out, "\nINTERACTIONS")?;
    for i in &sc.interactions {
        let once = if i.once { " (once)" } else { "" };
        writeln!(out, "  * {} {}{once}", i.id, cite(&i.essay))?;
        writeln!(out, "      when {}\n      then {}", show(sc, &i.when), effects_text(sc, &i.effects))?;
        writeln!(out, "      {}", i.text)?;
    }
    Ok(())
}

fn events(out: &mut String, sc: &Scenario) -> fmt::Result {
    writeln!(out, "\nEVENTS")?;
    for e in &sc.events {
        let random = if e.random_chance > 0 {
            format!(" ({}% chance in rounds {:?})", e.random_chance, e.random_rounds)
        } else {
            String::new()
        };
        writeln!(out, "  * {} [{}] {}{random}\n      {}", e.name, e.id, cite(&e.essay), e.text)?;
        if !e.effects.is_empty() {
            writeln!(out, "      effects: {}", effects_text(sc, &e.effects))?;
        }
        if let Some(c) = &e.choice {
            let answers: Vec<&str> = c.moves.iter().map(|m| sc.moves[*m].name.as_str()).collect();
            let (role, default) = (&sc.roles[c.role].name, &sc.moves[c.default].name);
            writeln!(out, "      {role} must choose: {} (default {default})", answers.join(" / "))?;
        }
    }
    Ok(())
}

fn debrief(out: &mut String, lesson: &Lesson) -> fmt::Result {
    writeln!(out, "\nDEBRIEF")?;
    for (n, q) in lesson.debrief_questions.iter().enumerate() {
        writeln!(out, "  {}. {q}", n + 1)?;
    }
    writeln!(out, "  Reflection: {}", lesson.reflection)?;
    if !lesson.caveats.is_empty() {
        writeln!(out, "\nCAVEATS (for the teacher)")?;
        for caveat in &lesson.caveats {
            writeln!(out, "  - {caveat}")?;
        }
    }
    Ok(())
}

fn paragraphs(out: &mut String, sc: &Scenario) -> fmt::Result {
    let map = paragraph_map(sc);
    let driving = map.iter().filter(|p| p.drives_play()).count();
    writeln!(out, "\nPARAGRAPHS ({driving} of {} drive a move, event or interaction)", map.len())?;
    for p in &map {
        let mut parts = Vec::new();
        for (label, list) in [
            ("moves", &p.moves),
            ("events", &p.events),
            ("interactions", &p.interactions),
            ("objectives", &p.objectives),
        ] {
            if !list.is_empty() {
                parts.push(format!("{label}: {}", list.join(", ")));
            }
        }
        let text = if parts.is_empty() { "nothing".to_string() } else { parts.join("; ") };
        writeln!(out, "  ¶{:<3} {text}", p.paragraph)?;
    }
    Ok(())
}
