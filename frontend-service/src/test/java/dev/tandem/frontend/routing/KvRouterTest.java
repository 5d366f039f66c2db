package dev.tandem.frontend.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.tandem.protocol.grpc.WorkerInfo;
import dev.tandem.protocol.grpc.WorkerRole;

class KvRouterTest {

    private final KvRouter router = new KvRouter(1.0);

    private static WorkerEndpoint worker(String address, int usedBlocks) {
        WorkerEndpoint worker = new WorkerEndpoint(address, null);
        worker.reported(WorkerInfo.newBuilder().setWorkerId(address).setKvBlockSize(16).setKvTotalBlocks(1000)
                .setKvUsedBlocks(usedBlocks).build());
        return worker;
    }

    private static int[] prompt(int from, int length) {
        return IntStream.range(from, from + length).toArray();
    }

    @Test
    void withoutOverlapTheWorkerWithFewerBlocksInUseWins() {
        WorkerEndpoint a = worker("a:1", 50);
        WorkerEndpoint b = worker("b:1", 10);
        assertEquals(List.of(b, a), router.rank(List.of(a, b), prompt(0, 100)));
    }

    @Test
    void aPromptGoesBackToTheWorkerThatHoldsItsPrefix() {
        WorkerEndpoint a = worker("a:1", 20);
        WorkerEndpoint b = worker("b:1", 10);
        int[] system = prompt(1000, 320); // 20 blocks of a shared system prompt
        router.sent(a, system);
        int[] next = IntStream.concat(IntStream.of(system), IntStream.range(0, 40)).toArray();
        // a computes 3 of 23 blocks (cost 3 + 20 in use), b all 23 (23 + 10)
        assertEquals(List.of(a, b), router.rank(List.of(b, a), next));
    }

    @Test
    void aPrefillWorkerIsAsBusyAsThePromptsItHasStillToPrefill() {
        // its KV in use is a handle about to be pulled: it does not count against it
        WorkerEndpoint a = prefill("a:1", 40, 0);
        WorkerEndpoint b = prefill("b:1", 0, 0);
        int[] story = prompt(2000, 125);
        router.sent(a, story);
        assertEquals(List.of(a, b), router.rank(List.of(b, a), story));
        // prompts queued on it do
        a = prefill("a:1", 0, 16 * 30);
        assertEquals(List.of(b, a), router.rank(List.of(a, b), story));
    }

    private static WorkerEndpoint prefill(String address, int usedBlocks, int pendingPrefillTokens) {
        WorkerEndpoint worker = new WorkerEndpoint(address, null);
        worker.reported(WorkerInfo.newBuilder().setWorkerId(address).setRole(WorkerRole.WORKER_ROLE_PREFILL)
                .setKvBlockSize(16).setKvTotalBlocks(1000).setKvUsedBlocks(usedBlocks)
                .setActivePrefillTokens(pendingPrefillTokens).build());
        return worker;
    }

    @Test
    void aBusyWorkerLosesEvenWithTheCache() {
        WorkerEndpoint a = worker("a:1", 500);
        WorkerEndpoint b = worker("b:1", 10);
        int[] system = prompt(1000, 320);
        router.sent(a, system);
        assertEquals(List.of(b, a), router.rank(List.of(a, b), system));
    }

    @Test
    void onlyALeadingMatchCounts() {
        WorkerEndpoint a = worker("a:1", 5);
        WorkerEndpoint b = worker("b:1", 0);
        router.sent(a, prompt(0, 320));
        // the same tokens after a different first block: every key differs, since a key names its whole prefix
        int[] shifted = IntStream.concat(IntStream.range(5000, 5016), IntStream.range(16, 320)).toArray();
        assertEquals(List.of(b, a), router.rank(List.of(a, b), shifted));
        assertEquals(List.of(a, b), router.rank(List.of(b, a), prompt(0, 320)));
    }
}
