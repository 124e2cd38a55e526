//! The instructor's stored games in a real browser: a tutorial game played to the end (three bots
//! and one student, so that a message of a role's player can be a promise), then the stored-games
//! list (filters, an export, a fork and its deletion), the replay viewer (the slider moved with the
//! keyboard, the lenses: a private message shows when declassified and not in public) and the
//! printable debrief. Screenshots at phone and laptop size go to `target/screenshots/`.

use crate::cdp;
use crate::setup;

use std::path::PathBuf;
use std::time::Duration;

use crate::server::Server;
use cdp::{js, Browser, Page};
use serde_json::json;
use setup::{shots, LAPTOP};

/// Only Mongolia's players (and the declassified view, and China's) may read this.
const PRIVATE: &str = "Shall we Sign a trade deal with China next round? (private-marker-41)";
/// Mongolia's promise, to everyone, made the same round.
const PROMISE: &str = "Mongolia will Reach out to a third neighbour this round (public-marker-17)";
/// The instructor, to everyone.
const TEACHER: &str = "Round two: watch the economy track (teacher-marker-5)";

/// One key press (down and up) on whatever has the focus.
async fn press(page: &Page, key: &str, code: u32) {
    for kind in ["keyDown", "keyUp"] {
        page.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code }),
        )
        .await;
    }
}

/// The replay's current step (0-based), as the page shows it.
async fn step(page: &Page) -> i64 {
    let value = page.run("Number(document.querySelector('#replay-position')?.dataset.step ?? -1)").await;
    value.as_i64().unwrap_or(-1)
}

/// Waits until the replay shows step `n`.
async fn at_step(page: &Page, n: i64) {
    page.wait_for(
        &format!("step {n}"),
        &format!("document.querySelector('#replay-position')?.dataset.step === '{n}' && document.querySelector('#replay-step').value === '{n}'"),
    )
    .await;
}

/// The text of the replay's message list.
const MESSAGES: &str = "(document.querySelector('.replay-messages-box')?.textContent || '')";

