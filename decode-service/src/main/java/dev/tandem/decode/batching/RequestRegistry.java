package dev.tandem.decode.batching;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests this worker knows, by id, from registration (possibly while their KV is still in transfer) to
 * their end, so that Worker.Cancel finds them wherever they are. Closed once the worker drains.
 */
final class RequestRegistry {

    private final Map<String, SequenceRequest> byRequestId = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;

    /** False, registering nothing, once the worker takes no new work. */
    boolean add(SequenceRequest request) {
        if (!accepting) {
            return false;
        }
        byRequestId.put(request.requestId, request);
        return true;
    }

    void remove(SequenceRequest request) {
        byRequestId.remove(request.requestId);
    }

    /** Marks a request's sequence cancelled; the batch loop drops it. True when this worker had one. */
    boolean cancel(String requestId) {
        SequenceRequest request = byRequestId.get(requestId);
        if (request == null) {
            return false;
        }
        request.cancel();
        return true;
    }

    void close() {
        accepting = false;
    }
}
