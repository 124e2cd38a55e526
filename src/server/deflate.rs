//! WebSocket compression: permessage-deflate (RFC 7692) with no context takeover either way.
//!
//! Browsers offer the extension on every connection. The server accepts it with
//! `server_no_context_takeover; client_no_context_takeover`, so that every message is compressed
//! on its own: a frame's compressed bytes are the same for every connection that sends it (they
//! are made once, beside the plain bytes, by the first connection that needs them; see
//! [`SharedText`]), and no connection keeps a compression window while it idles.
//!
//! tungstenite reads the frames but knows no extension, so [`Inflating`] sits between the socket
//! and it: it passes frames through, and turns each compressed message (first frame with RSV1)
//! into one plain frame before tungstenite sees it. Limits hold on both sides of inflation: a
//! compressed message larger than the message limit, or one that inflates past it, ends the
//! connection with an I/O error, as any malformed stream does.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use axum::http::header::SEC_WEBSOCKET_EXTENSIONS;
use axum::http::HeaderMap;
use bytes::{Bytes, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The extension as the server accepts it (the `Sec-WebSocket-Extensions` answer).
pub const ACCEPTED: &str = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

/// Texts shorter than this go out plain: compressing them saves too little for the CPU.
pub const MIN_DEFLATE: usize = 512;

/// The empty stored block that ends a sync flush; RFC 7692 leaves it off the wire.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Whether the client's offers include one the server can accept. Each offer is
/// `permessage-deflate` with parameters; the server takes one whose parameters it knows and can
/// honour (it compresses with the full 15-bit window, so a smaller `server_max_window_bits` is
/// declined; `client_max_window_bits` only says the client could take a smaller one).
pub fn negotiate(headers: &HeaderMap) -> bool {
    headers
        .get_all(SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(acceptable)
}

fn acceptable(offer: &str) -> bool {
    let mut parts = offer.split(';').map(str::trim);
    if !parts.next().is_some_and(|name| name.eq_ignore_ascii_case("permessage-deflate")) {
        return false;
    }
    let mut seen: Vec<String> = Vec::new();
    for param in parts {
        let (name, value) = match param.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim().trim_matches('"'))),
            None => (param.to_ascii_lowercase(), None),
        };
        if seen.contains(&name) {
            return false;
        }
        let ok = match (name.as_str(), value) {
            ("server_no_context_takeover" | "client_no_context_takeover", None) => true,
            ("server_max_window_bits", Some("15")) => true,
            ("client_max_window_bits", None) => true,
            ("client_max_window_bits", Some(bits)) => bits.parse::<u8>().is_ok_and(|b| (8..=15).contains(&b)),
            _ => false,
        };
        if !ok {
            return false;
        }
        seen.push(name);
    }
    true
}

thread_local! {
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    static DECOMPRESSOR: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// `text` compressed as one message (raw deflate, sync-flushed, without the final empty block),
/// or `None` when that would not make it smaller.
pub fn deflate(text: &[u8]) -> Option<Bytes> {
    COMPRESSOR.with(|cell| {
        let mut c = cell.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(text.len() / 2 + 64);
        loop {
            let consumed = usize::try_from(c.total_in()).ok()?;
            c.compress_vec(text.get(consumed..)?, &mut out, FlushCompress::Sync).ok()?;
            // A sync flush is complete once it leaves room in the output.
            if usize::try_from(c.total_in()).ok()? == text.len() && out.len() < out.capacity() {
                break;
            }
            out.reserve(out.capacity().max(64));
        }
        let body = out.strip_suffix(&TAIL)?.len();
        out.truncate(body);
        (out.len() < text.len()).then(|| Bytes::from(out))
    })
}

/// One compressed message inflated, or an error when it is malformed or inflates past `max`.
pub fn inflate(data: &[u8], max: usize) -> io::Result<Vec<u8>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    DECOMPRESSOR.with(|cell| {
        let mut d = cell.borrow_mut();
        d.reset(false);
        let mut out = Vec::with_capacity((data.len() * 3).min(max + 1).max(64));
        for input in [data, &TAIL[..]] {
            let start = d.total_in();
            loop {
                let consumed = usize::try_from(d.total_in() - start).map_err(|_| bad("too long"))?;
                let status = d
                    .decompress_vec(&input[consumed..], &mut out, FlushDecompress::Sync)
                    .map_err(|_| bad("a compressed message is not valid deflate data"))?;
                if out.len() > max {
                    return Err(bad("a compressed message inflates past the message limit"));
                }
                let done = d.total_in() - start == input.len() as u64;
                if status == Status::StreamEnd || (done && out.len() < out.capacity()) {
                    break;
                }
                if out.len() == out.capacity() {
                    out.reserve(out.capacity().min(max + 1 - out.len()).max(64));
                } else if !done && status == Status::BufError {
                    return Err(bad("a compressed message is cut short"));
                }
            }
        }
        Ok(out)
    })
}