/// Waits for the replay to show `lens` loaded, and its messages to satisfy `condition`.
async fn lens_shows(page: &Page, lens: &str, condition: &str) {
    page.select("#replay-lens", lens).await;
    page.wait_for(
        &format!("the {lens} lens"),
        &format!("!document.querySelector('#main')?.hasAttribute('aria-busy') && ({condition})"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instructor_replays_and_debriefs_a_stored_game() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("the_instructor_replays_and_debriefs_a_stored_game").await
    else {
        return;
    };
    let inst = setup::signed_in_instructor(&browser, &server, "#stored-games-link").await;
    let (session, code, auth) = a_game_for_one_student_and_three_bots(&inst, &server, &base).await;
    let game = Game { base, dir, session, code, auth, inst };

    sam_plays_mongolia_and_the_instructor_ends_the_game(&browser, &game).await;
    a_page_open_over_an_upgrade_reloads_before_its_next_screen(&game).await;
    the_stored_games_list_filter_and_export_it(&game).await;
    a_fork_from_round_2_is_made_then_deleted(&browser, &game).await;
    the_replay_steps_by_keyboard_and_shows_each_lens(&game).await;
    the_debrief_shows_decisions_promises_and_turning_points_and_prints(&game).await;
    a_link_opened_in_a_new_tab_asks_for_the_key_first(&browser, &server, &game).await;
    the_html_export_works_from_a_file_offline(&browser, &game).await;

    // A game that does not exist: the server's error in words.
    let Game { base, inst, .. } = &game;
    browser.allow_network_errors(&["/source", "/api/sessions/no-such-game"]);
    inst.goto(&format!("{base}/#/instructor/replay/no-such-game")).await;
    inst.wait_for(
        "the unknown game in words",
        "document.querySelector('#replay-error .error')?.textContent.includes('no longer exists')",
    )
    .await;
    browser.allow_network_errors(&["/source"]);

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// The stored game the test plays, replays and debriefs, and the instructor's page.
struct Game {
    base: String,
    dir: PathBuf,
    session: String,
    code: String,
    /// The `headers` of an authorised `fetch` from the page.
    auth: String,
    inst: Page,
}

/// Loads the essay's stand-in text and creates a tutorial game with bots for all but Mongolia,
/// its console open. Returns its session id, join code and the page's authorised `headers`.
async fn a_game_for_one_student_and_three_bots(inst: &Page, server: &Server, base: &str) -> (String, String, String) {
    let auth = format!("{{ Authorization: 'Bearer ' + {} }}", js(&server.key));
    let loaded = inst
        .run(&format!(
            "fetch('/api/scenarios/tutorial/source', {{ method: 'PUT', headers: {auth}, body: {} }}).then(r => r.status)",
            js(&setup::stand_in_source(19))
        ))
        .await;
    assert_eq!(loaded, 200, "the source text is loaded");
    let (session, code) = create_session(inst, &auth, "tutorial", &["russia", "china", "us"], 7).await;
    inst.goto(&format!("{base}/#/instructor/session/{session}")).await;
    inst.wait_for(
        "the console",
        &format!("document.querySelector('[data-join-code]')?.dataset.joinCode === {}", js(&code)),
    )
    .await;
    (session, code, auth)
}

/// Sam plays Mongolia against three bots: a private message and a kept promise, an instructor's
/// message to everyone, two rounds locked and the third resolved by the instructor.
async fn sam_plays_mongolia_and_the_instructor_ends_the_game(browser: &Browser, game: &Game) {
    let Game { base, code, inst, .. } = game;
    let sam = browser.page("Sam (mongolia, laptop)", LAPTOP.0, LAPTOP.1).await;
    sam.goto(&format!("{base}/#/")).await;
    sam.type_into("#code", code).await;
    sam.click("#join-code-form button[type=submit]").await;
    sam.type_into("#nickname", "Sam").await;
    sam.click("#join-name-form button[type=submit]").await;
    sam.click("[data-choose=mongolia]").await;
    inst.wait_for("Sam in the table", "document.querySelectorAll('.live-table .player').length === 4").await;
    inst.click("#ctl-start").await;
    sam.wait_for("round 1", "!!document.querySelector('#lock')").await;

    // A private message to China, and a promise to everyone that names one of Mongolia's moves.
    sam.click(".thread[data-thread=china]").await;
    sam.type_into("#chat-input", PRIVATE).await;
    sam.click(".compose button[type=submit]").await;
    sam.wait_for(
        "the private message",
        &format!("document.querySelector('.messages')?.textContent.includes({})", js(PRIVATE)),
    )
    .await;
    sam.click(".thread[data-thread=all]").await;
    sam.type_into("#chat-input", PROMISE).await;
    sam.click(".compose button[type=submit]").await;
    sam.wait_for("the promise", &format!("document.querySelector('.messages')?.textContent.includes({})", js(PROMISE)))
        .await;
    // The promise is kept: the only human role locks its order and the round resolves at once.
    sam.click("[data-add=reach_out]").await;
    sam.wait_for("reach_out in the draft", "!!document.querySelector('.draft-list [data-order=reach_out]')").await;
    sam.click("#lock").await;
    inst.wait_for_within(
        "round 1 resolved",
        "!!document.querySelector('.report[data-round=\"1\"]')",
        Duration::from_secs(20),
    )
    .await;

    // The instructor says something to everyone, then resolves rounds 2 and 3.
    inst.click(".console-chat .thread[data-thread=all]").await;
    inst.type_into("#chat-input", TEACHER).await;
    inst.click(".console-chat .compose button[type=submit]").await;
    inst.wait_for(
        "the instructor's message",
        &format!("document.querySelector('.console-chat .messages')?.textContent.includes({})", js(TEACHER)),
    )
    .await;
    // Round 2: Mongolia reaches out again and locks (the round resolves at once); the instructor
    // resolves round 3.
    sam.click("#to-round").await;
    sam.wait_for("round 2", "document.querySelector('.round-title')?.textContent.startsWith('Round 2')").await;
    sam.click("[data-add=reach_out]").await;
    sam.wait_for("reach_out in round 2", "!!document.querySelector('.draft-list [data-order=reach_out]')").await;
    sam.click("#lock").await;
    inst.wait_for_within(
        "round 2 resolved",
        "!!document.querySelector('.report[data-round=\"2\"]')",
        Duration::from_secs(20),
    )
    .await;
    inst.click("#ctl-force").await;
    inst.wait_for_within(
        "round 3 resolved",
        "!!document.querySelector('.report[data-round=\"3\"]')",
        Duration::from_secs(20),
    )
    .await;
    inst.wait_for("the final scores on the console", "!!document.querySelector('.console-report .scores')").await;
}

/// The console was loaded with one version of the client; the server now serves another (here the
/// page's own version is changed to an older one): the next screen the page has not loaded yet
/// reloads the page first, and opens on the new version. A screen of the same version opens
/// without a reload.
async fn a_page_open_over_an_upgrade_reloads_before_its_next_screen(game: &Game) {
    let Game { base, session, inst, .. } = game;
    inst.goto(&format!("{base}/#/instructor")).await;
    inst.wait_for_selector("#stored-games-link").await;
    let served = inst
        .run("fetch('/?asset=main.js', { method: 'HEAD', cache: 'no-store' }).then(r => r.headers.get('X-Client-Version'))")
        .await;
    let served = served.as_str().unwrap_or_default().to_string();
    assert_eq!(served.len(), 16, "the server names its client's version: {served:?}");
    let page_version = "document.querySelector('meta[name=\"client-version\"]').content";
    assert_eq!(inst.run(page_version).await, served.as_str(), "the page is the server's version");

    inst.run(&format!("{page_version} = 'an-older-client'; window.beforeTheReload = true")).await;
    inst.click("#stored-games-link").await;
    inst.wait_for(
        "the stored games, on a reloaded page of the new version",
        &format!(
            "!window.beforeTheReload && {page_version} === {} && !!document.querySelector('.stored-table')",
            js(&served)
        ),
    )
    .await;

    // The same version: the replay's module is fetched without a reload.
    inst.run("window.sameVersion = true").await;
    inst.goto(&format!("{base}/#/instructor/replay/{session}")).await;
    inst.wait_for(
        "the replay, on the same page",
        "window.sameVersion === true && !!document.querySelector('#replay-step')",
    )
    .await;
}

/// The stored games, from the instructor's home: the row, the filters, two exports.
async fn the_stored_games_list_filter_and_export_it(game: &Game) {
    let Game { base, dir, session, code, inst, .. } = game;
    inst.goto(&format!("{base}/#/instructor")).await;
    inst.click("#stored-games-link").await;
    let row = format!("[data-session={}]", js(session));
    inst.wait_for_selector(&format!(".stored-table tr{row}")).await;
    let cells = inst.run(&format!("document.querySelector('.stored-table tr{row}').textContent")).await;
    let cells = cells.as_str().unwrap_or_default().to_string();
    assert!(cells.contains(code), "the join code in the row: {cells}");
    assert!(cells.contains("Tutorial"), "the scenario's title in the row: {cells}");
    assert!(cells.contains("Finished"), "the status in the row: {cells}");
    inst.select("#filter-status", "running").await;
    inst.wait_for("no running game", "!!document.querySelector('#stored-list [data-empty]')").await;
    inst.select("#filter-status", "finished").await;
    inst.select("#filter-scenario", "tutorial").await;
    inst.wait_for_selector(&format!(".stored-table tr{row}")).await;

    // An export, fetched with the key and saved through a Blob.
    inst.click(&format!("[data-exports={}] summary", js(session))).await;
    inst.click(&format!("[data-exports={}] [data-export=messages]", js(session))).await;
    inst.wait_for(
        "the messages CSV",
        "(document.querySelector('#stored-status')?.dataset.downloaded || '').endsWith('.csv')",
    )
    .await;
    inst.click(&format!("[data-exports={}] [data-export=json]", js(session))).await;
    inst.wait_for(
        "the JSON log",
        "(document.querySelector('#stored-status')?.dataset.downloaded || '').endsWith('.json')",
    )
    .await;
    inst.run(&format!("document.querySelector('[data-exports={}]').open = false", js(session))).await;
    setup::all_labelled(inst).await;
    shots(inst, dir, "stored-games", LAPTOP).await;
}

/// A fork from round 2 (a refused round first, in words) is a new game in the lobby with its own
/// code; deleting it asks first, starting on Cancel.
async fn a_fork_from_round_2_is_made_then_deleted(browser: &Browser, game: &Game) {
    let Game { dir, session, inst, .. } = game;
    let row = format!("[data-session={}]", js(session));
    // Fork from round 2: a new game in the lobby with its own join code, then deleted again.
    inst.select("#filter-status", "").await;
    inst.click(&format!("[data-fork={}]", js(session))).await;
    inst.wait_for_selector("dialog#fork-dialog[open] #fork-round").await;
    inst.type_into("#fork-round", "9").await;
    // A refused round is explained in words (and the dialog stays open).
    browser.allow_network_errors(&["/source", "/fork"]);
    inst.click("#fork-submit").await;
    inst.wait_for(
        "the refused round in words",
        "document.querySelector('#fork-error .error')?.textContent.includes('cannot be chosen')",
    )
    .await;
    browser.allow_network_errors(&["/source"]);
    inst.type_into("#fork-round", "2").await;
    inst.screenshot(dir, "stored-games-fork-laptop").await;
    inst.click("#fork-submit").await;
    let fork = inst.wait_for("the fork's join code", "document.querySelector('#fork-result')?.dataset.session").await;
    let fork = fork.as_str().expect("the fork's session id").to_string();
    let fork_code = inst.run("document.querySelector('#fork-result [data-join-code]').dataset.joinCode").await;
    assert_eq!(fork_code.as_str().map(str::len), Some(8), "an eight-letter join code: {fork_code}");
    let link = inst.run("document.querySelector('#fork-console-link').getAttribute('href')").await;
    assert_eq!(link, format!("#/instructor/session/{fork}"));
    inst.click("#fork-close").await;
    let fork_row = format!(".stored-table tr[data-session={}][data-status=lobby]", js(&fork));
    inst.wait_for_selector(&fork_row).await;
    inst.click(&format!("[data-delete={}]", js(&fork))).await;
    inst.wait_for_selector("dialog#delete-dialog[open] #delete-confirm").await;
    let focused = inst.run("document.activeElement?.id").await;
    assert_eq!(focused, "delete-cancel", "the confirmation starts on Cancel");
    inst.screenshot(dir, "stored-games-delete-laptop").await;
    inst.click("#delete-confirm").await;
    inst.wait_for(
        "the fork deleted",
        &format!(
            "!document.querySelector('.stored-table tr[data-session={}]') && document.querySelector('#stored-status')?.textContent.includes('deleted')",
            js(&fork)
        ),
    )
    .await;
    inst.wait_for_selector(&format!(".stored-table tr{row}")).await;
}

/// The replay: it matches its log and opens at the end; the slider by keyboard and buttons; the
/// private message as a step; what each lens shows; the charts and a ¶.
async fn the_replay_steps_by_keyboard_and_shows_each_lens(game: &Game) {
    let Game { dir, session, inst, .. } = game;
    inst.click(&format!("[data-replay={}]", js(session))).await;
    inst.wait_for(
        "the replay",
        "document.querySelector('#replay-step') && !document.querySelector('#replay-step').disabled",
    )
    .await;
    assert_eq!(inst.run("!!document.querySelector('#replay-alert')").await, false, "the replay matches the log");
    let total = inst.run("Number(document.querySelector('#replay-step').max)").await.as_i64().unwrap_or(0);
    assert!(total >= 6, "a start, messages, drafts, three resolutions and the end: {total}");
    // It opens at the end: the last report, every message (declassified).
    at_step(inst, total).await;
    inst.wait_for("the last report", "!!document.querySelector('.replay-report .report[data-round=\"3\"]')").await;
    for text in [PRIVATE, PROMISE, TEACHER] {
        inst.wait_for("every message, declassified", &format!("{MESSAGES}.includes({})", js(text))).await;
    }
    // The slider with the keyboard: Home, then → three times.
    inst.run("document.querySelector('#replay-step').focus()").await;
    press(inst, "Home", 36).await;
    at_step(inst, 0).await;
    inst.wait_for(
        "the first step",
        "document.querySelector('#replay-now-title')?.textContent.includes('Game started')",
    )
    .await;
    inst.wait_for("no report yet", "!document.querySelector('.replay-report .report')").await;
    for n in 1..=3 {
        press(inst, "ArrowRight", 39).await;
        at_step(inst, n).await;
    }
    // The arrow keys also step when the focus is elsewhere on the page (here, a button).
    inst.run("document.querySelector('#replay-next').focus()").await;
    press(inst, "ArrowRight", 39).await;
    at_step(inst, 4).await;
    press(inst, "ArrowLeft", 37).await;
    at_step(inst, 3).await;
    inst.click("#replay-prev").await;
    at_step(inst, 2).await;
    inst.click("#replay-last").await;
    at_step(inst, total).await;
    // Find the private message's step: the current message is marked.
    let private_step = inst
        .run(&format!(
            "(async () => {{ for (let i = 0; i <= {total}; i++) {{ const s = document.querySelector('#replay-step'); s.value = String(i); \
               s.dispatchEvent(new Event('input', {{ bubbles: true }})); \
               if (document.querySelector('.replay-messages .msg.current')?.textContent.includes({})) return i; }} return -1; }})()",
            js(PRIVATE)
        ))
        .await;
    let private_step = private_step.as_i64().unwrap_or(-1);
    assert!(private_step >= 0, "the private message is one step of the declassified replay");
    inst.wait_for(
        "the message as the current step",
        "document.querySelector('#replay-now-title')?.textContent.includes('Message')",
    )
    .await;
    assert!(step(inst).await == private_step);
    shots(inst, dir, "replay-message", LAPTOP).await;
    inst.click("#replay-last").await;
    at_step(inst, total).await;

    // The lenses: public hides the private message and the drafts; China reads it; Russia does not.
    lens_shows(
        inst,
        "public",
        &format!("{MESSAGES}.includes({}) && !{MESSAGES}.includes({})", js(PROMISE), js(PRIVATE)),
    )
    .await;
    inst.wait_for(
        "no drafts in public",
        "document.querySelector('.replay-drafts-box')?.textContent.includes('shows no drafts')",
    )
    .await;
    inst.wait_for("the report in public", "!!document.querySelector('.replay-report .report[data-round=\"3\"]')").await;
    lens_shows(inst, "role:china", &format!("{MESSAGES}.includes({})", js(PRIVATE))).await;
    lens_shows(
        inst,
        "role:russia",
        &format!("{MESSAGES}.includes({}) && !{MESSAGES}.includes({})", js(TEACHER), js(PRIVATE)),
    )
    .await;
    lens_shows(inst, "role:mongolia", &format!("{MESSAGES}.includes({})", js(PRIVATE))).await;
    inst.wait_for("Mongolia's own draft", "!!document.querySelector('.replay-drafts [data-role=mongolia]') || document.querySelector('.replay-drafts-box')?.textContent.includes('Reach out')")
        .await;
    lens_shows(inst, "declassified", &format!("{MESSAGES}.includes({})", js(PRIVATE))).await;
    // The charts: one per track, over the three rounds.
    let dots =
        inst.run("document.querySelectorAll('.replay-charts .chart-box')[0]?.querySelectorAll('.dot').length").await;
    assert_eq!(dots, 4, "the start and three rounds on each chart");
    // A ¶ of the report opens the paragraph.
    inst.click(".replay-report .para").await;
    inst.wait_for(
        "the paragraph",
        "document.querySelector('dialog#paragraph[open]')?.textContent.includes('marker-para-')",
    )
    .await;
    inst.click("dialog#paragraph button").await;
    inst.wait_for("the dialog closed", "!document.querySelector('dialog#paragraph[open]')").await;
    setup::all_labelled(inst).await;
    shots(inst, dir, "replay-end", LAPTOP).await;
}

/// The debrief: scores, decisions, promises kept and never made, every turning point with its
/// what-if, a chart per track, and its print.
async fn the_debrief_shows_decisions_promises_and_turning_points_and_prints(game: &Game) {
    let Game { dir, session, auth, inst, .. } = game;
    inst.click("#to-debrief").await;
    inst.wait_for("the scores", "document.querySelectorAll('.debrief-scores .score').length === 4").await;
    inst.wait_for(
        "Mongolia's decisions",
        "!!document.querySelector('.debrief-role[data-role=mongolia] tr[data-move=reach_out]')",
    )
    .await;
    let promise =
        inst.run("document.querySelector('.promises-table tr[data-made=same_round]')?.textContent || ''").await;
    assert!(promise.as_str().unwrap_or_default().contains("Reach out"), "the kept promise: {promise}");
    let never = inst.run("document.querySelector('.promises-table tr[data-made=never]')?.textContent || ''").await;
    assert!(never.as_str().unwrap_or_default().contains("private-marker-41"), "the promise never made: {never}");
    // Every turning point the server found is shown, each with its what-if (or why there is none).
    let expected = inst
        .run(&format!(
            "fetch('/api/sessions/{session}/debrief', {{ headers: {auth} }}).then(r => r.json()).then(d => d.turning_points.length)"
        ))
        .await;
    let shown = inst
        .run("[...document.querySelectorAll('.turning-point')].filter(t => t.querySelector('.what-if, .what-if-none')).length")
        .await;
    assert_eq!(shown, expected, "the turning points with their what-if");
    let charts = inst.run("document.querySelectorAll('.debrief-charts .chart-box').length").await;
    assert_eq!(charts, 4, "a chart per track");
    setup::all_labelled(inst).await;
    shots(inst, dir, "debrief", LAPTOP).await;
    // Print: the button calls window.print(), and the print style hides the navigation.
    inst.run("window.__printed = 0; window.print = () => { window.__printed += 1; }").await;
    inst.click("#debrief-print").await;
    assert_eq!(inst.run("window.__printed").await, 1, "the Print button prints");
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
    let hidden = inst
        .run("['.crumbs', '#debrief-print'].map(s => getComputedStyle(document.querySelector(s)).display === 'none' || getComputedStyle(document.querySelector(s).parentElement).display === 'none')")
        .await;
    assert_eq!(hidden, json!([true, true]), "printing hides the navigation and the buttons");
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "debrief-print-laptop").await;
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "" })).await;
}

