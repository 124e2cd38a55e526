//! The lesson around a game, in real browsers, with the shipped `mongolia-2024` scenario: a student
//! reads its team's brief (memo and private objective, never another team's) in the lobby and in
//! the game and opens the key terms; after a round the instructor's console and the projector show
//! the round's discussion prompt (the student's screen never does); after the end the student
//! writes a reflection (an error in words, the count, saved, changed and sent again), the console
//! lists the reflections, the teacher's guide renders every section and prints its ¶ map on one
//! page, and the debrief and the replay reveal the memos and the reflections.
//! Screenshots: `target/screenshots/lesson-*.png`.

use crate::cdp;
use crate::setup;
use crate::ws_student;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::server::Server;
use cdp::{js, Browser, Page};
use serde_json::{json, Value};
use setup::{shots_here, LAPTOP, PHONE, PROJECTOR};
use ws_student::WsStudent;

const SCENARIO: &str = "mongolia-2024";
const ROLES: [&str; 4] = ["mongolia", "russia", "china", "us"];

/// Ana's reflection, then the version she sends instead; and Russia's.
const REFLECTION_1: &str = "First draft: receiving him kept the fuel coming. MARKER-first-7c2e";
const REFLECTION_2: &str =
    "I would have advised receiving Putin: in our game the fuel deal held the economy up (¶2, ¶10), \
     but the court's finding cost Mongolia its Western friends.\nMARKER-second-91ab";
const REFLECTION_RU: &str = "Russia got its visit and the fuel contract. MARKER-russia-5d40";

/// A piece of `text` that a page shows as it is: from the middle of its longest run without a ¶
/// reference or a line break (a ¶ becomes a button, a paragraph break a new paragraph).
fn marker(text: &str) -> String {
    let longest = text.split(['¶', '\n']).max_by_key(|piece| piece.chars().count()).unwrap_or_default();
    let chars: Vec<char> = longest.trim().chars().collect();
    let start = chars.len().saturating_sub(50) / 2;
    chars[start..chars.len().min(start + 50)].iter().collect()
}

/// Whether the page's text (hidden parts included) contains `needle`.
fn page_has(needle: &str) -> String {
    format!("document.documentElement.textContent.includes({})", js(needle))
}

/// Scrolls so that `selector` is at the top of the viewport.
async fn scroll_to(page: &Page, selector: &str) {
    page.run(&format!("document.querySelector({}).scrollIntoView({{block: 'start'}})", js(selector))).await;
}