/// A text frame's payload, serialized once and shared by every connection that sends it. Its
/// compressed form is made by the first connection that sends it compressed, then shared too.
#[derive(Debug, Clone)]
pub struct SharedText(Arc<Payload>);

#[derive(Debug)]
struct Payload {
    plain: Bytes,
    deflated: OnceLock<Option<Bytes>>,
}

impl SharedText {
    pub fn plain(&self) -> &Bytes {
        &self.0.plain
    }

    /// The compressed payload, when compressing is worth it for this text.
    pub fn deflated(&self) -> Option<&Bytes> {
        if self.0.plain.len() < MIN_DEFLATE {
            return None;
        }
        self.0.deflated.get_or_init(|| deflate(&self.0.plain)).as_ref()
    }
}

impl From<Bytes> for SharedText {
    fn from(plain: Bytes) -> SharedText {
        SharedText(Arc::new(Payload { plain, deflated: OnceLock::new() }))
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        SharedText::from(Bytes::from(text))
    }
}

/// The socket as tungstenite reads it: frames pass through, except compressed messages, which
/// come out inflated as one plain frame each (zero-masked on the server, which reads masked
/// frames; unmasked on a client, which reads a server's). Writes go straight to the socket.
/// Without the extension (`enabled == false`) it is a plain pass-through: a client turns it on
/// with [`Inflating::enable`] once the server's handshake answer accepted the offer.
#[derive(Debug)]
pub struct Inflating<S> {
    inner: S,
    enabled: bool,
    /// Reading a server's frames (a client): they come unmasked, and so go out.
    from_server: bool,
    /// The message limit, before and after inflation.
    max: usize,
    /// Bytes read from the socket and not yet parsed.
    raw: BytesMut,
    /// Parsed bytes waiting for tungstenite, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    state: ReadState,
    /// The compressed message being gathered: its opcode and payload so far (unmasked).
    message: Option<(u8, Vec<u8>)>,
}

#[derive(Debug, Clone, Copy)]
enum ReadState {
    /// Waiting for a frame header.
    Header,
    /// Passing a plain frame's payload through: bytes left.
    Pass(u64),
    /// Gathering a compressed message's frame: bytes left, the frame's mask and position, and
    /// whether the message ends with it.
    Gather { left: u64, mask: [u8; 4], pos: usize, fin: bool },
}

/// A frame header as the client sent it, and its size in bytes.
struct Header {
    fin: bool,
    rsv1: bool,
    opcode: u8,
    mask: Option<[u8; 4]>,
    len: u64,
    size: usize,
}

impl Header {
    fn parse(raw: &[u8]) -> Option<Header> {
        let (&b0, &b1) = (raw.first()?, raw.get(1)?);
        let (len, mut size) = match b1 & 0x7f {
            126 => (u64::from(u16::from_be_bytes([*raw.get(2)?, *raw.get(3)?])), 4),
            127 => (u64::from_be_bytes(raw.get(2..10)?.try_into().ok()?), 10),
            short => (u64::from(short), 2),
        };
        let mask = if b1 & 0x80 != 0 {
            let key: [u8; 4] = raw.get(size..size + 4)?.try_into().ok()?;
            size += 4;
            Some(key)
        } else {
            None
        };
        Some(Header { fin: b0 & 0x80 != 0, rsv1: b0 & 0x40 != 0, opcode: b0 & 0x0f, mask, len, size })
    }
}