/// A replay link opened in a new tab asks for the key, then shows the replay; a replay that does
/// not match its log shows its errors in an alert, in every lens.
async fn a_link_opened_in_a_new_tab_asks_for_the_key_first(browser: &Browser, server: &Server, game: &Game) {
    let Game { base, dir, session, .. } = game;
    let other = browser.page("instructor (another tab)", LAPTOP.0, LAPTOP.1).await;
    other.goto(&format!("{base}/#/instructor/replay/{session}")).await;
    other.type_into("#instructor-key", &server.key).await;
    other.click("#signin-form button[type=submit]").await;
    other
        .wait_for("the replay after signing in", "!!document.querySelector('.replay-report .report[data-round=\"3\"]')")
        .await;

    // A replay that does not match its log (faked here in the page: the server's own check is tested
    // on the server side) shows its errors in a red alert, in every lens.
    other
        .run(
            "(() => { const real = window.fetch; window.fetch = async (...args) => { const answer = await real(...args); \
               if (!String(args[0]).includes('/replay')) return answer; const body = await answer.json(); body.ok = false; \
               body.errors = [{ seq: 3, round: 1, message: 'state hash mismatch: stored abc, replayed def' }]; \
               return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }); }; \
               window.dispatchEvent(new HashChangeEvent('hashchange')); })()",
        )
        .await;
    other
        .wait_for(
            "the mismatch alert",
            "document.querySelector('#replay-alert[role=alert]')?.textContent.includes('state hash mismatch')",
        )
        .await;
    lens_shows(&other, "public", "!!document.querySelector('#replay-alert')?.offsetParent").await;
    other.screenshot(dir, "replay-mismatch-laptop").await;
}

