package dev.tandem.engine;

/**
 * The KV block pool has too few free blocks for the step. Nothing was computed and no sequence
 * grew; the caller may free or preempt sequences and retry.
 */
public class KvCapacityException extends RuntimeException {

    private final int sequenceIndex;

    public KvCapacityException(String message, int sequenceIndex) {
        super(message);
        this.sequenceIndex = sequenceIndex;
    }

    /** Index (in the step's sequence list) of the sequence that could not grow; 0 for a prefill. */
    public int sequenceIndex() {
        return sequenceIndex;
    }
}