fn invalid(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

impl<S> Inflating<S> {
    /// The server's side: reads a client's (masked) frames.
    pub fn new(inner: S, enabled: bool, max: usize) -> Inflating<S> {
        Inflating {
            inner,
            enabled,
            from_server: false,
            max,
            raw: BytesMut::new(),
            out: Vec::new(),
            out_pos: 0,
            state: ReadState::Header,
            message: None,
        }
    }

    /// A client's side (the load bench's): reads a server's (unmasked) frames; off until
    /// [`Inflating::enable`].
    pub fn client(inner: S, max: usize) -> Inflating<S> {
        Inflating { from_server: true, ..Inflating::new(inner, false, max) }
    }

    /// Whether the connection negotiated compression.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Turns inflation on (a client, after the handshake accepted the extension).
    pub fn enable(&mut self) {
        self.enabled = true;
    }

    /// The socket under it.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Moves what can be parsed from `raw` to `out`.
    fn parse(&mut self) -> io::Result<()> {
        loop {
            match self.state {
                ReadState::Pass(left) => {
                    if left == 0 {
                        self.state = ReadState::Header;
                        continue;
                    }
                    if self.raw.is_empty() {
                        return Ok(());
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(self.raw.len());
                    self.out.extend_from_slice(&self.raw.split_to(n));
                    self.state = ReadState::Pass(left - n as u64);
                }
                ReadState::Gather { left, mask, pos, fin } => {
                    if left == 0 {
                        self.state = ReadState::Header;
                        if fin {
                            self.finish_message()?;
                        }
                        continue;
                    }
                    if self.raw.is_empty() {
                        return Ok(());
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(self.raw.len());
                    let chunk = self.raw.split_to(n);
                    let Some((_, data)) = self.message.as_mut() else { return Err(invalid("no message")) };
                    data.extend(chunk.iter().enumerate().map(|(i, b)| b ^ mask[(pos + i) % 4]));
                    self.state = ReadState::Gather { left: left - n as u64, mask, pos: pos + n, fin };
                }
                ReadState::Header => {
                    let Some(header) = Header::parse(&self.raw) else { return Ok(()) };
                    let starts = header.rsv1 && (header.opcode == 1 || header.opcode == 2);
                    let continues = header.opcode == 0 && self.message.is_some();
                    if !starts && !continues {
                        // A control frame or a plain data frame: through as it is (tungstenite
                        // judges it, RSV bits included).
                        self.out.extend_from_slice(&self.raw.split_to(header.size));
                        self.state = ReadState::Pass(header.len);
                        continue;
                    }
                    if header.rsv1 && continues {
                        return Err(invalid("RSV1 on a continuation frame"));
                    }
                    if starts && self.message.is_some() {
                        return Err(invalid("a new message before the last one ended"));
                    }
                    let mask = match (header.mask, self.from_server) {
                        (Some(mask), false) => mask,
                        (None, true) => [0; 4],
                        (None, false) => return Err(invalid("an unmasked frame from a client")),
                        (Some(_), true) => return Err(invalid("a masked frame from a server")),
                    };
                    let gathered = self.message.as_ref().map_or(0, |(_, d)| d.len() as u64);
                    if gathered.saturating_add(header.len) > self.max as u64 {
                        return Err(invalid("a compressed message is too large"));
                    }
                    let _ = self.raw.split_to(header.size);
                    if starts {
                        self.message = Some((header.opcode, Vec::new()));
                    }
                    self.state = ReadState::Gather { left: header.len, mask, pos: 0, fin: header.fin };
                }
            }
        }
    }

    /// Inflates the gathered message and queues it as one plain frame, masked with a zero key
    /// (so its payload reads as it is).
    fn finish_message(&mut self) -> io::Result<()> {
        let Some((opcode, data)) = self.message.take() else { return Err(invalid("no message")) };
        let plain = inflate(&data, self.max)?;
        let len = plain.len();
        let masked = if self.from_server { 0 } else { 0x80 };
        self.out.push(0x80 | opcode);
        if len < 126 {
            self.out.push(masked | len as u8);
        } else if let Ok(short) = u16::try_from(len) {
            self.out.push(masked | 126);
            self.out.extend_from_slice(&short.to_be_bytes());
        } else {
            self.out.push(masked | 127);
            self.out.extend_from_slice(&(len as u64).to_be_bytes());
        }
        if !self.from_server {
            self.out.extend_from_slice(&[0; 4]);
        }
        self.out.extend_from_slice(&plain);
        Ok(())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Inflating<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if !this.enabled {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        loop {
            if this.out_pos < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.out_pos);
                buf.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                if this.out_pos == this.out.len() {
                    this.out.clear();
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            this.parse()?;
            if !this.out.is_empty() {
                continue;
            }
            let mut chunk = [0u8; 2048];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                // The end of the stream (a frame cut short is tungstenite's to notice).
                Poll::Ready(Ok(())) if read.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => this.raw.extend_from_slice(read.filled()),
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Inflating<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn offer(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(SEC_WEBSOCKET_EXTENSIONS, HeaderValue::from_str(value).expect("header"));
        negotiate(&headers)
    }

    #[test]
    fn offers_are_read_as_the_rfc_says() {
        assert!(offer("permessage-deflate; client_max_window_bits"), "what Chrome offers");
        assert!(offer("permessage-deflate"));
        assert!(offer("x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover"));
        assert!(offer("permessage-deflate; server_max_window_bits=15; client_max_window_bits=10"));
        assert!(!offer("permessage-deflate; server_max_window_bits=10"), "a smaller window than ours");
        assert!(!offer("permessage-deflate; mystery"));
        assert!(!offer("permessage-deflate; client_no_context_takeover; client_no_context_takeover"));
        assert!(!offer("x-webkit-deflate-frame"));
        assert!(!negotiate(&HeaderMap::new()));
    }

    #[test]
    fn text_round_trips_and_short_texts_stay_plain() {
        let text = r#"{"type":"state","tracks":[{"id":"autonomy","value":3},{"id":"economy","value":9}]}"#.repeat(20);
        let shared = SharedText::from(text.clone());
        let packed = shared.deflated().expect("a long repetitive text compresses");
        assert!(packed.len() < text.len() / 4);
        assert_eq!(inflate(packed, 1 << 20).expect("inflates"), text.as_bytes());
        assert!(SharedText::from("{\"type\":\"pong\"}".to_string()).deflated().is_none());
    }

    #[test]
    fn inflation_stops_at_the_limit() {
        let bomb = deflate(&vec![b'a'; 100_000]).expect("compresses");
        assert!(bomb.len() < 1_000);
        assert!(inflate(&bomb, 64 * 1024).is_err());
        assert!(inflate(&[0xff, 0xff, 0xff], 1024).is_err(), "not deflate data");
    }

    /// A client's frame: FIN, RSV1 as asked, opcode, masked with `key`.
    fn client_frame(fin: bool, rsv1: bool, opcode: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
        let mut f = vec![(u8::from(fin) << 7) | (u8::from(rsv1) << 6) | opcode];
        if payload.len() < 126 {
            f.push(0x80 | payload.len() as u8);
        } else {
            f.push(0x80 | 126);
            f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        }
        f.extend_from_slice(&key);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        f
    }

    /// Feeds `input` a few bytes at a time and returns what tungstenite would read.
    async fn through(input: Vec<u8>, max: usize) -> io::Result<Vec<u8>> {
        let (mut client, server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            for piece in input.chunks(7) {
                if client.write_all(piece).await.is_err() {
                    break;
                }
            }
        });
        let mut reader = Inflating::new(server, true, max);
        let mut out = Vec::new();
        let result = reader.read_to_end(&mut out).await;
        // After an error the writer may be stuck on a full pipe: closing our end frees it.
        drop(reader);
        let _ = writer.await;
        result.map(|_| out)
    }

    #[tokio::test]
    async fn a_compressed_message_in_fragments_comes_out_as_one_plain_frame() {
        let text = br#"{"type":"say","to":"all","text":"hello hello hello hello hello"}"#;
        let packed = deflate(text).expect("compresses");
        let (a, b) = packed.split_at(packed.len() / 2);
        let ping = client_frame(true, false, 0x9, b"hi", [9, 8, 7, 6]);
        let plain = client_frame(true, false, 0x1, b"{\"type\":\"ping\"}", [1, 2, 3, 4]);
        let mut input = client_frame(false, true, 0x1, a, [5, 6, 7, 8]);
        input.extend(&ping); // a control frame between the fragments passes through at once
        input.extend(client_frame(true, false, 0x0, b, [4, 3, 2, 1]));
        input.extend(&plain);
        let out = through(input, 1024).await.expect("reads");
        let mut expected = ping.clone();
        expected.extend([0x81, 0x80 | text.len() as u8, 0, 0, 0, 0]);
        expected.extend_from_slice(text);
        expected.extend(&plain);
        assert_eq!(out, expected);
    }

    #[tokio::test]
    async fn malformed_or_oversized_compressed_messages_end_the_stream() {
        let bomb = deflate(&vec![b'a'; 100_000]).expect("compresses");
        assert!(through(client_frame(true, true, 0x1, &bomb, [1, 1, 1, 1]), 64 * 1024).await.is_err());
        let junk = client_frame(true, true, 0x1, &[0xde, 0xad, 0xbe, 0xef], [0, 1, 0, 1]);
        assert!(through(junk, 1024).await.is_err());
        let mut unmasked = client_frame(true, true, 0x1, b"x", [0; 4]);
        unmasked[1] &= 0x7f;
        unmasked.drain(2..6);
        assert!(through(unmasked, 1024).await.is_err());
        let big = client_frame(true, true, 0x1, &[0u8; 300], [1, 2, 3, 4]);
        assert!(through(big, 200).await.is_err(), "compressed bytes past the limit");
    }

    #[tokio::test]
    async fn a_client_reads_a_servers_unmasked_compressed_message_as_one_unmasked_frame() {
        let text = br#"{"type":"state","tracks":[1,2,3,4,5,6,7,8,9,10,1,2,3,4,5,6,7,8,9,10]}"#;
        let packed = deflate(text).expect("compresses");
        // A server's frame: FIN, RSV1, text, no mask.
        let mut input = vec![0xc1, packed.len() as u8];
        input.extend_from_slice(&packed);
        let (mut server, client) = tokio::io::duplex(64);
        server.write_all(&input).await.expect("write");
        drop(server);
        let mut reader = Inflating::client(client, 1024);
        reader.enable();
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await.expect("reads");
        let mut expected = vec![0x81, text.len() as u8];
        expected.extend_from_slice(text);
        assert_eq!(out, expected);
        // A masked frame is not a server's.
        let (mut server, client) = tokio::io::duplex(64);
        server.write_all(&client_frame(true, true, 0x1, &packed, [1, 2, 3, 4])).await.expect("write");
        drop(server);
        let mut reader = Inflating::client(client, 1024);
        reader.enable();
        assert!(reader.read_to_end(&mut Vec::new()).await.is_err());
    }

    #[tokio::test]
    async fn without_the_extension_bytes_pass_untouched() {
        let frame = client_frame(true, true, 0x1, b"whatever", [1, 2, 3, 4]);
        let (mut client, server) = tokio::io::duplex(64);
        client.write_all(&frame).await.expect("write");
        drop(client);
        let mut out = Vec::new();
        Inflating::new(server, false, 1024).read_to_end(&mut out).await.expect("reads");
        assert_eq!(out, frame);
    }
}
