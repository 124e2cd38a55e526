//! Where students reach the server (`GET /api/address`, what the projector shows beside the join
//! code): a server listening on loopback only says so; one listening on every interface gives
//! the teacher's own computer its network address; a configured `--public-url` is told to every
//! page.

use crate::common;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

    // A page opened under a public name (a proxy on this computer forwards it) is right
    // already: it is not given the inside address.
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let request = "GET /api/address HTTP/1.1\r\nHost: class.example.org\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.ends_with(r#"{"url":null,"this_computer_only":false}"#), "{answer}");
}

/// The projector's join link as a QR code: exactly the link asked for, drawn as an SVG; anything
/// but an `http(s)://` link is refused.
#[tokio::test]
async fn the_join_link_is_drawn_as_a_qr_code() {
    let app = spawn_app().await;
    let link = "http://192.168.1.20:8080/#/join/K7QX3MPA";
    let (status, drawn) =
        app.http("GET", "/api/qr?url=http%3A%2F%2F192.168.1.20%3A8080%2F%23%2Fjoin%2FK7QX3MPA", None, None).await;
    assert_eq!(status, 200, "{drawn}");
    let expected = qrcode::QrCode::new(link.as_bytes())
        .expect("a QR code")
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(qrcode::render::svg::Color("#000"))
        .light_color(qrcode::render::svg::Color("#fff"))
        .build();
    assert_eq!(drawn, expected, "the link, and nothing else, is in the picture");
    let (status, text) = app.http("GET", "/api/qr?url=javascript%3Aalert(1)", None, None).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains(r#""code":"bad_request""#), "{text}");
}
