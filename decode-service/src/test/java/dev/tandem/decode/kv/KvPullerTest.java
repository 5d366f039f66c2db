package dev.tandem.decode.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.tandem.engine.kv.KvBlockPool;
import dev.tandem.engine.kv.KvSequence;
import dev.tandem.protocol.GrpcChannels;
import dev.tandem.protocol.grpc.KvChunk;
import dev.tandem.protocol.grpc.KvHandle;
import dev.tandem.protocol.grpc.KvLayout;
import dev.tandem.protocol.grpc.PrefillWorkerGrpc;
import dev.tandem.protocol.grpc.PullKvRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * The choices of one request pulling one KV handle into one decode worker: the first pulls every block, the others
 * find the full blocks in the prefix cache, share them, and pull only the partial last one.
 */
class KvPullerTest {

    private static final int LAYERS = 2;
    private static final int KV_DIM = 4;
    private static final int BLOCK = 16;
    private static final int[] PROMPT = IntStream.range(0, 40).map(i -> 5 + i).toArray();

    /** The prefill worker's KV: position p of layer l holds p * 10 + l in every dimension. */
    private final KvBlockPool source = new KvBlockPool(LAYERS, KV_DIM, BLOCK, 4);
    private final KvBlockPool pool = new KvBlockPool(LAYERS, KV_DIM, BLOCK, 8);
    private final Queue<Integer> fromBlocks = new ConcurrentLinkedQueue<>();
    private Server server;
    private GrpcChannels channels;
    private KvPuller puller;
    private KvHandle handle;

    @BeforeEach
    void startPrefillWorker() throws IOException {
        KvSequence prefilled = source.newSequence();
        assertTrue(source.reserve(prefilled, PROMPT.length));
        for (int block = 0; block < 3; block++) {
            int tokens = Math.min(BLOCK, PROMPT.length - block * BLOCK);
            ByteBuffer data = ByteBuffer.allocate(source.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
            for (int layer = 0; layer < LAYERS; layer++) {
                for (int t = 0; t < tokens; t++) {
                    for (int d = 0; d < KV_DIM; d++) {
                        data.putFloat((block * BLOCK + t) * 10 + layer);
                    }
                }
            }
            source.importBlock(prefilled, block, tokens, data.flip(), data.duplicate());
        }
        source.append(prefilled, PROMPT);
        KvLayout layout = KvLayout.newBuilder().setNumLayers(LAYERS).setKvDim(KV_DIM).setBlockSize(BLOCK).build();
        server = NettyServerBuilder.forPort(0).addService(new PrefillWorkerGrpc.PrefillWorkerImplBase() {
            @Override
            public void pullKv(PullKvRequest request, StreamObserver<KvChunk> observer) {
                fromBlocks.add(request.getFromBlock());
                for (int block = request.getFromBlock(); block < 3; block++) {
                    int tokens = source.tokensInBlock(prefilled, block);
                    ByteBuffer keys = ByteBuffer.allocate(source.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer values = ByteBuffer.allocate(source.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
                    source.exportBlock(prefilled, block, keys, values);
                    observer.onNext(KvChunk.newBuilder().setBlockIndex(block).setNumTokens(tokens)
                            .setKeys(ByteString.copyFrom(keys.flip())).setValues(ByteString.copyFrom(values.flip()))
                            .setLayout(layout).build());
                }
                observer.onCompleted();
            }
        }).build().start();
        channels = new GrpcChannels(List.of());
        puller = new KvPuller(pool, channels);
        handle = KvHandle.newBuilder().setHandleId("h").setWorkerAddress("127.0.0.1:" + server.getPort())
                .setNumTokens(PROMPT.length).setNumBlocks(3).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channels.close();
        server.shutdownNow().awaitTermination();
    }

    @Test
    void laterChoicesShareTheFullBlocksAndPullOnlyTheLastOne() {
        KvPuller.Pulled first = puller.pull("req", handle, PROMPT, () -> false);
        KvPuller.Pulled second = puller.pull("req-1", handle, PROMPT, () -> false);

        assertEquals(List.of(0, 2), List.copyOf(fromBlocks));
        assertEquals(2L * pool.transferBytes(16) * 2 + 2L * pool.transferBytes(8), first.bytes(), "keys and values of 3 blocks");
        assertEquals(2L * pool.transferBytes(8), second.bytes(), "the partial block only");
        assertEquals(PROMPT.length, second.sequence().length());
        int[] firstBlocks = first.sequence().blockIds();
        int[] secondBlocks = second.sequence().blockIds();
        assertArrayEquals(new int[] {firstBlocks[0], firstBlocks[1]}, new int[] {secondBlocks[0], secondBlocks[1]},
                "the full blocks are shared");
        assertTrue(firstBlocks[2] != secondBlocks[2], "each has its own last block");
        assertEquals(4, pool.usedBlocks());
        assertBlockHolds(second.sequence(), 2);

        pool.free(first.sequence());
        pool.free(second.sequence());
        assertEquals(0, pool.usedBlocks(), "nothing leaked");
    }

    @Test
    void concurrentPullsOfOneHandleTakeTurnsSoOnlyTheFirstPullsTheFullBlocks() {
        List<CompletableFuture<KvPuller.Pulled>> pulls = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> puller.pull("req-" + i, handle, PROMPT, () -> false)))
                .toList();
        List<KvPuller.Pulled> pulled = pulls.stream().map(CompletableFuture::join).toList();

        assertEquals(List.of(0, 2, 2, 2), fromBlocks.stream().sorted().toList());
        assertEquals(2 + 4, pool.usedBlocks(), "two shared full blocks and a last block each");
        pulled.forEach(p -> pool.free(p.sequence()));
        assertEquals(0, pool.usedBlocks());
    }

    /** Block {@code block} of {@code sequence} holds the prefill worker's data for its positions. */
    private void assertBlockHolds(KvSequence sequence, int block) {
        int tokens = pool.tokensInBlock(sequence, block);
        ByteBuffer keys = ByteBuffer.allocate(pool.transferBytes(tokens)).order(ByteOrder.LITTLE_ENDIAN);
        pool.exportBlock(sequence, block, keys, ByteBuffer.allocate(pool.transferBytes(tokens)));
        keys.flip();
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int t = 0; t < tokens; t++) {
                for (int d = 0; d < KV_DIM; d++) {
                    assertEquals((block * BLOCK + t) * 10 + layer, keys.getFloat(), 0f);
                }
            }
        }
    }
}
