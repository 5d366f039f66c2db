package dev.tandem.chattemplate;

import java.util.List;

/** Statement nodes of the syntax tree: text, output and the block tags. */
sealed interface Node {

    record Text(String text) implements Node { }

    record Output(Expr value) implements Node { }

    /** {@code if} / {@code elif} branches in order, then the {@code else} body (maybe empty). */
    record If(List<Expr> tests, List<List<Node>> bodies, List<Node> otherwise) implements Node { }

    /** {@code for targets in iterable [if filter]}, with its {@code else} body for no iteration. */
    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise)
            implements Node { }

    /** {@code set a = ...}, {@code set a, b = ...} or {@code set ns.attr = ...} (then namespace is non-null). */
    record Set(List<String> targets, String namespaceAttribute, Expr value) implements Node { }

    /** {@code set name | filters %}body{% endset}}: the body's output, filtered. */
    record SetBlock(String target, List<Expr.Filter> filters, List<Node> body) implements Node { }

    /** {@code filter name(args) | ...}: the body's output through the filters (value of each is null). */
    record FilterBlock(List<Expr.Filter> filters, List<Node> body) implements Node { }

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }

    record With(List<String> names, List<Expr> values, List<Node> body) implements Node { }

    record Break() implements Node { }

    record Continue() implements Node { }
}
