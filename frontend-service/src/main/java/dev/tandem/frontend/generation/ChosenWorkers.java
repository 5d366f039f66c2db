package dev.tandem.frontend.generation;

/** Hears which workers serve a request, as the routing picks them (a retry picks again). */
public interface ChosenWorkers {

    /** The request goes out to its first worker, chosen in {@code routingNanos}. */
    void dispatched(long routingNanos);

    void prefillWorker(String workerId);

    /** @param aggregated whether the worker prefills the prompt itself */
    void decodeWorker(String workerId, boolean aggregated);
}
