package dev.tandem.worker;

/** Fired at startup once the worker's model, engine and KV pool are loaded, before it reports ready. */
public record WorkerLoaded(WorkerRuntime runtime) {
}
