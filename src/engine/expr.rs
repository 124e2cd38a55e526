//! The scenario's small condition language: integer arithmetic, comparisons and boolean logic
//! over tracks, the round number, the moves ordered this round and the events in play.
//!
//! ```text
//! ok(north.trade_pact) and south.protest      -- moves ordered / succeeded
//! dependency >= 6 or event(storm)             -- tracks and events
//! -(1 + dependency / 3)                       -- an amount
//! south.host[north]                           -- a move with its target
//! ```
//!
//! It is not a scripting language: no loops, no variables, no side effects, and every name is
//! resolved against the scenario when the file is loaded. Integer division rounds toward zero and
//! division by zero gives zero, so evaluation can never fail or panic.

use std::fmt;

use super::ids::RoleId;
use super::ids::{EventId, MoveId, TargetId, TrackId};

/// Where a name or value in an expression refers to, resolved against the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Int(i64),
    Bool(bool),
    Track(TrackId),
    Round,
    /// `role.move` or `role.move[target]`: the move was legally ordered this round.
    Ordered {
        mv: MoveId,
        target: Option<TargetId>,
    },
    /// `ok(role.move)`: ordered and succeeded.
    Succeeded {
        mv: MoveId,
        target: Option<TargetId>,
    },
    /// `event(id)`: the event is in play this round.
    Event(EventId),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Min(Vec<Expr>),
    Max(Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// What an expression computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Int,
    Bool,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Int => "a number",
            Type::Bool => "a true/false condition",
        })
    }
}

/// A problem in an expression, with the byte offset in the expression where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// The names an expression may use, supplied by the scenario loader.
pub trait Symbols {
    fn track(&self, name: &str) -> Option<TrackId>;
    fn role(&self, name: &str) -> Option<RoleId>;
    /// The move `name` of the role with index `role`.
    fn role_move(&self, role: RoleId, name: &str) -> Option<MoveId>;
    /// A role or outside actor that a move may target.
    fn target(&self, name: &str) -> Option<TargetId>;
    fn event(&self, name: &str) -> Option<EventId>;
    /// Whether this expression may look at the orders of the round (false where it is
    /// evaluated before anyone orders, e.g. a move's availability).
    fn orders_visible(&self) -> bool;
}

/// What an expression reads when it is evaluated.
pub trait Context {
    fn track(&self, track: TrackId) -> i64;
    fn round(&self) -> i64;
    fn ordered(&self, mv: MoveId, target: Option<TargetId>) -> bool;
    fn succeeded(&self, mv: MoveId, target: Option<TargetId>) -> bool;
    fn event_active(&self, event: EventId) -> bool;
}

/// Parses and resolves `source`, checking that it computes `expected`.
pub fn compile(source: &str, expected: Type, symbols: &dyn Symbols) -> Result<Expr, ExprError> {
    let tokens = lex(source)?;
    let mut parser = Parser { tokens, pos: 0, symbols, end: source.len() };
    let (expr, ty, offset) = parser.expr()?;
    if let Some(tok) = parser.tokens.get(parser.pos) {
        return Err(ExprError { offset: tok.offset, message: format!("unexpected {} here", tok.kind) });
    }
    if ty != expected {
        return Err(ExprError { offset, message: format!("this must be {expected}, but it is {ty}") });
    }
    Ok(expr)
}

impl Expr {
    /// The integer value (true is 1, false is 0).
    pub fn int(&self, ctx: &dyn Context) -> i64 {
        match self {
            Expr::Int(v) => *v,
            Expr::Track(i) => ctx.track(*i),
            Expr::Round => ctx.round(),
            Expr::Neg(e) => e.int(ctx).saturating_neg(),
            Expr::Arith(op, a, b) => {
                let (a, b) = (a.int(ctx), b.int(ctx));
                match op {
                    ArithOp::Add => a.saturating_add(b),
                    ArithOp::Sub => a.saturating_sub(b),
                    ArithOp::Mul => a.saturating_mul(b),
                    ArithOp::Div => a.checked_div(b).unwrap_or(0),
                }
            }
            Expr::Min(items) => items.iter().map(|e| e.int(ctx)).min().unwrap_or(0),
            Expr::Max(items) => items.iter().map(|e| e.int(ctx)).max().unwrap_or(0),
            other => i64::from(other.truth(ctx)),
        }
    }

