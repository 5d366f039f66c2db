package dev.tandem.frontend.routing;

public enum WorkerRole {
    PREFILL, DECODE
}
