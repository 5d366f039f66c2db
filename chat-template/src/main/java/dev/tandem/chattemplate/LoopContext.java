package dev.tandem.chattemplate;

import java.util.List;

/** The {@code loop} variable of a {@code for} block: position, neighbours, {@code cycle(...)}, {@code changed(...)}. */
final class LoopContext {

    private final List<?> items;
    private final int depth0;
    int index0;
    private Object lastChanged = NOT_YET;
    private static final Object NOT_YET = new Object();

    LoopContext(List<?> items, int depth0) {
        this.items = items;
        this.depth0 = depth0;
    }

    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle" -> (PyCallable) args -> {
                if (args.size() == 0) {
                    throw TemplateException.type("no items for cycling given");
                }
                return args.positional().get(index0 % args.size());
            };
            case "changed" -> (PyCallable) args -> {
                Object value = List.copyOf(args.positional());
                if (lastChanged != NOT_YET && Values.eq(lastChanged, value)) {
                    return false;
                }
                lastChanged = value;
                return true;
            };
            default -> Undefined.attribute(this, name);
        };
    }
}
