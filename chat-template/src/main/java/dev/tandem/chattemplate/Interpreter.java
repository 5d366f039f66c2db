package dev.tandem.chattemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Walks the syntax tree: executes statements into the output and evaluates expressions to values. */
final class Interpreter {

    /** How a statement list ended: normally, or by {@code break} / {@code continue} inside a loop. */
    enum Signal { NORMAL, BREAK, CONTINUE }

    private int loopDepth;

    Signal execute(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            Signal signal = execute(node, scope, out);
            if (signal != Signal.NORMAL) {
                return signal;
            }
        }
        return Signal.NORMAL;
    }

    private Signal execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> {
                Object value = eval(o.value(), scope);
                out.append(Values.str(value));
            }
            case Node.If f -> {
                for (int i = 0; i < f.tests().size(); i++) {
                    if (Values.truthy(eval(f.tests().get(i), scope))) {
                        return execute(f.bodies().get(i), scope, out);
                    }
                }
                return execute(f.otherwise(), scope, out);
            }
            case Node.For f -> {
                return forLoop(f, scope, out);
            }
            case Node.Set s -> assign(s, scope);
            case Node.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                execute(s.body(), scope, captured);
                scope.set(s.target(), applyFilters(s.filters(), captured.toString(), scope));
            }
            case Node.FilterBlock f -> {
                StringBuilder captured = new StringBuilder();
                execute(f.body(), new Scope(scope), captured);
                out.append(Values.str(applyFilters(f.filters(), captured.toString(), scope)));
            }
            case Node.Macro m -> scope.set(m.name(), macro(m, scope));
            case Node.With w -> {
                Scope inner = new Scope(scope);
                for (int i = 0; i < w.names().size(); i++) {
                    inner.set(w.names().get(i), eval(w.values().get(i), scope));
                }
                return execute(w.body(), inner, out);
            }
            case Node.Break b -> {
                return Signal.BREAK;
            }
            case Node.Continue c -> {
                return Signal.CONTINUE;
            }
        }
        return Signal.NORMAL;
    }

    private Signal forLoop(Node.For f, Scope scope, StringBuilder out) {
        List<?> items = Values.iterate(eval(f.iterable(), scope));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = new Scope(scope);
                bind(f.targets(), item, probe);
                if (Values.truthy(eval(f.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            return execute(f.otherwise(), new Scope(scope), out);
        }
        LoopContext loop = new LoopContext(items, loopDepth);
        loopDepth++;
        try {
            for (int i = 0; i < items.size(); i++) {
                loop.index0 = i;
                Scope inner = new Scope(scope);
                inner.set("loop", loop);
                bind(f.targets(), items.get(i), inner);
                if (execute(f.body(), inner, out) == Signal.BREAK) {
                    break;
                }
            }
        } finally {
            loopDepth--;
        }
        return Signal.NORMAL;
    }

    private static void bind(List<String> targets, Object value, Scope scope) {
        if (targets.size() == 1) {
            scope.set(targets.getFirst(), value);
            return;
        }
        List<?> parts = Values.iterate(value);
        if (parts.size() != targets.size()) {
            throw TemplateException.type((parts.size() < targets.size() ? "not enough" : "too many")
                    + " values to unpack (expected " + targets.size() + ", got " + parts.size() + ")");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.set(targets.get(i), parts.get(i));
        }
    }

    private void assign(Node.Set s, Scope scope) {
        Object value = eval(s.value(), scope);
        if (s.namespaceAttribute() == null) {
            bind(s.targets(), value, scope);
            return;
        }
        Object target = scope.get(s.targets().getFirst());
        if (!(target instanceof Namespace ns)) {
            throw new TemplateException(TemplateException.Kind.SYNTAX, "cannot assign attribute on non-namespace object");
        }
        ns.attributes.put(s.namespaceAttribute(), value);
    }

    private PyCallable macro(Node.Macro m, Scope definedIn) {
        return args -> {
            Scope inner = new Scope(definedIn);
            List<String> params = m.params();
            int firstDefault = params.size() - m.defaults().size();
            Map<String, Object> extraKeywords = new LinkedHashMap<>(args.keywords());
            for (int i = 0; i < params.size(); i++) {
                String name = params.get(i);
                Object value;
                if (i < args.positional().size()) {
                    value = args.positional().get(i);
                } else if (extraKeywords.containsKey(name)) {
                    value = extraKeywords.remove(name);
                } else if (i >= firstDefault) {
                    value = eval(m.defaults().get(i - firstDefault), inner);
                } else {
                    value = new Undefined("parameter '" + name + "' was not provided");
                }
                inner.set(name, value);
            }
            List<Object> varargs = args.positional().size() > params.size()
                    ? new ArrayList<>(args.positional().subList(params.size(), args.positional().size()))
                    : new ArrayList<>();
            inner.set("varargs", varargs);
            inner.set("kwargs", extraKeywords);
            StringBuilder out = new StringBuilder();
            int depth = loopDepth;
            loopDepth = 0;
            try {
                execute(m.body(), inner, out);
            } finally {
                loopDepth = depth;
            }
            return out.toString();
        };
    }

    private Object applyFilters(List<Expr.Filter> filters, Object value, Scope scope) {
        Object result = value;
        for (Expr.Filter f : filters) {
            result = Filters.apply(this, f.name(), result, args(f.args(), scope));
        }
        return result;
    }

    // ---- expressions ----

    Object eval(Expr expr, Scope scope) {
        return switch (expr) {
            case Expr.Literal l -> l.value();
            case Expr.Name n -> scope.get(n.name());
            case Expr.Attribute a -> Access.attribute(eval(a.object(), scope), a.name());
            case Expr.Item i -> Access.item(eval(i.object(), scope), eval(i.key(), scope));
            case Expr.Slice s -> Values.slice(eval(s.object(), scope), optional(s.start(), scope),
                    optional(s.stop(), scope), optional(s.step(), scope));
            case Expr.ListLiteral l -> {
                List<Object> out = new ArrayList<>(l.items().size());
                for (Expr item : l.items()) {
                    out.add(eval(item, scope));
                }
                yield out;
            }
            case Expr.TupleLiteral t -> {
                Object[] out = new Object[t.items().size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = eval(t.items().get(i), scope);
                }
                yield new PyTuple(out);
            }
            case Expr.DictLiteral d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    out.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                yield out;
            }
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !Values.truthy(eval(u.operand(), scope));
                case "-" -> Operators.negate(eval(u.operand(), scope));
                default -> Operators.plus(eval(u.operand(), scope));
            };
            case Expr.Binary b -> b.op().equals("~")
                    ? Values.str(eval(b.left(), scope)).concat(Values.str(eval(b.right(), scope)))
                    : Operators.binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
            case Expr.Logical l -> {
                Object left = eval(l.left(), scope);
                yield Values.truthy(left) == l.and() ? eval(l.right(), scope) : left;
            }
            case Expr.Compare c -> compare(c, scope);
            case Expr.Conditional c -> Values.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
                    : c.otherwise() == null ? new Undefined("the inline if-expression evaluated to false and no else"
                    + " section was defined") : eval(c.otherwise(), scope);
            case Expr.Call c -> call(eval(c.callee(), scope), args(c.args(), scope));
            case Expr.Filter f -> Filters.apply(this, f.name(), eval(f.value(), scope), args(f.args(), scope));
            case Expr.Test t -> Tests.apply(t.name(), eval(t.value(), scope), args(t.args(), scope)) != t.negated();
        };
    }

    private Object optional(Expr expr, Scope scope) {
        if (expr == null) {
            return null;
        }
        Object value = eval(expr, scope);
        if (value instanceof Undefined u) {
            throw u.error();
        }
        return value;
    }

    private Object compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            String op = c.ops().get(i);
            boolean ok = switch (op) {
                case "==" -> Values.eq(left, right);
                case "!=" -> !Values.eq(left, right);
                case "<" -> Values.compare(left, right, op) < 0;
                case "<=" -> Values.compare(left, right, op) <= 0;
                case ">" -> Values.compare(left, right, op) > 0;
                case ">=" -> Values.compare(left, right, op) >= 0;
                case "in" -> Values.contains(right, left);
                default -> !Values.contains(right, left);
            };
            if (!ok) {
                return false;
            }
            left = right;
        }
        return true;
    }

    static Object call(Object callee, CallArgs args) {
        if (callee instanceof PyCallable f) {
            return f.call(args);
        }
        if (callee instanceof Undefined u) {
            throw u.error();
        }
        throw TemplateException.type("'" + Values.typeName(callee) + "' object is not callable");
    }

    private CallArgs args(Expr.Args args, Scope scope) {
        if (args.positional().isEmpty() && args.names().isEmpty()) {
            return CallArgs.NONE;
        }
        List<Object> positional = new ArrayList<>(args.positional().size());
        for (Expr e : args.positional()) {
            positional.add(eval(e, scope));
        }
        Map<String, Object> keywords = args.names().isEmpty() ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < args.names().size(); i++) {
            keywords.put(args.names().get(i), eval(args.values().get(i), scope));
        }
        return new CallArgs(positional, keywords);
    }
}