/// The HTML export, opened from a file with the network off, needs nothing else.
async fn the_html_export_works_from_a_file_offline(browser: &Browser, game: &Game) {
    let Game { dir, session, auth, inst, .. } = game;
    let exported = inst
        .run(&format!(
            "fetch('/api/sessions/{session}/export.html?lens=declassified', {{ headers: {auth} }}).then(r => r.text())"
        ))
        .await;
    let file = std::env::temp_dir().join(format!("third-neighbor-export-{session}.html"));
    std::fs::write(&file, exported.as_str().expect("the page's text")).expect("write the export");
    let offline = browser.page("export", LAPTOP.0, LAPTOP.1).await;
    offline.offline(true).await;
    offline.goto(&format!("file://{}", file.display())).await;
    offline.wait_for("the offline replay", "document.querySelector('#where')?.textContent.startsWith('Step ')").await;
    let last = offline.run("Number(document.querySelector('#slider').value)").await.as_i64().expect("a step");
    assert!(last > 3, "the page starts at the last step: {last}");
    assert!(offline.text().await.contains("private-marker-41"), "the declassified export shows the private message");
    press(&offline, "ArrowLeft", 37).await;
    offline.wait_for("one step back", &format!("document.querySelector('#slider').value === '{}'", last - 1)).await;
    shots(&offline, dir, "export-html", LAPTOP).await;
    let _ = std::fs::remove_file(&file);
}

