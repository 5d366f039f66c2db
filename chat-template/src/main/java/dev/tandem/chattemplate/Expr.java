package dev.tandem.chattemplate;

import java.util.List;

/** Expression nodes of the syntax tree. */
sealed interface Expr {

    /** Arguments as written: positional expressions, then {@code name=value} pairs. */
    record Args(List<Expr> positional, List<String> names, List<Expr> values) {
        static final Args NONE = new Args(List.of(), List.of(), List.of());
    }

    record Literal(Object value) implements Expr { }

    record Name(String name) implements Expr { }

    record Attribute(Expr object, String name) implements Expr { }

    record Item(Expr object, Expr key) implements Expr { }

    /** {@code object[start:stop:step]}; absent parts are null. */
    record Slice(Expr object, Expr start, Expr stop, Expr step) implements Expr { }

    record ListLiteral(List<Expr> items) implements Expr { }

    record TupleLiteral(List<Expr> items) implements Expr { }

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr { }

    /** {@code not}, unary {@code -} and {@code +}. */
    record Unary(String op, Expr operand) implements Expr { }

    /** Arithmetic and {@code ~}. */
    record Binary(String op, Expr left, Expr right) implements Expr { }

    /** {@code and} / {@code or}, short-circuit, returning an operand as Python does. */
    record Logical(boolean and, Expr left, Expr right) implements Expr { }

    /** A comparison chain {@code a < b <= c}, including {@code in} and {@code not in}. */
    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr { }

    record Conditional(Expr test, Expr then, Expr otherwise) implements Expr { }

    record Call(Expr callee, Args args) implements Expr { }

    record Filter(Expr value, String name, Args args) implements Expr { }

    record Test(Expr value, String name, boolean negated, Args args) implements Expr { }
}
