package dev.tandem.protocol;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;

/**
 * Plaintext channels to peer workers, one per {@code host:port}, opened on first use. Worker addresses come
 * from configuration or from a KV handle at run time, so they cannot be static {@code @GrpcClient}s; the
 * application's global client interceptors (tracing) are applied to every channel.
 */
public final class GrpcChannels implements AutoCloseable {

    /** A KV chunk is one block of every layer; big models need more than gRPC's 4 MiB default. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

    private record Entry(ManagedChannel managed, Channel intercepted) {
    }

    private final List<ClientInterceptor> interceptors;
    private final ConcurrentMap<String, Entry> channels = new ConcurrentHashMap<>();

    public GrpcChannels(List<ClientInterceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    public Channel get(String address) {
        return channels.computeIfAbsent(address, this::open).intercepted();
    }

    private Entry open(String address) {
        ManagedChannel managed = NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        return new Entry(managed, ClientInterceptors.intercept(managed, interceptors));
    }

    /** Closes the channel to a peer that is gone (calls still running on it finish first). */
    public void release(String address) {
        Entry entry = channels.remove(address);
        if (entry != null) {
            entry.managed().shutdown();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(entry -> entry.managed().shutdown());
        for (Entry entry : channels.values()) {
            try {
                entry.managed().awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