/// Creates a session over HTTP (the page's key in `auth`) and returns its id and join code.
async fn create_session(page: &Page, auth: &str, scenario: &str, bots: &[&str], seed: u32) -> (String, String) {
    let bots = serde_json::to_string(bots).expect("bots as JSON");
    let created = page
        .run(&format!(
            "fetch('/api/sessions', {{ method: 'POST', headers: {{ ...{auth}, 'Content-Type': 'application/json' }}, \
             body: JSON.stringify({{ scenario: {}, bots: {bots}, deadline_secs: 600, seed: {seed} }}) }}) \
             .then(async r => [r.status, await r.json()])",
            js(scenario)
        ))
        .await;
    assert_eq!(created[0], 201, "the {scenario} session is created: {created}");
    let id = created[1]["session_id"].as_str().expect("a session id").to_string();
    let code = created[1]["join_code"].as_str().expect("a join code").to_string();
    (id, code)
}

/// Starts a session from its live console and resolves `rounds` rounds with "Resolve the round
/// now" (nobody plays, so nothing resolves a round early).
async fn force_rounds(page: &Page, base: &str, session: &str, code: &str, rounds: u32) {
    page.goto(&format!("{base}/#/instructor/session/{session}")).await;
    page.wait_for(
        "the console",
        &format!("document.querySelector('[data-join-code]')?.dataset.joinCode === {}", js(code)),
    )
    .await;
    page.click("#ctl-start").await;
    for n in 1..=rounds {
        page.click("#ctl-force").await;
        page.wait_for_within(
            &format!("round {n} of {code} resolved"),
            &format!("!!document.querySelector('.report[data-round=\"{n}\"]')"),
            Duration::from_secs(20),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instructor_compares_tables_of_one_scenario() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("the_instructor_compares_tables_of_one_scenario").await
    else {
        return;
    };
    // No essay is loaded: the client asks for it, and the answer is a documented 404.
    let inst = setup::signed_in_instructor(&browser, &server, "#stored-games-link").await;
    let auth = format!("{{ Authorization: 'Bearer ' + {} }}", js(&server.key));

    // Two tables of the tutorial: bots everywhere, played to the end; bots but for an empty
    // Mongolia (which then never orders anything), stopped after two rounds. And a game of the
    // main scenario, left in the lobby, to be refused beside them.
    let (first, first_code) = create_session(&inst, &auth, "tutorial", &["mongolia", "russia", "china", "us"], 7).await;
    let (second, second_code) = create_session(&inst, &auth, "tutorial", &["russia", "china", "us"], 8).await;
    let (other, other_code) =
        create_session(&inst, &auth, "mongolia-2024", &["mongolia", "russia", "china", "us"], 9).await;
    force_rounds(&inst, &base, &first, &first_code, 3).await;
    inst.wait_for("the final scores on the console", "!!document.querySelector('.console-report .scores')").await;
    force_rounds(&inst, &base, &second, &second_code, 2).await;
    let tables = Tables { base, dir, auth, inst, first, first_code, second, second_code, other, other_code };

    two_tables_are_ticked_by_mouse_and_keyboard_then_compared(&tables).await;
    the_comparison_shows_what_the_server_answered(&tables).await;
    games_of_two_scenarios_are_refused_in_words(&browser, &tables).await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// Three stored games by id and join code: two tutorial tables (`first` played to the end,
/// `second` stopped after two rounds) and `other`, of another scenario, left in the lobby.
struct Tables {
    base: String,
    dir: PathBuf,
    /// The `headers` of an authorised `fetch` from the page.
    auth: String,
    inst: Page,
    first: String,
    first_code: String,
    second: String,
    second_code: String,
    other: String,
    other_code: String,
}

/// The stored games: nothing to compare until a game is ticked; two ticked (by mouse, then by
/// keyboard) are named in words, and Compare opens a route that names them in order.
async fn two_tables_are_ticked_by_mouse_and_keyboard_then_compared(tables: &Tables) {
    let Tables { base, inst, first, first_code, second, second_code, other, .. } = tables;
    inst.goto(&format!("{base}/#/instructor/games")).await;
    for id in [first, second, other] {
        inst.wait_for_selector(&format!(".stored-table tr[data-session={}] input[data-compare]", js(id))).await;
    }
    let disabled = inst.run("document.querySelector('#compare-selected').disabled").await;
    assert_eq!(disabled, true, "nothing to compare before a game is ticked");
    inst.click(&format!("input[data-compare={}]", js(first))).await;
    inst.wait_for("one game ticked", "document.querySelector('#compare-bar')?.dataset.selected === '1'").await;
    inst.run(&format!("document.querySelector('input[data-compare={}]').focus()", js(second))).await;
    for kind in ["keyDown", "keyUp"] {
        inst.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": " ", "code": "Space", "windowsVirtualKeyCode": 32, "nativeVirtualKeyCode": 32 }),
        )
        .await;
    }
    inst.wait_for("two games ticked", "document.querySelector('#compare-bar')?.dataset.selected === '2'").await;
    let status = inst.run("document.querySelector('#compare-status').textContent").await;
    let status = status.as_str().unwrap_or_default().to_string();
    assert!(status.contains(first_code) && status.contains(second_code), "what is selected, in words: {status}");
    setup::all_labelled(inst).await;
    inst.click("#compare-selected").await;
    inst.wait_for_selector("#compare-scores").await;
    let hash = inst.run("location.hash").await;
    assert_eq!(hash, format!("#/instructor/compare/{first},{second}"), "the route names the ticked games in order");
}

/// The comparison shows what `/api/compare` answered: every table, every role's score with its
/// best table marked, the moves, the charts, and its print.
async fn the_comparison_shows_what_the_server_answered(tables: &Tables) {
    let Tables { dir, auth, inst, first, first_code, second, second_code, .. } = tables;
    let answer = inst
        .run(&format!("fetch('/api/compare?sessions={first},{second}', {{ headers: {auth} }}).then(r => r.json())"))
        .await;
    let heading = inst.run("document.querySelector('#compare-title').textContent").await;
    assert!(heading.as_str().unwrap_or_default().contains("Tutorial"), "the scenario's title: {heading}");
    let meta = inst.run("document.querySelector('#compare-meta').textContent").await;
    assert!(meta.as_str().unwrap_or_default().contains("2 tables"), "the number of tables: {meta}");
    for code in [first_code, second_code] {
        for table in ["#compare-tables", "#compare-scores thead", "#compare-moves thead"] {
            let shown =
                inst.run(&format!("document.querySelector('{table}').textContent.includes({})", js(code))).await;
            assert_eq!(shown, true, "{code} in {table}");
        }
    }
    let rounds = inst
        .run(&format!("document.querySelector('#compare-scores thead th[data-table={}]').textContent", js(second)))
        .await;
    assert!(rounds.as_str().unwrap_or_default().contains("2 rounds"), "the rounds played: {rounds}");
    // Every role's score at every table, and each role's best table marked.
    let wrong = inst
        .run(&format!(
            "(() => {{ const a = {answer}; const bad = []; \
               for (const r of a.scenario.roles) {{ \
                 const scores = a.tables.map(t => t.scores[r.id]); const best = Math.max(...scores); \
                 a.tables.forEach((t, i) => {{ \
                   const cell = document.querySelector(`#compare-scores tr[data-role=\"${{r.id}}\"] td[data-table=\"${{t.session_id}}\"]`); \
                   if (!cell || cell.dataset.score !== String(scores[i]) || !cell.textContent.includes(String(scores[i]))) bad.push(`${{r.id}} at ${{t.join_code}}`); \
                   const marked = cell?.dataset.best === '1'; \
                   if (marked !== (scores[i] === best && scores.some(s => s < best))) bad.push(`${{r.id}} best at ${{t.join_code}}`); \
                 }}); }} \
               return bad; }})()"
        ))
        .await;
    assert_eq!(wrong, json!([]), "every role's score at every table");
    let score_cells = inst.run("document.querySelectorAll('#compare-scores td.score-cell').length").await;
    let roles = answer["scenario"]["roles"].as_array().map_or(0, Vec::len);
    assert_eq!(score_cells, roles * 2, "a score per role and table");
    // The moves: a row per move any table made, each table's rounds in its column.
    let moves = answer["moves"].as_array().expect("moves").clone();
    assert!(!moves.is_empty(), "the bots made moves: {answer}");
    let wrong = inst
        .run(&format!(
            "(() => {{ const a = {answer}; const bad = []; \
               for (const m of a.moves) {{ const row = document.querySelector(`#compare-moves tbody[data-role=\"${{m.role}}\"] tr[data-move=\"${{m.move}}\"]`); \
                 if (!row) {{ bad.push(`no row for ${{m.role}}/${{m.move}}`); continue; }} \
                 m.tables.forEach(c => {{ const cell = row.querySelector(`td[data-table=\"${{c.session_id}}\"]`); \
                   if (!cell || cell.dataset.rounds !== c.rounds.join(',')) bad.push(`${{m.move}} at ${{c.session_id}}`); \
                   else if (c.rounds.length === 0 && !cell.textContent.includes('—')) bad.push(`${{m.move}}: no dash`); \
                   else if (c.rounds.some(r => !cell.textContent.includes(`R${{r}}`))) bad.push(`${{m.move}}: rounds`); }}); }} \
               return bad; }})()"
        ))
        .await;
    assert_eq!(wrong, json!([]), "every move's rounds at every table");
    let rows = inst.run("document.querySelectorAll('#compare-moves tr[data-move]').length").await;
    assert_eq!(rows, moves.len(), "a row per move");
    // Mongolia had nobody at the second table: its moves there are "—".
    let mongolia = moves.iter().filter(|m| m["role"] == "mongolia").count();
    if mongolia > 0 {
        let dashes = inst
            .run(&format!(
                "document.querySelectorAll('#compare-moves tbody[data-role=mongolia] td.none[data-table={}]').length",
                js(second)
            ))
            .await;
        assert_eq!(dashes, mongolia, "the empty Mongolia never ordered a move");
    }
    // A chart per track with a line per table, its legend by join code, and the values in a table.
    let tracks = answer["scenario"]["tracks"].as_array().map_or(0, Vec::len);
    let charts = inst
        .run(&format!(
            "[...document.querySelectorAll('.compare-track')].filter(t => t.querySelectorAll('svg.chart .series').length === 2 \
               && t.querySelector('.chart-legend').textContent.includes({}) && t.querySelector('.chart-legend').textContent.includes({}) \
               && t.querySelectorAll('.compare-finals tbody tr').length === 2).length",
            js(first_code),
            js(second_code)
        ))
        .await;
    assert_eq!(charts, tracks, "a chart with two lines, a legend and a table per track");
    // Links back to each table's replay and debrief.
    for id in [first, second] {
        let links = inst
            .run(&format!(
                "[document.querySelector('#compare-tables [data-replay={id}]')?.getAttribute('href'), \
                  document.querySelector('#compare-tables [data-debrief={id}]')?.getAttribute('href')]",
                id = js(id)
            ))
            .await;
        assert_eq!(links, json!([format!("#/instructor/replay/{id}"), format!("#/instructor/debrief/{id}")]));
    }
    assert_eq!(inst.run("!!document.querySelector('#compare-alert')").await, false, "both tables replay exactly");
    setup::all_labelled(inst).await;
    shots(inst, dir, "compare", LAPTOP).await;

    // Print: the button prints, and the print style hides the navigation and the buttons.
    inst.run("window.__printed = 0; window.print = () => { window.__printed += 1; }").await;
    inst.click("#compare-print").await;
    assert_eq!(inst.run("window.__printed").await, 1, "the Print button prints");
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
    let hidden = inst
        .run("['.crumbs', '#compare-print'].map(s => getComputedStyle(document.querySelector(s)).display === 'none' || getComputedStyle(document.querySelector(s).parentElement).display === 'none')")
        .await;
    assert_eq!(hidden, json!([true, true]), "printing hides the navigation and the buttons");
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "compare-print-laptop").await;
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "" })).await;

    // A table that does not replay exactly (faked in the page, as for the replay) is named in a red alert.
    inst.run(
        "(() => { const real = window.fetch; window.fetch = async (...args) => { const answer = await real(...args); \
           if (!String(args[0]).includes('/api/compare')) return answer; const body = await answer.json(); body.tables[1].ok = false; \
           return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }); }; \
           window.dispatchEvent(new HashChangeEvent('hashchange')); })()",
    )
    .await;
    inst.wait_for(
        "the mismatch alert",
        &format!("document.querySelector('#compare-alert[role=alert]')?.textContent.includes({})", js(second_code)),
    )
    .await;
}

