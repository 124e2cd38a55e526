//! The instructor console in a real browser with the main scenario: a session created with bots,
//! the round length set in the lobby, a scenario event injected (and a refused one shown in
//! words), and the game ended early. The student plays the one human role on a phone.

use crate::cdp;
use crate::setup;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use cdp::{js, Page};
use setup::{LAPTOP, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instructor_runs_a_session_with_bots_and_events() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("the_instructor_runs_a_session_with_bots_and_events").await
    else {
        return;
    };
    // No source text is loaded in this test: the client asks, and the answer is a 404.
    let inst = setup::signed_in_instructor(&browser, &server, "#new-scenario option").await;
    let (code, role, role_name) = a_game_of_the_main_scenario_with_bots_but_one_role(&inst).await;
    let student = browser.page("student (phone)", PHONE.0, PHONE.1).await;
    let game = Game { base, dir, inst, student, role, role_name };

    the_round_length_set_in_the_lobby_shows_on_the_students_page(&game, &code).await;
    let event = an_injected_event_reaches_the_student_and_a_second_is_refused(&game).await;
    a_shared_computer_offers_the_seat_and_carrying_on_brings_the_round_back(&game, &event).await;
    the_round_resolves_with_the_bots_orders(&game).await;
    the_instructor_ends_the_game_early(&game).await;
    the_next_student_at_the_computer_is_asked_for_a_code(&game).await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// The instructor's and the student's pages, and the student's role.
struct Game {
    base: String,
    dir: PathBuf,
    inst: Page,
    student: Page,
    role: String,
    role_name: String,
}

/// A game of the scenario with events (the main one), with bots for every role but the first,
/// the student's. Returns its code and that role's id and name.
async fn a_game_of_the_main_scenario_with_bots_but_one_role(inst: &Page) -> (String, String, String) {
    // The scenario with events (the main one), and its first role for the student.
    let picked = inst
        .run(
            "(async () => { for (const s of await (await fetch('/api/scenarios')).json()) { \
               const full = await (await fetch('/api/scenarios/' + s.id)).json(); \
               if (full.events.length) return [s.id, full.roles[0].id, full.roles[0].name]; } return null; })()",
        )
        .await;
    let picked = picked.as_array().expect("a scenario with events is offered").clone();
    let (scenario, role, role_name) = (
        picked[0].as_str().unwrap().to_string(),
        picked[1].as_str().unwrap().to_string(),
        picked[2].as_str().unwrap().to_string(),
    );
    inst.select("#new-scenario", &scenario).await;
    inst.wait_for_selector("[data-bot]").await;
    // Bots for every role but the student's.
    inst.run(&format!(
        "document.querySelectorAll('[data-bot]').forEach(b => {{ b.checked = b.dataset.bot !== {}; }})",
        js(&role)
    ))
    .await;
    let (code, _) = setup::create_session(inst).await;
    inst.wait_for(
        "the bots in the table",
        "document.querySelectorAll('.live-table [data-draft]').length > 1 && \
         [...document.querySelectorAll('.live-table [data-draft]')].filter(c => c.textContent.includes('bot chooses')).length \
           === document.querySelectorAll('.live-table [data-draft]').length - 1",
    )
    .await;
    (code, role, role_name)
}

/// The student joins by the link with the code; the bot roles cannot be chosen; the round
/// length set in the lobby shows on the student's page; the game starts.
async fn the_round_length_set_in_the_lobby_shows_on_the_students_page(game: &Game, code: &str) {
    let Game { base, dir, inst, student, role, .. } = game;
    // The round length, set in the lobby, shows on the student's page.
    student.goto(&format!("{base}/#/join/{code}")).await;
    student.type_into("#nickname", "Sam").await;
    student.click("#join-name-form button[type=submit]").await;
    student.wait_for_selector(&format!("[data-choose={}]", js(role))).await;
    let bots = student
        .run("document.querySelectorAll('.role-card').length - document.querySelectorAll('[data-choose]').length")
        .await;
    assert!(bots.as_i64().unwrap_or(0) >= 1, "the bot roles cannot be chosen");
    student.click(&format!("[data-choose={}]", js(role))).await;
    inst.type_into("#deadline-minutes", "3").await;
    inst.click("#ctl-deadline").await;
    student
        .wait_for("the round length", "document.querySelector('[data-countdown]')?.textContent === 'Rounds of 3:00'")
        .await;

    inst.click("#ctl-start").await;
    student.wait_for("the round", "!!document.querySelector('#lock')").await;
    student.run("window.scrollTo(0, 0)").await;
    student.screenshot(dir, "main-scenario-round-phone").await;
    student.resize(LAPTOP.0, LAPTOP.1).await;
    student.screenshot(dir, "main-scenario-round-laptop").await;
    student.resize(PHONE.0, PHONE.1).await;
}

/// An event not in play, injected, reaches the student at once; injecting it again is refused
/// in words. Returns the event's id.
async fn an_injected_event_reaches_the_student_and_a_second_is_refused(game: &Game) -> String {
    let Game { dir, inst, student, .. } = game;
    // Inject an event that is not in play; the student sees it at once.
    let event = inst
        .wait_for(
            "an event to inject",
            "[...(document.querySelector('#inject-event')?.options || [])].find(o => !o.disabled)?.value",
        )
        .await;
    let event = event.as_str().expect("an event id").to_string();
    inst.select("#inject-event", &event).await;
    inst.click("#ctl-inject").await;
    student
        .wait_for("the injected event", &format!("!!document.querySelector('.event[data-event={}]')", js(&event)))
        .await;
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "instructor-console-events-laptop").await;
    // Injecting it again is refused, and the refusal is shown in words.
    inst.wait_for(
        "the event marked in play",
        &format!("document.querySelector('#inject-event option[value={}]')?.disabled", js(&event)),
    )
    .await;
    inst.run(&format!(
        "(() => {{ const s = document.querySelector('#inject-event'); s.value = {}; document.querySelector('#ctl-inject').click(); }})()",
        js(&event)
    ))
    .await;
    inst.wait_for(
        "the refusal in words",
        "document.querySelector('#controls-error .error')?.textContent.includes('already in play')",
    )
    .await;
    event
}