/// The memo and private-objective markers of every role but `own` are nowhere on the page.
async fn no_other_brief(page: &Page, own: Option<&str>, briefs: &[(String, String, String)]) {
    let text = page.run("document.documentElement.textContent").await;
    let text = text.as_str().unwrap_or_default().to_string();
    let html = page.html().await;
    for (role, memo, aim) in briefs {
        if Some(role.as_str()) == own {
            continue;
        }
        for (what, m) in [("memo", memo), ("private objective", aim)] {
            assert!(
                !text.contains(m.as_str()) && !html.contains(m.as_str()),
                "[{}] shows {role}'s {what}: {m}",
                page.label
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_of_mongolia_in_browsers() {
    // A server on every interface, as for a class: the teacher's pages are at 127.0.0.1.
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage_with("a_lesson_of_mongolia_in_browsers", &["--addr", "0.0.0.0:0"]).await
    else {
        return;
    };
    let inst = setup::signed_in_instructor(&browser, &server, "#new-scenario option").await;
    let guide = Guide::of(&inst, &server).await;
    let (code, session_id) = the_instructor_sets_up_a_game_with_bots(&inst).await;
    let proj = browser.page("projector", PROJECTOR.0, PROJECTOR.1).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    proj.wait_for_selector(".proj-code-value").await;
    the_projector_gives_this_computers_network_address(&inst, &proj, &base, &code, &dir).await;
    let (ana, boris) = students_join_and_read_their_briefs(&browser, &base, &code, &guide, &dir).await;
    let room = Room { base, dir, session_id, inst, proj, ana, boris };

    in_the_game_the_brief_has_its_own_tab(&room, &guide).await;
    round_1_gives_the_teacher_its_discussion_prompt(&room, &guide).await;
    after_the_end_a_student_writes_a_reflection(&room, &guide).await;
    the_console_lists_the_latest_reflections(&room).await;
    the_teachers_guide_shows_the_kit_and_prints(&room, &guide).await;
    the_debrief_shows_questions_reflections_and_memos(&room, &guide).await;
    the_replay_shows_memos_by_lens_and_reflections_as_steps(&room, &guide).await;

    // Nothing went wrong in any page.
    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// What the teacher's guide says (from the API), to know what each page must and must not show.
struct Guide {
    json: Value,
    /// (role, memo marker, private objective marker) for every role.
    briefs: Vec<(String, String, String)>,
    /// Round 1's discussion prompt, without its ¶ references.
    discussion_1: String,
    first_term: String,
    reflection_prompt: String,
}

impl Guide {
    async fn of(inst: &Page, server: &Server) -> Guide {
        let guide = inst
            .run(&format!(
                "fetch('/api/scenarios/{SCENARIO}/guide', {{headers: {{Authorization: 'Bearer ' + {}}}}}).then(r => r.json())",
                js(&server.key)
            ))
            .await;
        let lesson = &guide["lesson"];
        let role_of = |id: &str| -> Value {
            guide["roles"].as_array().expect("roles").iter().find(|r| r["id"] == id).cloned().expect("a role")
        };
        let briefs: Vec<(String, String, String)> = ROLES
            .iter()
            .map(|id| {
                let r = role_of(id);
                let memo = r["memo"].as_str().expect("a memo");
                let aim = r["private_objective"]["summary"].as_str().expect("a private objective");
                (id.to_string(), marker(memo), marker(aim))
            })
            .collect();
        let discussion_1 = guide["rounds"][0]["discussion"].as_str().expect("round 1's prompt");
        let discussion_1 = discussion_1.split('(').next().unwrap_or(discussion_1).trim().to_string();
        let first_term = lesson["terms"][0]["term"].as_str().expect("a key term").to_string();
        let reflection_prompt = marker(lesson["reflection"].as_str().expect("a reflection prompt"));
        Guide { json: guide, briefs, discussion_1, first_term, reflection_prompt }
    }

    fn brief_of(&self, id: &str) -> (String, String, String) {
        self.briefs.iter().find(|(r, _, _)| r == id).cloned().expect("a brief")
    }
}

/// On a server listening on every interface, the console and the projector opened at 127.0.0.1
/// give students this computer's network address (the one its route out leaves from), and the
/// projector's QR code, read as a phone's camera would, opens the join screen there. A machine
/// without a route out has no such address: the page's own then.
async fn the_projector_gives_this_computers_network_address(
    inst: &Page,
    proj: &Page,
    base: &str,
    code: &str,
    dir: &Path,
) {
    let port = base.rsplit(':').next().expect("a port");
    let route = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").and_then(|()| s.local_addr()))
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    let host = route.map_or_else(|| format!("127.0.0.1:{port}"), |ip| format!("{ip}:{port}"));
    proj.wait_for(
        "the network address on the projector",
        &format!("document.querySelector('.proj-url')?.textContent === {}", js(&host)),
    )
    .await;
    assert_eq!(proj.run("!!document.querySelector('#students-unreachable')").await, json!(false));
    inst.wait_for(
        "the network address on the console",
        &format!("document.querySelector('.console-go-to .students-host')?.textContent === {}", js(&host)),
    )
    .await;
    let link = format!("http://{host}/#/join/{code}");
    proj.wait_for(
        "the QR code",
        "(() => { const i = document.querySelector('.proj-qr img'); return !!i && i.complete && i.naturalWidth > 0; })()",
    )
    .await;
    let shot = proj.screenshot(dir, "lesson-projector-lobby-1920").await;
    if let Some(read) = setup::read_qr(&shot) {
        assert_eq!(read, link, "what a phone's camera reads");
    }
}

/// The pages of the game: the instructor's console, the projector, Ana (a phone) playing
/// Mongolia and Boris (a plain WebSocket) Russia.
struct Room {
    base: String,
    dir: PathBuf,
    session_id: String,
    inst: Page,
    proj: Page,
    ana: Page,
    boris: WsStudent,
}

/// The instructor loads the essay's stand-in text, finds the guide's links on the dashboard and
/// creates a game with bots for China and the United States. Returns its code and session id.
async fn the_instructor_sets_up_a_game_with_bots(inst: &Page) -> (String, String) {
    // The essay's stand-in text, so that ¶ references are buttons that open the paragraph.
    inst.select("#source-scenario", SCENARIO).await;
    inst.wait_for("the source status", "document.querySelector('#source-status')?.dataset.loaded === '0'").await;
    inst.type_into("#source-text", &setup::stand_in_source(19)).await;
    inst.click("#source-form button[type=submit]").await;
    inst.wait_for("the source loaded", "document.querySelector('#source-status')?.dataset.loaded === '19'").await;

    // The dashboard links to the guide: from the scenario list and from the new-session form.
    inst.wait_for_selector(&format!("#scenarios-card [data-guide={}]", js(SCENARIO))).await;
    inst.select("#new-scenario", SCENARIO).await;
    let href = inst.run("document.querySelector('#new-guide-link').getAttribute('href')").await;
    assert_eq!(href, format!("#/instructor/guide/{SCENARIO}"), "the new-session form's guide link");

    // A session with bots for China and the United States: Ana (a phone) plays Mongolia, Boris
    // (a plain WebSocket) Russia.
    inst.click("[data-bot=china]").await;
    inst.click("[data-bot=us]").await;
    inst.type_into("#new-minutes", "10").await;
    let (code, session_id) = setup::create_session(inst).await;
    (code, session_id)
}

/// Ana (a phone) joins and reads Mongolia's brief in the lobby (none before a role, never
/// another team's) and the key terms; Boris joins Russia over a plain WebSocket.
async fn students_join_and_read_their_briefs(
    browser: &Browser,
    base: &str,
    code: &str,
    guide_data: &Guide,
    dir: &Path,
) -> (Page, WsStudent) {
    let briefs = &guide_data.briefs;
    let first_term = &guide_data.first_term;
    let ana = browser.page("Ana (mongolia, phone)", PHONE.0, PHONE.1).await;
    setup::join_by_code(&ana, base, code, "Ana", "[data-choose=mongolia]").await;
    // Before a role: no brief at all.
    assert_eq!(ana.run("!!document.querySelector('#brief')").await, json!(false), "no brief before a role");
    no_other_brief(&ana, None, briefs).await;
    ana.click("[data-choose=mongolia]").await;
    let (_, memo_mn, aim_mn) = guide_data.brief_of("mongolia");
    ana.wait_for(
        "the brief in the lobby",
        "!!document.querySelector('.panel-round.active #brief[data-brief-role=mongolia]')",
    )
    .await;
    ana.wait_for("Mongolia's memo", &page_has(&memo_mn)).await;
    ana.wait_for("Mongolia's private objective", &page_has(&aim_mn)).await;
    let confidential = ana.run("document.querySelector('#brief .confidential')?.textContent || ''").await;
    assert!(confidential.as_str().unwrap_or_default().contains("Confidential"), "marked confidential: {confidential}");
    // The memo cites the essay as the move cards do: ¶ buttons that open the paragraph.
    ana.wait_for("¶ buttons in the memo", "document.querySelectorAll('#brief .memo .para').length >= 3").await;
    no_other_brief(&ana, Some("mongolia"), briefs).await;

    let boris = WsStudent::join_as(base, code, "Boris", "russia").await;
    let (_, memo_ru, _) = guide_data.brief_of("russia");
    let boris_state = boris.wait_for("Russia's memo", |s| s["you"]["memo"].is_string()).await;
    assert!(boris_state["you"]["memo"].as_str().is_some_and(|m| m.contains(&memo_ru)));

    ana.resize(PHONE.0, PHONE.1).await;
    scroll_to(&ana, "#brief").await;
    ana.screenshot(dir, "lesson-student-brief-phone").await;
    setup::all_labelled(&ana).await;

    // The key terms open from the header, in a dialog that gives focus back when closed.
    ana.click("#open-glossary").await;
    ana.wait_for(
        "the key terms",
        &format!("document.querySelector('dialog#glossary[open]')?.textContent.includes({})", js(first_term)),
    )
    .await;
    ana.screenshot(dir, "lesson-glossary-phone").await;
    ana.click("#glossary-close").await;
    ana.wait_for(
        "the glossary closed",
        "!document.querySelector('dialog#glossary[open]') && document.activeElement?.id === 'open-glossary'",
    )
    .await;
    (ana, boris)
}

/// In the game the brief is under its own tab, still with no other team's.
async fn in_the_game_the_brief_has_its_own_tab(room: &Room, guide_data: &Guide) {
    let Room { dir, inst, ana, .. } = room;
    let Guide { briefs, .. } = guide_data;
    let (_, memo_mn, _) = guide_data.brief_of("mongolia");
    inst.wait_for("both students in the table", "document.querySelectorAll('.live-table .player').length === 4").await;
    inst.click("#ctl-start").await;
    ana.wait_for("round 1", "!!document.querySelector('#lock')").await;
    ana.click(".tab[data-tab=brief]").await;
    ana.wait_for("the brief tab", "!!document.querySelector('.panel-brief.active #brief[data-brief-role=mongolia]')")
        .await;
    ana.wait_for("the memo during the game", &page_has(&memo_mn)).await;
    ana.resize(LAPTOP.0, LAPTOP.1).await;
    ana.run("window.scrollTo(0, 0)").await;
    ana.screenshot(dir, "lesson-student-brief-laptop").await;
    no_other_brief(ana, Some("mongolia"), briefs).await;
    ana.click(".tab[data-tab=round]").await;
}

/// Round 1 resolves: its discussion prompt is on the console and the projector, never on the
/// student's screen.
async fn round_1_gives_the_teacher_its_discussion_prompt(room: &Room, guide_data: &Guide) {
    let Room { dir, inst, proj, ana, boris, .. } = room;
    let Guide { briefs, discussion_1, .. } = guide_data;
    ana.click("#lock").await;
    boris.ready();
    inst.wait_for_within(
        "the prompt on the console",
        &format!(
            "document.querySelector('.console-report [data-discussion=\"1\"]')?.textContent.includes({})",
            js(discussion_1)
        ),
        Duration::from_secs(20),
    )
    .await;
    proj.wait_for(
        "the prompt on the projector",
        &format!(
            "document.querySelector('.proj-report [data-discussion=\"1\"]')?.textContent.includes({})",
            js(discussion_1)
        ),
    )
    .await;
    ana.wait_for("Ana's report", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    assert_eq!(ana.run(&page_has(discussion_1)).await, json!(false), "the prompt is the teacher's to ask");
    assert_eq!(ana.run("!!document.querySelector('[data-discussion]')").await, json!(false));
    no_other_brief(proj, None, briefs).await;
    scroll_to(inst, "#console-report-title").await;
    inst.screenshot(dir, "lesson-console-discussion-laptop").await;
    proj.run("window.scrollTo(0, 0)").await;
    proj.screenshot(dir, "lesson-projector-discussion-1920").await;
}

/// After the end a student writes a reflection: an error in words, the live count, saved,
/// changed and sent again, kept over a reload.
async fn after_the_end_a_student_writes_a_reflection(room: &Room, guide_data: &Guide) {
    let Room { dir, inst, proj, ana, boris, .. } = room;
    let Guide { briefs, reflection_prompt, .. } = guide_data;
    inst.click("#ctl-end").await;
    inst.click("#ctl-end-yes").await;
    ana.wait_for("the final scores", "!!document.querySelector('.panel-scores.active .scores')").await;
    // The projector keeps the last prompt up with the final scores.
    proj.wait_for("the prompt with the final scores", "!!document.querySelector('.proj-report .scores') && !!document.querySelector('.proj-report [data-discussion=\"1\"]')")
        .await;
    ana.click("#to-reflection").await;
    ana.wait_for("the reflection form", "!!document.querySelector('.panel-round.active #reflection-form')").await;
    let tab = ana.run("document.querySelector('.tab[data-tab=round]').textContent").await;
    assert_eq!(tab, "Reflect", "after the game the first tab is the reflection");
    ana.wait_for(
        "the prompt",
        &format!("document.querySelector('#reflection-prompt')?.textContent.includes({})", js(reflection_prompt)),
    )
    .await;
    assert_eq!(
        ana.run("document.querySelector('#reflection-send').disabled").await,
        json!(true),
        "nothing to send yet"
    );
    // The server refuses invisible characters, and the page says why in words.
    ana.type_into("#reflection-text", "a\u{202e}b").await;
    ana.click("#reflection-send").await;
    ana.wait_for(
        "the refusal in words",
        "document.querySelector('#reflection-error .error')?.textContent.includes('invisible characters')",
    )
    .await;
    // The count is live, and past 2,000 characters sending is not offered.
    ana.run("(() => { const t = document.querySelector('#reflection-text'); t.value = 'x'.repeat(2001); t.dispatchEvent(new Event('input')); })()")
        .await;
    ana.wait_for(
        "one character too many",
        "document.querySelector('#reflection-count.over')?.textContent.includes('1 too many')",
    )
    .await;
    assert_eq!(ana.run("document.querySelector('#reflection-send').disabled").await, json!(true), "too long to send");
    ana.type_into("#reflection-text", REFLECTION_1).await;
    let count = ana.run("document.querySelector('#reflection-count').dataset.count").await;
    assert_eq!(count, REFLECTION_1.chars().count().to_string(), "the live count");
    ana.click("#reflection-send").await;
    ana.wait_for("saved", "document.querySelector('#reflection-status')?.dataset.saved === '1'").await;
    ana.wait_for(
        "what the teacher has",
        &format!("document.querySelector('#reflection-saved-text')?.textContent === {}", js(REFLECTION_1)),
    )
    .await;
    assert_eq!(ana.run("document.querySelector('#reflection-error').textContent").await, "", "the old error is gone");
    // Changed and sent again: the new version replaces the first.
    ana.type_into("#reflection-text", REFLECTION_2).await;
    ana.wait_for("not sent yet", "document.querySelector('#reflection-status')?.textContent.includes('not sent yet')")
        .await;
    ana.click("#reflection-send").await;
    ana.wait_for(
        "the new version saved",
        &format!(
            "document.querySelector('#reflection-status')?.dataset.saved === '1' && document.querySelector('#reflection-saved-text')?.textContent === {}",
            js(REFLECTION_2)
        ),
    )
    .await;
    ana.run("window.scrollTo(0, 0)").await;
    shots_here(ana, dir, "lesson-reflection", LAPTOP).await;
    setup::all_labelled(ana).await;
    // A reload brings back what the server kept.
    ana.reload().await;
    ana.click(".tab[data-tab=round]").await;
    ana.wait_for(
        "the reflection after a reload",
        &format!("document.querySelector('#reflection-saved-text')?.textContent === {}", js(REFLECTION_2)),
    )
    .await;
    no_other_brief(ana, Some("mongolia"), briefs).await;

    boris.send(json!({ "type": "reflect", "id": "reflect", "text": REFLECTION_RU }));
    boris.wait_for("Boris's reflection kept", |s| s["you"]["reflection"] == REFLECTION_RU).await;
}

/// The console lists each student's latest reflection and who wrote it.
async fn the_console_lists_the_latest_reflections(room: &Room) {
    let Room { dir, inst, .. } = room;
    inst.wait_for(
        "both reflections on the console",
        "document.querySelector('#reflections-count')?.dataset.count === '2'",
    )
    .await;
    let listed = inst.run("document.querySelector('#console-reflections').textContent").await;
    let listed = listed.as_str().unwrap_or_default();
    assert!(listed.contains("MARKER-second-91ab") && listed.contains("MARKER-russia-5d40"), "{listed}");
    assert!(!listed.contains("MARKER-first-7c2e"), "only the latest of Ana's: {listed}");
    assert!(listed.contains("Ana") && listed.contains("Mongolia"), "who wrote it: {listed}");
    scroll_to(inst, "#console-reflections").await;
    inst.screenshot(dir, "lesson-console-reflections-laptop").await;
}

/// The teacher's guide, from the console: every section, every memo and objective, the ¶ map;
/// printed, its navigation hidden and the map on one page.
async fn the_teachers_guide_shows_the_kit_and_prints(room: &Room, guide_data: &Guide) {
    let Room { dir, inst, .. } = room;
    let Guide { briefs, reflection_prompt, json: guide, .. } = guide_data;
    let lesson = &guide_data.json["lesson"];
    inst.click("#to-guide").await;
    inst.wait_for("the guide", "!!document.querySelector('#guide-map') && !document.querySelector('#main[aria-busy]')")
        .await;
    for id in
        ["guide-lesson", "guide-timing", "guide-terms", "guide-roles", "guide-rounds", "guide-debrief", "guide-map"]
    {
        let heading = inst.run(&format!("document.querySelector('#{id} h2')?.textContent || ''")).await;
        assert!(!heading.as_str().unwrap_or_default().is_empty(), "the guide's section {id}");
    }
    let objectives = inst.run("document.querySelectorAll('#guide-lesson .guide-objectives li').length").await;
    assert_eq!(objectives, lesson["objectives"].as_array().map(Vec::len).unwrap_or(0), "every objective");
    // The caveats: what the teacher should say the scenario takes from elsewhere or stretches.
    let caveats = lesson["caveats"].as_array().expect("the guide's caveats");
    assert!(!caveats.is_empty(), "{SCENARIO} has caveats for the teacher");
    let shown =
        inst.run("[...document.querySelectorAll('#guide-lesson #guide-caveats li')].map(li => li.textContent)").await;
    assert_eq!(shown.as_array().map(Vec::len), Some(caveats.len()), "every caveat: {shown}");
    let first = caveats[0].as_str().unwrap_or_default();
    let opening = first.split(" (¶").next().unwrap_or_default();
    assert!(shown[0].as_str().unwrap_or_default().starts_with(opening), "the first caveat: {shown}");
    let steps = inst.run("document.querySelectorAll('.timing-table tbody tr').length").await;
    assert_eq!(steps, lesson["timing"].as_array().map(Vec::len).unwrap_or(0), "every step of the timing plan");
    let total = inst.run("document.querySelector('.timing-table tfoot strong').textContent").await;
    assert_eq!(total, lesson["minutes"].to_string(), "the plan's total minutes");
    let terms = inst.run("document.querySelectorAll('#guide-terms dt').length").await;
    assert_eq!(terms, lesson["terms"].as_array().map(Vec::len).unwrap_or(0), "every key term");
    for (role, memo, aim) in briefs {
        inst.wait_for(
            &format!("{role}'s memo and private objective in the guide"),
            &format!(
                "(() => {{ const t = document.querySelector('.guide-role[data-role={}]')?.textContent || ''; return t.includes({}) && t.includes({}); }})()",
                js(role),
                js(memo),
                js(aim)
            ),
        )
        .await;
    }
    let prompts = inst.run("document.querySelectorAll('.guide-round .discussion').length").await;
    assert_eq!(prompts, guide["rounds"].as_array().map(Vec::len).unwrap_or(0), "every round's prompt");
    let questions = inst.run("document.querySelectorAll('#guide-debrief .guide-questions li').length").await;
    assert_eq!(questions, lesson["debrief_questions"].as_array().map(Vec::len).unwrap_or(0), "every debrief question");
    inst.wait_for(
        "the reflection prompt",
        &format!("document.querySelector('#guide-reflection')?.textContent.includes({})", js(reflection_prompt)),
    )
    .await;
    // The ¶ map: a row per paragraph, each with what it drives.
    let paragraphs = guide["paragraphs"].as_array().expect("the ¶ map");
    let rows = inst.run("document.querySelectorAll('.paragraph-map tbody tr').length").await;
    assert_eq!(rows, paragraphs.len(), "a row per paragraph");
    for p in paragraphs {
        for (column, kind) in [(2, "moves"), (3, "events"), (4, "interactions"), (5, "objectives")] {
            for item in p[kind].as_array().into_iter().flatten() {
                // The map says "(private)" for a team's private objective.
                let name = item["name"].as_str().unwrap_or_default().replace(" (private objective)", " (private)");
                let cell = inst
                    .run(&format!(
                        "document.querySelector('.paragraph-map tr[data-paragraph=\"{}\"] td:nth-child({column})')?.textContent || ''",
                        p["paragraph"]
                    ))
                    .await;
                assert!(
                    cell.as_str().unwrap_or_default().contains(&name),
                    "¶{} drives {kind} {name}: {cell}",
                    p["paragraph"]
                );
            }
        }
    }
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "lesson-guide-laptop").await;
    scroll_to(inst, "#guide-map").await;
    inst.screenshot(dir, "lesson-guide-map-laptop").await;
    inst.resize(PHONE.0, PHONE.1).await;
    scroll_to(inst, "#guide-roles").await;
    inst.screenshot(dir, "lesson-guide-roles-phone").await;
    inst.resize(LAPTOP.0, LAPTOP.1).await;
    setup::all_labelled(inst).await;

    // Print: the button prints; the navigation and buttons are hidden; the ¶ map fits a page.
    inst.run("window.__printed = 0; window.print = () => { window.__printed += 1; }").await;
    inst.click("#guide-print").await;
    assert_eq!(inst.run("window.__printed").await, 1, "the Print button prints");
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
    let hidden = inst
        .run("['.crumbs', '#guide-print', '.guide-toc'].map(s => getComputedStyle(document.querySelector(s)).display === 'none' || getComputedStyle(document.querySelector(s).parentElement).display === 'none')")
        .await;
    assert_eq!(hidden, json!([true, true, true]), "printing hides the navigation and the buttons");
    let breaks = inst
        .run("['#guide-roles', '#guide-rounds', '#guide-map'].map(s => getComputedStyle(document.querySelector(s)).breakBefore)")
        .await;
    assert_eq!(breaks, json!(["page", "page", "page"]), "the teams, the rounds and the ¶ map start a page");
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "lesson-guide-print").await;
    // The narrowest and the shortest of the usual papers, less the print margins (14 mm): an A4
    // page is 182 mm (688 CSS pixels) wide, a US Letter page 251 mm (950 pixels) high.
    inst.resize(688, 950).await;
    let map_height = inst.run("document.querySelector('#guide-map').getBoundingClientRect().height").await;
    let map_height = map_height.as_f64().expect("a height");
    scroll_to(inst, "#guide-map").await;
    inst.screenshot(dir, "lesson-guide-map-print").await;
    assert!(map_height > 300.0 && map_height <= 950.0, "the ¶ map fits one printed page: {map_height} px");
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "" })).await;
    inst.resize(LAPTOP.0, LAPTOP.1).await;
}

/// The debrief: the questions, the reflections and every team's memo.
async fn the_debrief_shows_questions_reflections_and_memos(room: &Room, guide_data: &Guide) {
    let Room { base, dir, session_id, inst, .. } = room;
    let Guide { briefs, .. } = guide_data;
    let lesson = &guide_data.json["lesson"];
    inst.goto(&format!("{base}/#/instructor/debrief/{session_id}")).await;
    inst.wait_for("the debrief", "!!document.querySelector('#debrief-memos')").await;
    let questions = inst.run("document.querySelectorAll('#debrief-questions li').length").await;
    assert_eq!(questions, lesson["debrief_questions"].as_array().map(Vec::len).unwrap_or(0), "the debrief questions");
    let caveats = inst.run("document.querySelectorAll('#debrief-caveats li').length").await;
    assert_eq!(
        caveats,
        lesson["caveats"].as_array().map(Vec::len).unwrap_or(0),
        "the caveats, to frame the discussion"
    );
    let reflections = inst.run("document.querySelector('#debrief-reflections').textContent").await;
    let reflections = reflections.as_str().unwrap_or_default();
    assert!(reflections.contains("MARKER-second-91ab") && reflections.contains("MARKER-russia-5d40"), "{reflections}");
    let memos = inst.run("document.querySelectorAll('#debrief-memos .debrief-memo').length").await;
    assert_eq!(memos, ROLES.len(), "every team's memo");
    for (role, memo, aim) in briefs {
        let text = inst
            .run(&format!("document.querySelector('.debrief-memo[data-role={}]')?.textContent || ''", js(role)))
            .await;
        let text = text.as_str().unwrap_or_default();
        assert!(text.contains(memo.as_str()) && text.contains(aim.as_str()), "{role}'s memo in the debrief");
    }
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "lesson-debrief-laptop").await;
    scroll_to(inst, "#debrief-reflections").await;
    inst.screenshot(dir, "lesson-debrief-reflections-laptop").await;
}

