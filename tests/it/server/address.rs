//! Where students reach the server (`GET /api/address`, what the projector shows beside the join
//! code): a server listening on loopback only says so; one listening on every interface gives
//! the teacher's own computer its network address; a configured `--public-url` is told to every
//! page.

use crate::common;

use serde_json::{json, Value};

use common::{spawn_app, spawn_app_with};

async fn address(app: &common::TestApp) -> Value {
    let (status, text) = app.http("GET", "/api/address", None, None).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn a_server_on_loopback_says_only_this_computer_can_open_it() {
    let app = spawn_app().await;
    assert_eq!(address(&app).await, json!({"url": null, "this_computer_only": true}));
}

#[tokio::test]
async fn a_configured_public_url_is_what_students_are_told() {
    let app = spawn_app_with(|c| c.public_url = Some("https://class.example.org/".into())).await;
    assert_eq!(address(&app).await, json!({"url": "https://class.example.org/", "this_computer_only": false}));
}

#[tokio::test]
async fn a_server_on_every_interface_gives_this_computer_its_network_address() {
    let app = spawn_app_with(|c| c.addr = ([0, 0, 0, 0], 0).into()).await;
    let told = address(&app).await;
    assert_eq!(told["this_computer_only"], false, "{told}");
    // The test asks from 127.0.0.1, the teacher's own computer. Where this machine has a route
    // out, the answer is the address that route leaves from, with the listener's port.
    let route = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").and_then(|()| s.local_addr()))
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    let expected = route.map(|ip| format!("http://{ip}:{}/", app.addr.port()));
    assert_eq!(told["url"].as_str(), expected.as_deref(), "{told}");
}