/// A shared computer: the tab closed and opened again offers the seat, not takes it; carrying
/// on in it brings the round back as it was.
async fn a_shared_computer_offers_the_seat_and_carrying_on_brings_the_round_back(game: &Game, event: &str) {
    let Game { dir, student, .. } = game;
    // A shared computer: the tab is closed (its session storage goes with it) and the page is
    // opened again. The seat the device remembers is offered, not taken; carrying on in it
    // brings the round back as it was.
    student.run("sessionStorage.clear()").await;
    student.reload().await;
    student
        .wait_for("the question", "document.querySelector('#seat-question')?.textContent.includes('Continue as Sam')")
        .await;
    assert_eq!(student.run("!!document.querySelector('#lock')").await, json!(false), "not seated before the answer");
    student.screenshot(dir, "student-seat-question-phone").await;
    student.click("#seat-continue").await;
    student
        .wait_for(
            "the round again",
            &format!(
                "!!document.querySelector('#lock') && !!document.querySelector('.event[data-event={}]')",
                js(event)
            ),
        )
        .await;
}

/// The student locks; bots are always ready, so the round resolves with their orders.
async fn the_round_resolves_with_the_bots_orders(game: &Game) {
    let Game { dir, student, .. } = game;
    // The student holds; bots are always ready, so the round resolves.
    student.click("#lock").await;
    student
        .wait_for_within("the report", "!!document.querySelector('.report[data-round=\"1\"]')", Duration::from_secs(20))
        .await;
    let bot_orders = student.run("document.querySelectorAll('.report[data-round=\"1\"] .outcome').length").await;
    assert!(bot_orders.as_i64().unwrap_or(0) >= 1, "the bots' orders are in the report");
    student.run("window.scrollTo(0, 0)").await;
    student.screenshot(dir, "main-scenario-report-phone").await;
}

/// The instructor ends the game early (asked twice): everyone gets the scores.
async fn the_instructor_ends_the_game_early(game: &Game) {
    let Game { inst, student, role_name, .. } = game;
    // The instructor ends the game early (asked twice): everyone gets the scores.
    inst.click("#ctl-end").await;
    inst.click("#ctl-end-yes").await;
    student.wait_for("the scores", "!!document.querySelector('.panel-scores.active .score.mine')").await;
    let mine = student.run("document.querySelector('.score.mine .score-role').textContent").await;
    assert_eq!(mine, format!("{role_name} (you)"));
    student
        .wait_for(
            "the early end",
            "document.querySelector('.panel-scores')?.textContent.includes('ended the game after 1 round')",
        )
        .await;
    inst.wait_for("the scores on the console", "!!document.querySelector('.console-report .scores')").await;
}

/// The next student at this computer is someone else: the device forgets the seat, and the
/// page asks for a code.
async fn the_next_student_at_the_computer_is_asked_for_a_code(game: &Game) {
    let Game { dir, inst, student, .. } = game;
    // The next student at this computer is someone else: the device forgets the seat, and the
    // page asks for a code.
    student.run("sessionStorage.clear()").await;
    student.reload().await;
    student.wait_for_selector("#seat-question").await;
    student.click("#seat-other").await;
    student.wait_for_selector("#join-code-form #code").await;
    assert_eq!(student.run("localStorage.getItem('third-neighbor.seat')").await, json!(null));
    inst.run("window.scrollTo(0, 0)").await;
    inst.resize(PHONE.0, PHONE.1).await;
    inst.screenshot(dir, "instructor-console-events-phone").await;
}
