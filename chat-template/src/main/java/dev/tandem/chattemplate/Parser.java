package dev.tandem.chattemplate;

import dev.tandem.chattemplate.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the syntax tree from tokens with Jinja2's grammar and precedence: conditional expression, {@code or},
 * {@code and}, {@code not}, comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %}, {@code **},
 * unary sign, then postfix ({@code .attr}, {@code [item]}, calls) and filters and tests ({@code |f},
 * {@code is t}).
 */
final class Parser {

    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int pos;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Node> body = parser.body(Set.of());
        if (parser.current().kind() != Kind.EOF) {
            throw parser.error("Unexpected '" + parser.current().value() + "'");
        }
        return body;
    }

    // ---- token stream ----

    private Token current() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.EOF) {
            pos++;
        }
        return t;
    }

    private TemplateException error(String message) {
        return TemplateException.syntax(message, current().line());
    }

    private Token expect(Kind kind, String what) {
        if (current().kind() != kind) {
            throw error("expected " + what + ", got " + current());
        }
        return next();
    }

    private void expectOperator(String op) {
        if (!current().isOperator(op)) {
            throw error("expected '" + op + "', got " + current());
        }
        next();
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private String name() {
        return expect(Kind.NAME, "a name").value();
    }

    private void blockEnd() {
        expect(Kind.BLOCK_END, "end of block tag '%}'");
    }

    // ---- statements ----

    /** Nodes up to a block tag named in {@code end} (its {@code {%} consumed, its name current) or the end. */
    private List<Node> body(Set<String> end) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case EOF -> {
                    if (!end.isEmpty()) {
                        throw error("Unexpected end of template: expected one of " + end);
                    }
                    return nodes;
                }
                case TEXT -> {
                    next();
                    nodes.add(new Node.Text(t.value()));
                }
                case VARIABLE_BEGIN -> {
                    next();
                    nodes.add(new Node.Output(tuple(true, false)));
                    expect(Kind.VARIABLE_END, "end of print statement '}}'");
                }
                case BLOCK_BEGIN -> {
                    next();
                    Token tag = current();
                    if (tag.kind() == Kind.NAME && end.contains(tag.value())) {
                        return nodes;
                    }
                    Node statement = statement();
                    if (statement != null) {
                        nodes.add(statement);
                    }
                }
                default -> throw error("Unexpected " + t);
            }
        }
    }

    private Node statement() {
        Token tag = expect(Kind.NAME, "a tag name");
        return switch (tag.value()) {
            case "if" -> ifStatement();
            case "for" -> forStatement();
            case "set" -> setStatement();
            case "macro" -> macro();
            case "filter" -> filterBlock();
            case "with" -> with();
            case "generation" -> {
                blockEnd();
                List<Node> body = body(Set.of("endgeneration"));
                next();
                blockEnd();
                yield new Node.With(List.of(), List.of(), body);
            }
            case "break" -> {
                blockEnd();
                yield new Node.Break();
            }
            case "continue" -> {
                blockEnd();
                yield new Node.Continue();
            }
            default -> throw TemplateException.syntax("Encountered unknown tag '" + tag.value() + "'", tag.line());
        };
    }

    private Node ifStatement() {
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> otherwise = List.of();
        tests.add(tuple(false, false));
        blockEnd();
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            String tag = next().value();
            if (tag.equals("elif")) {
                tests.add(tuple(false, false));
                blockEnd();
            } else if (tag.equals("else")) {
                blockEnd();
                otherwise = body(Set.of("endif"));
                next();
                blockEnd();
                break;
            } else {
                blockEnd();
                break;
            }
        }
        return new Node.If(tests, bodies, otherwise);
    }

    private Node forStatement() {
        List<String> targets = targets();
        if (!skipName("in")) {
            throw error("expected 'in' in for loop, got " + current());
        }
        Expr iterable = tuple(false, false);
        Expr filter = null;
        if (skipName("if")) {
            filter = expression(true);
        }
        if (current().isName("recursive")) {
            throw error("recursive for loops are not supported");
        }
        blockEnd();
        List<Node> body = body(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        if (next().value().equals("else")) {
            blockEnd();
            otherwise = body(Set.of("endfor"));
            next();
        }
        blockEnd();
        return new Node.For(targets, iterable, filter, body, otherwise);
    }

    private List<String> targets() {
        List<String> names = new ArrayList<>();
        boolean parens = skipOperator("(");
        do {
            names.add(name());
        } while (skipOperator(","));
        if (parens) {
            expectOperator(")");
        }
        return names;
    }

    private Node setStatement() {
        if (current().kind() == Kind.NAME && peek(1).isOperator(".")) {
            String ns = name();
            next();
            String attribute = name();
            expectOperator("=");
            Expr value = tuple(true, false);
            blockEnd();
            return new Node.Set(List.of(ns), attribute, value);
        }
        List<String> targets = targets();
        if (skipOperator("=")) {
            Expr value = tuple(true, false);
            blockEnd();
            return new Node.Set(targets, null, value);
        }
        if (targets.size() != 1) {
            throw error("a block set assigns one name");
        }
        List<Expr.Filter> filters = new ArrayList<>();
        while (skipOperator("|")) {
            filters.add(filterCall(null));
        }
        blockEnd();
        List<Node> body = body(Set.of("endset"));
        next();
        blockEnd();
        return new Node.SetBlock(targets.getFirst(), filters, body);
    }

    private Node macro() {
        String name = name();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expectOperator("(");
        while (!current().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            params.add(name());
            if (skipOperator("=")) {
                defaults.add(expression(true));
            } else if (!defaults.isEmpty()) {
                throw error("non-default argument follows default argument");
            }
        }
        next();
        blockEnd();
        List<Node> body = body(Set.of("endmacro"));
        next();
        if (current().kind() == Kind.NAME) {
            next();
        }
        blockEnd();
        return new Node.Macro(name, params, defaults, body);
    }

    private Node filterBlock() {
        List<Expr.Filter> filters = new ArrayList<>();
        do {
            filters.add(filterCall(null));
        } while (skipOperator("|"));
        blockEnd();
        List<Node> body = body(Set.of("endfilter"));
        next();
        blockEnd();
        return new Node.FilterBlock(filters, body);
    }

    private Node with() {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!names.isEmpty()) {
                expectOperator(",");
            }
            names.add(name());
            expectOperator("=");
            values.add(expression(true));
        }
        blockEnd();
        List<Node> body = body(Set.of("endwith"));
        next();
        blockEnd();
        return new Node.With(names, values, body);
    }

    // ---- expressions ----

    /** An expression, or a tuple of them when separated by commas ({@code a, b}). */
    private Expr tuple(boolean withCondition, boolean explicitParens) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            Token t = current();
            if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")
                    || t.isOperator("=") || t.kind() == Kind.EOF) {
                break;
            }
            items.add(expression(withCondition));
            if (current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParens) {
                throw error("Expected an expression, got " + current());
            }
        }
        return new Expr.TupleLiteral(items);
    }

    private Expr expression(boolean withCondition) {
        return withCondition ? conditional() : or();
    }

    private Expr conditional() {
        Expr expr = or();
        while (skipName("if")) {
            Expr test = or();
            Expr otherwise = skipName("else") ? conditional() : null;
            expr = new Expr.Conditional(test, expr, otherwise);
        }
        return expr;
    }

    private Expr or() {
        Expr left = and();
        while (skipName("or")) {
            left = new Expr.Logical(false, left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (skipName("and")) {
            left = new Expr.Logical(true, left, not());
        }
        return left;
    }

    private Expr not() {
        if (skipName("not")) {
            return new Expr.Unary("not", not());
        }
        return compare();
    }

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr math1() {
        Expr left = concat();
        while (current().isOperator("+") || current().isOperator("-")) {
            String op = next().value();
            left = new Expr.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (skipOperator("~")) {
            left = new Expr.Binary("~", left, math2());
        }
        return left;
    }

    private Expr math2() {
        Expr left = pow();
        while (current().isOperator("*") || current().isOperator("/") || current().isOperator("//")
                || current().isOperator("%")) {
            String op = next().value();
            left = new Expr.Binary(op, left, pow());
        }
        return left;
    }

    private Expr pow() {
        Expr left = unary(true);
        while (skipOperator("**")) {
            left = new Expr.Binary("**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Expr node;
        if (skipOperator("-")) {
            node = new Expr.Unary("-", unary(false));
        } else if (skipOperator("+")) {
            node = new Expr.Unary("+", unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilter ? filters(node) : node;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.value()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE);
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE);
                    case "none", "None" -> new Expr.Literal(null);
                    default -> new Expr.Name(t.value());
                };
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.value());
                while (current().kind() == Kind.STRING) {
                    s.append(next().value());
                }
                return new Expr.Literal(s.toString());
            }
            case INTEGER -> {
                return new Expr.Literal(Long.parseLong(t.value()));
            }
            case FLOAT -> {
                return new Expr.Literal(Double.parseDouble(t.value()));
            }
            case OPERATOR -> {
                switch (t.value()) {
                    case "(" -> {
                        Expr inner = tuple(true, true);
                        expectOperator(")");
                        return inner;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!current().isOperator("]")) {
                            if (!items.isEmpty()) {
                                expectOperator(",");
                                if (current().isOperator("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        next();
                        return new Expr.ListLiteral(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!current().isOperator("}")) {
                            if (!keys.isEmpty()) {
                                expectOperator(",");
                                if (current().isOperator("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            expectOperator(":");
                            values.add(expression(true));
                        }
                        next();
                        return new Expr.DictLiteral(keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw TemplateException.syntax("Unexpected " + t, t.line());
    }

    private Expr postfix(Expr node) {
        while (true) {
            if (current().isOperator(".")) {
                next();
                Token t = next();
                if (t.kind() == Kind.NAME) {
                    node = new Expr.Attribute(node, t.value());
                } else if (t.kind() == Kind.INTEGER) {
                    node = new Expr.Item(node, new Expr.Literal(Long.parseLong(t.value())));
                } else {
                    throw TemplateException.syntax("expected name or number after '.'", t.line());
                }
            } else if (current().isOperator("[")) {
                next();
                node = subscript(node);
            } else if (current().isOperator("(")) {
                node = new Expr.Call(node, args());
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr node) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!current().isOperator("]")) {
            if (current().isOperator(":")) {
                next();
                slice = true;
                part++;
                if (part > 2) {
                    throw error("too many ':' in slice");
                }
                continue;
            }
            parts[part] = expression(true);
            if (!slice && current().isOperator(",")) {
                List<Expr> items = new ArrayList<>(List.of(parts[0]));
                while (skipOperator(",")) {
                    if (current().isOperator("]")) {
                        break;
                    }
                    items.add(expression(true));
                }
                parts[0] = new Expr.TupleLiteral(items);
            }
        }
        next();
        if (slice) {
            return new Expr.Slice(node, parts[0], parts[1], parts[2]);
        }
        if (parts[0] == null) {
            throw error("expected a subscript");
        }
        return new Expr.Item(node, parts[0]);
    }

    private Expr filters(Expr node) {
        while (true) {
            if (skipOperator("|")) {
                node = filterCall(node);
            } else if (current().isName("is")) {
                next();
                boolean negated = skipName("not");
                String name = name();
                Expr.Args args = Expr.Args.NONE;
                Token t = current();
                if (t.isOperator("(")) {
                    args = args();
                } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                        || t.kind() == Kind.FLOAT || t.isOperator("[") || t.isOperator("{"))
                        && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
                    if (t.isName("is")) {
                        throw error("You cannot chain multiple tests with is");
                    }
                    args = new Expr.Args(List.of(postfix(primary())), List.of(), List.of());
                }
                node = new Expr.Test(node, name, negated, args);
            } else if (current().isOperator("(")) {
                node = new Expr.Call(node, args());
            } else {
                return node;
            }
        }
    }

    private Expr.Filter filterCall(Expr value) {
        StringBuilder name = new StringBuilder(name());
        while (current().isOperator(".")) {
            next();
            name.append('.').append(name());
        }
        Expr.Args args = current().isOperator("(") ? args() : Expr.Args.NONE;
        return new Expr.Filter(value, name.toString(), args);
    }

    private Expr.Args args() {
        expectOperator("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        boolean first = true;
        while (!current().isOperator(")")) {
            if (!first) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            first = false;
            if (current().kind() == Kind.NAME && peek(1).isOperator("=")) {
                names.add(next().value());
                next();
                values.add(expression(true));
            } else {
                if (!names.isEmpty()) {
                    throw error("positional argument follows keyword argument");
                }
                positional.add(expression(true));
            }
        }
        next();
        return new Expr.Args(positional, names, values);
    }
}