    /// The truth value (a number is true when it is not zero).
    pub fn truth(&self, ctx: &dyn Context) -> bool {
        match self {
            Expr::Bool(b) => *b,
            Expr::Ordered { mv, target } => ctx.ordered(*mv, *target),
            Expr::Succeeded { mv, target } => ctx.succeeded(*mv, *target),
            Expr::Event(e) => ctx.event_active(*e),
            Expr::Not(e) => !e.truth(ctx),
            Expr::And(items) => items.iter().all(|e| e.truth(ctx)),
            Expr::Or(items) => items.iter().any(|e| e.truth(ctx)),
            Expr::Cmp(op, a, b) => {
                let (a, b) = (a.int(ctx), b.int(ctx));
                match op {
                    CmpOp::Lt => a < b,
                    CmpOp::Le => a <= b,
                    CmpOp::Gt => a > b,
                    CmpOp::Ge => a >= b,
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                }
            }
            other => other.int(ctx) != 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Ident(String),
    Number(i64),
    Sym(&'static str),
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Ident(s) => write!(f, "`{s}`"),
            TokenKind::Number(n) => write!(f, "the number {n}"),
            TokenKind::Sym(s) => write!(f, "`{s}`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    offset: usize,
}

const SYMBOLS: [&str; 16] = ["<=", ">=", "==", "!=", "<", ">", "(", ")", "[", "]", ".", ",", "+", "-", "*", "/"];

fn lex(source: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let text = &source[start..i];
            let value = text
                .parse::<i64>()
                .map_err(|_| ExprError { offset: start, message: format!("the number {text} is too large") })?;
            tokens.push(Token { kind: TokenKind::Number(value), offset: start });
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            tokens.push(Token { kind: TokenKind::Ident(source[start..i].to_string()), offset: start });
        } else if let Some(sym) = SYMBOLS.iter().find(|s| source[i..].starts_with(**s)) {
            tokens.push(Token { kind: TokenKind::Sym(sym), offset: i });
            i += sym.len();
        } else {
            let ch = source[i..].chars().next().unwrap_or('?');
            return Err(ExprError { offset: i, message: format!("`{ch}` has no meaning here") });
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    symbols: &'a dyn Symbols,
    end: usize,
}

/// A parsed sub-expression, its type and where it starts.
type Typed = (Expr, Type, usize);

impl Parser<'_> {
    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.offset)
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(TokenKind::Sym(s)) if *s == sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(TokenKind::Ident(s)) if s == word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, sym: &str) -> Result<(), ExprError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{sym}`")))
        }
    }

    fn error_here(&self, what: &str) -> ExprError {
        match self.tokens.get(self.pos) {
            Some(tok) => ExprError { offset: tok.offset, message: format!("{what}, found {}", tok.kind) },
            None => ExprError { offset: self.end, message: format!("{what}, but the expression ends") },
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, usize), ExprError> {
        match self.tokens.get(self.pos) {
            Some(Token { kind: TokenKind::Ident(name), offset }) => {
                let out = (name.clone(), *offset);
                self.pos += 1;
                Ok(out)
            }
            _ => Err(self.error_here(&format!("expected {what}"))),
        }
    }

    fn expr(&mut self) -> Result<Typed, ExprError> {
        self.logic("or")
    }

    fn logic(&mut self, word: &str) -> Result<Typed, ExprError> {
        let first = if word == "or" { self.logic("and")? } else { self.not()? };
        if !matches!(self.peek(), Some(TokenKind::Ident(s)) if s == word) {
            return Ok(first);
        }
        let start = first.2;
        let mut items = vec![want(first, Type::Bool, word)?];
        while self.eat_word(word) {
            let next = if word == "or" { self.logic("and")? } else { self.not()? };
            items.push(want(next, Type::Bool, word)?);
        }
        let expr = if word == "or" { Expr::Or(items) } else { Expr::And(items) };
        Ok((expr, Type::Bool, start))
    }

    fn not(&mut self) -> Result<Typed, ExprError> {
        let start = self.offset();
        if self.eat_word("not") {
            let inner = want(self.not()?, Type::Bool, "not")?;
            return Ok((Expr::Not(Box::new(inner)), Type::Bool, start));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Typed, ExprError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Some(TokenKind::Sym("<")) => CmpOp::Lt,
            Some(TokenKind::Sym("<=")) => CmpOp::Le,
            Some(TokenKind::Sym(">")) => CmpOp::Gt,
            Some(TokenKind::Sym(">=")) => CmpOp::Ge,
            Some(TokenKind::Sym("==")) => CmpOp::Eq,
            Some(TokenKind::Sym("!=")) => CmpOp::Ne,
            _ => return Ok(left),
        };
        self.pos += 1;
        let start = left.2;
        let a = want(left, Type::Int, "a comparison")?;
        let b = want(self.sum()?, Type::Int, "a comparison")?;
        Ok((Expr::Cmp(op, Box::new(a), Box::new(b)), Type::Bool, start))
    }

    fn sum(&mut self) -> Result<Typed, ExprError> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat_sym("+") {
                ArithOp::Add
            } else if self.eat_sym("-") {
                ArithOp::Sub
            } else {
                return Ok(left);
            };
            let start = left.2;
            let a = want(left, Type::Int, "arithmetic")?;
            let b = want(self.term()?, Type::Int, "arithmetic")?;
            left = (Expr::Arith(op, Box::new(a), Box::new(b)), Type::Int, start);
        }
    }

    fn term(&mut self) -> Result<Typed, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                ArithOp::Mul
            } else if self.eat_sym("/") {
                ArithOp::Div
            } else {
                return Ok(left);
            };
            let start = left.2;
            let a = want(left, Type::Int, "arithmetic")?;
            let b = want(self.unary()?, Type::Int, "arithmetic")?;
            left = (Expr::Arith(op, Box::new(a), Box::new(b)), Type::Int, start);
        }
    }

    fn unary(&mut self) -> Result<Typed, ExprError> {
        let start = self.offset();
        if self.eat_sym("-") {
            let inner = want(self.unary()?, Type::Int, "`-`")?;
            return Ok((Expr::Neg(Box::new(inner)), Type::Int, start));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Typed, ExprError> {
        let start = self.offset();
        match self.tokens.get(self.pos).map(|t| t.kind.clone()) {
            Some(TokenKind::Number(n)) => {
                self.pos += 1;
                Ok((Expr::Int(n), Type::Int, start))
            }
            Some(TokenKind::Sym("(")) => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect_sym(")")?;
                Ok((inner.0, inner.1, start))
            }
            Some(TokenKind::Ident(name)) => {
                self.pos += 1;
                self.named(&name, start)
            }
            _ => Err(self.error_here("expected a number, a track, a move or `(`")),
        }
    }

    fn named(&mut self, name: &str, start: usize) -> Result<Typed, ExprError> {
        match name {
            "true" => return Ok((Expr::Bool(true), Type::Bool, start)),
            "false" => return Ok((Expr::Bool(false), Type::Bool, start)),
            "round" => return Ok((Expr::Round, Type::Int, start)),
            _ => {}
        }
        if self.eat_sym("(") {
            return self.call(name, start);
        }
        if self.eat_sym(".") {
            let (mv, target) = self.move_ref(name, start)?;
            return Ok((Expr::Ordered { mv, target }, Type::Bool, start));
        }
        if let Some(track) = self.symbols.track(name) {
            return Ok((Expr::Track(track), Type::Int, start));
        }
        let hint = if self.symbols.role(name).is_some() {
            format!("`{name}` is a role: write `{name}.<move>` to ask whether it ordered a move")
        } else if self.symbols.event(name).is_some() {
            format!("`{name}` is an event: write `event({name})`")
        } else {
            format!("`{name}` is not a track of this scenario")
        };
        Err(ExprError { offset: start, message: hint })
    }

    /// After `role.`: the move name and an optional `[target]`.
    fn move_ref(&mut self, role_name: &str, start: usize) -> Result<(MoveId, Option<TargetId>), ExprError> {
        if !self.symbols.orders_visible() {
            return Err(ExprError {
                offset: start,
                message:
                    "the orders of the round are not known yet here: only tracks, `round` and `event(…)` may be used"
                        .to_string(),
            });
        }
        let role = self.symbols.role(role_name).ok_or_else(|| ExprError {
            offset: start,
            message: format!("`{role_name}` is not a role of this scenario"),
        })?;
        let (move_name, move_offset) = self.ident("a move name after `.`")?;
        let mv = self.symbols.role_move(role, &move_name).ok_or_else(|| ExprError {
            offset: move_offset,
            message: format!("role `{role_name}` has no move `{move_name}`"),
        })?;
        let mut target = None;
        if self.eat_sym("[") {
            let (target_name, target_offset) = self.ident("a target inside `[ ]`")?;
            target = Some(self.symbols.target(&target_name).ok_or_else(|| ExprError {
                offset: target_offset,
                message: format!("`{target_name}` is not a role or actor of this scenario"),
            })?);
            self.expect_sym("]")?;
        }
        Ok((mv, target))
    }

    fn call(&mut self, name: &str, start: usize) -> Result<Typed, ExprError> {
        match name {
            "ok" => {
                let (role_name, role_offset) = self.ident("a role, as in ok(role.move)")?;
                self.expect_sym(".")?;
                let (mv, target) = self.move_ref(&role_name, role_offset)?;
                self.expect_sym(")")?;
                Ok((Expr::Succeeded { mv, target }, Type::Bool, start))
            }
            "event" => {
                let (event_name, offset) = self.ident("an event name")?;
                let event = self.symbols.event(&event_name).ok_or_else(|| ExprError {
                    offset,
                    message: format!("`{event_name}` is not an event of this scenario"),
                })?;
                self.expect_sym(")")?;
                Ok((Expr::Event(event), Type::Bool, start))
            }
            "min" | "max" => {
                let mut items = vec![want(self.sum()?, Type::Int, name)?];
                while self.eat_sym(",") {
                    items.push(want(self.sum()?, Type::Int, name)?);
                }
                self.expect_sym(")")?;
                let expr = if name == "min" { Expr::Min(items) } else { Expr::Max(items) };
                Ok((expr, Type::Int, start))
            }
            _ => Err(ExprError {
                offset: start,
                message: format!("there is no function `{name}`: use ok(…), event(…), min(…) or max(…)"),
            }),
        }
    }
}

fn want(typed: Typed, expected: Type, context: &str) -> Result<Expr, ExprError> {
    let (expr, ty, offset) = typed;
    if ty == expected {
        Ok(expr)
    } else {
        Err(ExprError { offset, message: format!("{context} needs {expected} here, but this is {ty}") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names {
        orders: bool,
    }

    impl Symbols for Names {
        fn track(&self, name: &str) -> Option<TrackId> {
            ["economy", "dependency"].iter().position(|n| *n == name).map(TrackId::new)
        }
        fn role(&self, name: &str) -> Option<RoleId> {
            ["north", "south"].iter().position(|n| *n == name).map(RoleId::new)
        }
        fn role_move(&self, role: RoleId, name: &str) -> Option<MoveId> {
            match (role.index(), name) {
                (0, "trade") => Some(MoveId::new(0)),
                (1, "trade") => Some(MoveId::new(1)),
                (1, "visit") => Some(MoveId::new(2)),
                _ => None,
            }
        }
        fn target(&self, name: &str) -> Option<TargetId> {
            ["north", "south", "island"].iter().position(|n| *n == name).map(TargetId::new)
        }
        fn event(&self, name: &str) -> Option<EventId> {
            (name == "storm").then_some(EventId::new(0))
        }
        fn orders_visible(&self) -> bool {
            self.orders
        }
    }

    struct World;

    impl Context for World {
        fn track(&self, track: TrackId) -> i64 {
            [4, 9][track.index()]
        }
        fn round(&self) -> i64 {
            3
        }
        fn ordered(&self, mv: MoveId, target: Option<TargetId>) -> bool {
            mv.index() == 1 || (mv.index() == 2 && target.is_none_or(|t| t.index() == 2))
        }
        fn succeeded(&self, mv: MoveId, _target: Option<TargetId>) -> bool {
            mv.index() == 1
        }
        fn event_active(&self, event: EventId) -> bool {
            event.index() == 0
        }
    }

    fn eval_int(src: &str) -> i64 {
        compile(src, Type::Int, &Names { orders: true }).expect("compiles").int(&World)
    }

    fn eval_bool(src: &str) -> bool {
        compile(src, Type::Bool, &Names { orders: true }).expect("compiles").truth(&World)
    }

    fn error(src: &str, ty: Type) -> ExprError {
        compile(src, ty, &Names { orders: true }).expect_err("must not compile")
    }

    #[test]
    fn arithmetic_follows_precedence_and_rounds_toward_zero() {
        assert_eq!(eval_int("1 + 2 * 3"), 7);
        assert_eq!(eval_int("-(1 + dependency / 3)"), -4);
        assert_eq!(eval_int("(economy - 10) / 3"), -2);
        assert_eq!(eval_int("min(economy, dependency, 7) + max(1, round)"), 7);
    }

    #[test]
    fn division_by_zero_is_zero_not_a_panic() {
        assert_eq!(eval_int("economy / (round - 3)"), 0);
    }

    #[test]
    fn conditions_read_orders_successes_events_and_tracks() {
        assert!(eval_bool("south.trade and ok(south.trade)"));
        assert!(!eval_bool("north.trade"));
        assert!(eval_bool("south.visit[island] and not south.visit[north]"));
        assert!(eval_bool("event(storm) and dependency >= 9 and round == 3"));
        assert!(eval_bool("north.trade or economy < 5"));
        assert!(eval_bool("true"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert!(eval_bool("true or false and false"));
        assert!(!eval_bool("(true or false) and false"));
    }

    #[test]
    fn unknown_names_are_reported_where_they_stand() {
        let e = error("economy >= 3 and sunshine > 1", Type::Bool);
        assert_eq!(e.offset, 17);
        assert!(e.message.contains("`sunshine` is not a track"), "{}", e.message);
        let e = error("south.fly", Type::Bool);
        assert!(e.message.contains("role `south` has no move `fly`"), "{}", e.message);
        assert_eq!(e.offset, 6);
        let e = error("north", Type::Bool);
        assert!(e.message.contains("is a role"), "{}", e.message);
        let e = error("storm", Type::Bool);
        assert!(e.message.contains("event(storm)"), "{}", e.message);
    }

    #[test]
    fn types_are_checked() {
        let e = error("economy + 1", Type::Bool);
        assert!(e.message.contains("must be a true/false condition"), "{}", e.message);
        let e = error("economy and true", Type::Bool);
        assert!(e.message.contains("needs a true/false condition"), "{}", e.message);
        let e = error("south.trade + 1", Type::Int);
        assert!(e.message.contains("needs a number"), "{}", e.message);
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        assert!(error("economy >=", Type::Bool).message.contains("expression ends"));
        assert!(error("(economy > 1", Type::Bool).message.contains("expected `)`"));
        assert!(error("economy > 1 2", Type::Bool).message.contains("unexpected"));
        assert!(error("economy # 2", Type::Bool).message.contains("`#` has no meaning"));
        assert!(error("foo(1)", Type::Int).message.contains("no function `foo`"));
        assert!(error("99999999999999999999", Type::Int).message.contains("too large"));
    }

    #[test]
    fn availability_conditions_cannot_see_orders() {
        let e = compile("south.trade", Type::Bool, &Names { orders: false }).expect_err("orders hidden");
        assert!(e.message.contains("not known yet"), "{}", e.message);
        assert!(compile("round >= 2 and event(storm)", Type::Bool, &Names { orders: false }).is_ok());
    }
}
