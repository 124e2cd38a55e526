//! A student plays a round with the keyboard alone, as one who uses neither a mouse nor a touch
//! screen would: the join code and the nickname, the role, an order, the lock, the report and a
//! message, each reached with Tab (between the screen's tabs, the arrow keys, as for any tab list)
//! and used with Enter. No click and no script touches the student's page.

use crate::setup;

use setup::{Stage, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_plays_a_round_with_the_keyboard_alone() {
    let Some(Stage { server, base, browser, dir }) =
        setup::stage("a_student_plays_a_round_with_the_keyboard_alone").await
    else {
        return;
    };
    // The instructor (with the mouse) sets up the tutorial with bots in every role but Mongolia's.
    let inst = setup::signed_in_instructor(&browser, &server, "#new-scenario option").await;
    inst.select("#new-scenario", "tutorial").await;
    inst.wait_for_selector("[data-bot=mongolia]").await;
    inst.run("document.querySelectorAll('[data-bot]').forEach((b) => { b.checked = b.dataset.bot !== 'mongolia'; })")
        .await;
    let (code, _) = setup::create_session(&inst).await;

    let ana = browser.page("Ana (keyboard)", PHONE.0, PHONE.1).await;
    ana.goto(&format!("{base}/#/")).await;
    ana.wait_for_selector("#code").await;
    ana.tab_to("#code", 10).await;
    ana.type_here(&code).await;
    ana.press("Enter").await;
    ana.wait_for_selector("#nickname").await;
    ana.tab_to("#nickname", 10).await;
    ana.type_here("Ana").await;
    ana.press("Enter").await;
    ana.wait_for_selector("[data-choose=mongolia]").await;
    ana.tab_to("[data-choose=mongolia]", 40).await;
    ana.press("Enter").await;
    ana.wait_for("the waiting room", "document.querySelector('.panel-round')?.dataset.mode === 'lobby'").await;

    inst.click("#ctl-start").await;
    ana.wait_for("round 1", "!!document.querySelector('#lock')").await;
    ana.tab_to("[data-add]", 80).await;
    ana.press("Enter").await;
    ana.wait_for("an order in the draft", "!!document.querySelector('.draft-list [data-order]')").await;
    ana.tab_to("#lock", 80).await;
    ana.press("Enter").await;
    // The bots are always ready: the round resolves, and the report is where the focus goes.
    ana.wait_for("the report", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    ana.wait_for("the focus in the report", "!!document.activeElement?.closest('#panel-report')").await;
    setup::shots(&ana, &dir, "keyboard-report", PHONE).await;

    // The chat is another tab: Tab reaches the selected tab, the arrow keys the others.
    ana.tab_to("[role=tab][aria-selected=true]", 60).await;
    for _ in 0..4 {
        if ana.run("document.activeElement?.id === 'tab-chat'").await == true {
            break;
        }
        ana.press("ArrowRight").await;
    }
    ana.press("Enter").await;
    ana.wait_for("the chat", "document.querySelector('#tab-chat')?.getAttribute('aria-selected') === 'true'").await;
    ana.tab_to("#chat-input", 30).await;
    ana.type_here("Hello from the keyboard").await;
    ana.press("Enter").await;
    ana.wait_for(
        "the message sent",
        "document.querySelector('.messages')?.textContent.includes('Hello from the keyboard')",
    )
    .await;
    setup::shots(&ana, &dir, "keyboard-chat", PHONE).await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}