/// The replay: every memo declassified, a role's lens only its own, reflections as steps.
async fn the_replay_shows_memos_by_lens_and_reflections_as_steps(room: &Room, guide_data: &Guide) {
    let Room { base, dir, session_id, inst, .. } = room;
    let (_, memo_mn, _) = guide_data.brief_of("mongolia");
    let (_, memo_ru, _) = guide_data.brief_of("russia");
    inst.goto(&format!("{base}/#/instructor/replay/{session_id}")).await;
    inst.wait_for("every memo, declassified", "document.querySelectorAll('#replay-memos .replay-memo').length === 4")
        .await;
    inst.wait_for(
        "a reflection as the last step",
        "!!document.querySelector('.replay-detail[data-kind=reflected] .reflection-text')",
    )
    .await;
    inst.select("#replay-lens", "role:russia").await;
    inst.wait_for(
        "Russia's memo in its lens",
        &format!(
            "document.querySelectorAll('#replay-memos .replay-memo').length === 1 && document.querySelector('#replay-memos .replay-memo[data-role=russia]')?.textContent.includes({})",
            js(&memo_ru)
        ),
    )
    .await;
    let replay_text = inst.run("document.querySelector('#replay-memos').textContent").await;
    assert!(!replay_text.as_str().unwrap_or_default().contains(&memo_mn), "Russia's lens shows no other memo");
    assert_eq!(
        inst.run("!!document.querySelector('[data-kind=reflected]')").await,
        json!(false),
        "reflections are declassified only"
    );
    scroll_to(inst, "#replay-memos").await;
    inst.screenshot(dir, "lesson-replay-memo-laptop").await;
    inst.select("#replay-lens", "public").await;
    inst.wait_for("no memo in the public lens", "document.querySelector('#replay-memos').hidden === true").await;
}
