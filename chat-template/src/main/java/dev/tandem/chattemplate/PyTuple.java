package dev.tandem.chattemplate;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/** A Python tuple: an immutable sequence that prints as {@code (a, b)}; {@code items()} pairs are tuples. */
final class PyTuple extends AbstractList<Object> implements RandomAccess {

    private final Object[] items;

    PyTuple(Object... items) {
        this.items = items;
    }

    static PyTuple of(List<?> items) {
        return new PyTuple(items.toArray());
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
