package dev.tandem.structured;

/**
 * Where the automaton is: an immutable stack of frames, innermost on top. Equal states accept the same
 * continuations, so a state is the key of the mask cache.
 */
final class State {

    static final State EMPTY = new State(null, null);

    final Frame top;
    final State rest;
    private final int hash;

    State(Frame top, State rest) {
        this.top = top;
        this.rest = rest;
        this.hash = top == null ? 0 : top.hashCode() * 31 + rest.hash;
    }

    boolean isComplete() {
        return top == null;
    }

    /** The value is complete, or could end here (a top-level number or literal that may still grow). */
    boolean canEnd() {
        return top == null || rest.top == null && top.accepting();
    }

    /** The state after one more byte, or null when the schema forbids it. */
    State step(int b) {
        return top == null ? null : top.step(this, b);
    }

    /** Fewest bytes that complete the value from here. */
    int closeCost() {
        int cost = 0;
        for (State s = this; s.top != null; s = s.rest) {
            cost += s.top.closeCost();
        }
        return cost;
    }

    int depth() {
        int d = 0;
        for (State s = this; s.top != null; s = s.rest) {
            d++;
        }
        return d;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof State s) || s.hash != hash) {
            return false;
        }
        State a = this;
        State b = s;
        while (a.top != null && b.top != null) {
            if (a == b) {
                return true;
            }
            if (!a.top.equals(b.top)) {
                return false;
            }
            a = a.rest;
            b = b.rest;
        }
        return a.top == null && b.top == null;
    }
}
