package dev.tandem.structured;

/** One level of the automaton's stack. Frames are immutable values. */
interface Frame {

    /** The state after byte {@code b} with this frame on top of {@code self}, or null when forbidden. */
    State step(State self, int b);

    /** The frame below a finished child: what it becomes now that the child's value is complete. */
    default Frame childDone() {
        throw new IllegalStateException(getClass().getSimpleName() + " has no child");
    }

    /** Bytes this frame still needs (its children's excluded) to complete. */
    int closeCost();

    /** Whether the frame's value could end here although it may also go on (numbers, some literals). */
    default boolean accepting() {
        return false;
    }

    /** Pops the finished top frame of {@code self}: its parent learns its child is done. */
    static State finish(State self) {
        State rest = self.rest;
        return rest.top == null ? State.EMPTY : new State(rest.top.childDone(), rest.rest);
    }

    /** Ends the (accepting) top frame of {@code self} without consuming {@code b}, then lets the parent take b. */
    static State endThenStep(State self, int b) {
        State parent = finish(self);
        return parent.step(b);
    }

    static boolean whitespace(int b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** Longest run of whitespace between tokens of the JSON text. */
    int MAX_WHITESPACE = 4;
}