/// Games of two scenarios: a warning under the button, then the server's refusal in words.
async fn games_of_two_scenarios_are_refused_in_words(browser: &Browser, tables: &Tables) {
    let Tables { base, dir, inst, first, first_code, other, other_code, .. } = tables;
    browser.allow_network_errors(&["/source", "/api/compare"]);
    // A fresh page (without the faked fetch) and a fresh selection.
    inst.goto(&format!("{base}/#/instructor/games")).await;
    inst.reload().await;
    inst.click(&format!("input[data-compare={}]", js(first))).await;
    inst.click(&format!("input[data-compare={}]", js(other))).await;
    inst.wait_for(
        "the warning under the button",
        "document.querySelector('#compare-status')?.textContent.includes('different scenarios')",
    )
    .await;
    inst.click("#compare-selected").await;
    inst.wait_for(
        "the refusal in words",
        "document.querySelector('#compare-error .error[data-code=mixed_scenarios]')?.textContent.includes('different scenarios')",
    )
    .await;
    let picked =
        inst.wait_for("the chosen games listed", "document.querySelector('#compare-picked')?.textContent").await;
    let picked = picked.as_str().unwrap_or_default().to_string();
    assert!(picked.contains(first_code) && picked.contains(other_code), "both games and their scenario: {picked}");
    inst.screenshot(dir, "compare-mixed-laptop").await;
    browser.allow_network_errors(&["/source"]);
}
